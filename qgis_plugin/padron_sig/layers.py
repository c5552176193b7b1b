"""Map layers from what LoadLayersTask fetched (main thread only)."""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsDataSourceUri,
    QgsFillSymbol,
    QgsLineSymbol,
    QgsMapLayer,
    QgsMarkerSymbol,
    QgsProject,
    QgsVectorLayer,
    QgsVectorTileBasicRenderer,
    QgsVectorTileBasicRendererStyle,
    QgsVectorTileLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtGui import QColor

from padron_sig.core import api, catalogue

GROUP_NAME = "Padrón SIG"
LAYER_ID_PROPERTY = "padron_sig/layer_id"
GEOMETRY_TYPES = {
    "point": QgsWkbTypes.PointGeometry,
    "line": QgsWkbTypes.LineGeometry,
    "polygon": QgsWkbTypes.PolygonGeometry,
}


def vector_layer(layer: catalogue.LayerDef, geojson: Path, qml: Path | None) -> QgsVectorLayer:
    vl = QgsVectorLayer(str(geojson), layer.title, "ogr")
    if vl.isValid() and qml is not None:
        message, ok = vl.loadNamedStyle(str(qml))
        if not ok:
            vl.setCustomProperty("padron_sig/style_error", message)
    return vl


def _symbol(geometry: str, color: str):
    qcolor = QColor(color)
    if geometry == "point":
        symbol = QgsMarkerSymbol.createSimple({"name": "circle", "size": "2", "outline_width": "0"})
    elif geometry == "line":
        symbol = QgsLineSymbol.createSimple({"width": "0.6"})
    else:
        symbol = QgsFillSymbol.createSimple(
            {"outline_color": "35,35,35,255", "outline_width": "0.1"}
        )
    symbol.setColor(qcolor)
    return symbol


def _tile_styles(
    layer: catalogue.LayerDef, geometry: str, zmin: int, zmax: int
) -> list[QgsVectorTileBasicRendererStyle]:
    styles = []
    for index, cls in enumerate(layer.style_classes):
        style = QgsVectorTileBasicRendererStyle(cls.label, layer.id, GEOMETRY_TYPES[geometry])
        style.setFilterExpression(catalogue.class_expression(layer, index))
        style.setSymbol(_symbol(geometry, cls.color))
        style.setMinZoomLevel(zmin)
        style.setMaxZoomLevel(zmax)
        styles.append(style)
    return styles


def tile_renderer(layer: catalogue.LayerDef) -> QgsVectorTileBasicRenderer:
    """One style per class of the catalogue on the layer's own detail tile layer, and, when the
    tiles carry one, the low-zoom grid (``<id>_grid``) graduated by its own classes."""
    renderer = QgsVectorTileBasicRenderer()
    detail = next((t for t in layer.tile_layers if t.get("id") == layer.id), None)
    zmin = int(detail["minzoom"]) if detail else layer.minzoom
    zmax = int(detail["maxzoom"]) if detail else layer.maxzoom
    # overzoom beyond the last tile zoom
    styles = _tile_styles(layer, layer.geometry, zmin, zmax + 4)
    grid = layer.grid()
    if grid is not None:
        styles += _tile_styles(grid, "polygon", grid.minzoom, grid.maxzoom)
    renderer.setStyles(styles)
    return renderer


def tile_layer(layer: catalogue.LayerDef, server: str) -> QgsVectorTileLayer:
    """XYZ vector tiles of the API. No authcfg: QGIS 3.22 has no auth method that sends a token
    header, so the plugin's request preprocessor (connection.py) adds it to every tile request
    to the server; the layer source carries no secret and can be saved in a project."""
    uri = QgsDataSourceUri()
    uri.setParam("type", "xyz")
    uri.setParam("url", api.api_url(server, layer.tiles or ""))
    uri.setParam("zmin", str(layer.minzoom))
    uri.setParam("zmax", str(layer.maxzoom))
    vtl = QgsVectorTileLayer(bytes(uri.encodedUri()).decode(), layer.title)
    if vtl.isValid():
        vtl.setRenderer(tile_renderer(layer))
    return vtl


def build_layer(
    layer: catalogue.LayerDef, server: str, qml: Path | None, geojson: Path | None
) -> QgsMapLayer:
    map_layer: QgsMapLayer | None = None
    if geojson is not None:
        map_layer = vector_layer(layer, geojson, qml)
        if map_layer.isValid() and catalogue.use_tiles_instead(layer, map_layer.fields().names()):
            map_layer = None
    if map_layer is None:
        map_layer = tile_layer(layer, server)
    map_layer.setCustomProperty(LAYER_ID_PROPERTY, layer.id)
    if layer.description:
        map_layer.setAbstract(layer.description)
    return map_layer


def add_group(project: QgsProject, layers: list[QgsMapLayer]):
    """The plugin's group at the top of the tree (replacing an earlier one), layers in order."""
    root = project.layerTreeRoot()
    old = root.findGroup(GROUP_NAME)
    if old is not None:
        ids = [node.layerId() for node in old.findLayers()]
        root.removeChildNode(old)
        project.removeMapLayers(ids)
    group = root.insertGroup(0, GROUP_NAME)
    for map_layer in layers:
        project.addMapLayer(map_layer, False)
        group.addLayer(map_layer)
    return group
