from typing import Any

from rest_framework.renderers import BaseRenderer, JSONRenderer


class GeoJSONRenderer(JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


class MVTRenderer(BaseRenderer):
    """Tiles are bytes built by PostGIS; errors (a dict) are written as JSON."""

    media_type = "application/vnd.mapbox-vector-tile"
    format = "pbf"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None):  # type: ignore[no-untyped-def]
        if isinstance(data, bytes | bytearray):
            return bytes(data)
        return JSONRenderer().render(data)
