"""The layer catalogue (layers/catalogue.yaml, served as JSON by GET /api/v1/layers/)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

GEOMETRIES = ("point", "line", "polygon")
# Drawing order in the layer tree, top first: points over lines over polygons; within one kind,
# the order of the catalogue (its first layer is the one users care about most).
GEOMETRY_RANK = {"point": 0, "line": 1, "polygon": 2}


class CatalogueError(ValueError):
    """The catalogue does not have the shape the plugin expects."""


@dataclass(frozen=True)
class StyleClass:
    value: Any
    label: str
    color: str


@dataclass(frozen=True)
class LayerDef:
    id: str
    title: str
    description: str
    geometry: str
    source_type: str  # vector_tiles | geojson
    tiles: str | None  # URL template of the vector tiles (server path)
    geojson: str | None  # GeoJSON endpoint with every attribute (server path)
    minzoom: int
    maxzoom: int
    qml: str | None  # relative to layers/
    style_property: str | None
    style_kind: str | None  # categorized | graduated
    style_classes: tuple[StyleClass, ...] = field(default=())
    tile_layers: tuple[dict[str, Any], ...] = field(default=())
    # Low-zoom summary inside the tiles (``<id>_grid``): graduated by this property.
    grid_property: str | None = None
    grid_classes: tuple[StyleClass, ...] = field(default=())

    def grid(self) -> LayerDef | None:
        """The ``<id>_grid`` tile layer as a graduated layer of its own, if the tiles carry one."""
        grid_id = f"{self.id}_grid"
        entry = next((t for t in self.tile_layers if t.get("id") == grid_id), None)
        if entry is None or self.grid_property is None or not self.grid_classes:
            return None
        return LayerDef(
            id=grid_id,
            title=self.title,
            description="",
            geometry="polygon",
            source_type=self.source_type,
            tiles=self.tiles,
            geojson=None,
            minzoom=int(entry.get("minzoom", self.minzoom)),
            maxzoom=int(entry.get("maxzoom", self.maxzoom)),
            qml=None,
            style_property=self.grid_property,
            style_kind="graduated",
            style_classes=self.grid_classes,
        )

    @property
    def loads_as_geojson(self) -> bool:
        """Small layers (source GeoJSON) load as vector layers styled by their .qml; the big
        ones (source vector tiles: parcels, accounts, segments, suspensions) as vector tile
        layers styled from the catalogue's classes, whatever the size of the town. Their
        GeoJSON ``detail`` endpoint serves the inspect tool and the Processing algorithms."""
        return self.source_type == "geojson" or self.tiles is None


def use_tiles_instead(layer: LayerDef, geojson_fields: list[str]) -> bool:
    """The GeoJSON endpoint did not bring the property the style colours by (e.g. segments'
    arrears_count lives in the tiles and aggregates, not in /api/v1/segments/): the layer is then
    loaded from its vector tiles, styled from the catalogue, rather than drawn with no class."""
    return (
        layer.tiles is not None
        and layer.style_property is not None
        and layer.style_property not in geojson_fields
    )


def _require(entry: dict[str, Any], key: str) -> Any:
    if key not in entry:
        raise CatalogueError(f"layer {entry.get('id', '?')!r} lacks {key!r}")
    return entry[key]


def parse_layer(entry: dict[str, Any]) -> LayerDef:
    layer_id = _require(entry, "id")
    geometry = _require(entry, "geometry")
    if geometry not in GEOMETRIES:
        raise CatalogueError(f"layer {layer_id!r}: unknown geometry {geometry!r}")
    source = _require(entry, "source")
    source_type = source.get("type")
    tiles = source.get("tiles") if source_type == "vector_tiles" else None
    geojson = source.get("url") if source_type == "geojson" else None
    detail = entry.get("detail") or {}
    if geojson is None and detail.get("type") == "geojson":
        geojson = detail.get("url")
    if tiles is None and geojson is None:
        raise CatalogueError(f"layer {layer_id!r}: no source the plugin can load")
    style = entry.get("style") or {}
    if "classes" in style:
        kind, raw = "categorized", style["classes"]
    elif "stops" in style:
        kind, raw = "graduated", style["stops"]
    else:
        kind, raw = None, []
    classes = tuple(
        StyleClass(c["value"], str(c.get("label", c["value"])), c["color"]) for c in raw
    )
    grid = style.get("grid") or {}
    grid_classes = tuple(
        StyleClass(c["value"], str(c.get("label", c["value"])), c["color"])
        for c in grid.get("stops") or ()
    )
    qml = entry.get("qml")
    if qml is not None and (qml.startswith("/") or ".." in qml.split("/") or "://" in qml):
        raise CatalogueError(f"layer {layer_id!r}: qml must be a path relative to layers/")
    return LayerDef(
        id=layer_id,
        title=str(entry.get("title") or layer_id),
        description=str(entry.get("description") or ""),
        geometry=geometry,
        source_type=str(source_type),
        tiles=tiles,
        geojson=geojson,
        minzoom=int(entry.get("minzoom", 0)),
        maxzoom=int(entry.get("maxzoom", 22)),
        qml=qml,
        style_property=style.get("property"),
        style_kind=kind,
        style_classes=classes,
        tile_layers=tuple(entry.get("tile_layers") or ()),
        grid_property=grid.get("property"),
        grid_classes=grid_classes,
    )


def parse_catalogue(data: Any) -> list[LayerDef]:
    """Layers of a catalogue (the YAML's or the API's JSON, same shape), in catalogue order."""
    if not isinstance(data, dict) or not isinstance(data.get("layers"), list):
        raise CatalogueError("no 'layers' list")
    if data.get("version", 1) != 1:
        raise CatalogueError(f"catalogue version {data.get('version')!r} not supported")
    result = [parse_layer(entry) for entry in data["layers"]]
    ids = [layer.id for layer in result]
    if len(set(ids)) != len(ids):
        raise CatalogueError("duplicate layer ids")
    return result


def drawing_order(layers: list[LayerDef]) -> list[LayerDef]:
    """Top-to-bottom order of the layer tree: points, lines, polygons; stable within a kind."""
    return sorted(layers, key=lambda layer: GEOMETRY_RANK[layer.geometry])


def class_expression(layer: LayerDef, index: int) -> str:
    """QGIS expression selecting the features of one class of the catalogue style: equality for
    categories, [stop, next stop) for graduated stops."""
    prop = layer.style_property
    if prop is None:
        raise CatalogueError(f"layer {layer.id!r} has no style property")
    field_ref = '"' + prop.replace('"', '""') + '"'
    cls = layer.style_classes[index]
    if layer.style_kind == "categorized":
        return f"{field_ref} = {_literal(cls.value)}"
    expr = f"{field_ref} >= {_literal(cls.value)}"
    if index + 1 < len(layer.style_classes):
        expr += f" AND {field_ref} < {_literal(layer.style_classes[index + 1].value)}"
    return expr


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    text = color.lstrip("#")
    if len(text) != 6:
        raise CatalogueError(f"colour {color!r} is not #rrggbb")
    return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))
