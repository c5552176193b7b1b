"""Map tool «Inspeccionar predio»: the parcel under the click, from the plugin's parcels layer."""

from __future__ import annotations

from collections.abc import Callable

from qgis.core import (
    QgsCoordinateTransform,
    QgsFeature,
    QgsFeatureRequest,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.gui import QgsMapCanvas, QgsMapMouseEvent, QgsMapToolEmitPoint


class InspectParcelTool(QgsMapToolEmitPoint):
    def __init__(
        self,
        canvas: QgsMapCanvas,
        parcels_layer: Callable[[], QgsVectorLayer | None],
        on_parcel: Callable[[QgsVectorLayer, QgsFeature], None],
        on_nothing: Callable[[], None],
    ) -> None:
        super().__init__(canvas)
        self.parcels_layer = parcels_layer
        self.on_parcel = on_parcel
        self.on_nothing = on_nothing

    def canvasReleaseEvent(self, event: QgsMapMouseEvent) -> None:
        self.inspect_at(event.mapPoint())

    def inspect_at(self, map_point: QgsPointXY) -> QgsFeature | None:
        layer = self.parcels_layer()
        if layer is None or not layer.isValid():
            self.on_nothing()
            return None
        canvas_crs = self.canvas().mapSettings().destinationCrs()
        transform = QgsCoordinateTransform(canvas_crs, layer.crs(), QgsProject.instance())
        point = transform.transform(map_point)
        tolerance = self.searchRadiusMU(self.canvas()) if layer.crs() == canvas_crs else 0
        rect = QgsRectangle(point.x(), point.y(), point.x(), point.y())
        rect.grow(max(tolerance, 1e-9))
        geom_point = QgsGeometry.fromPointXY(point)
        for feature in layer.getFeatures(QgsFeatureRequest().setFilterRect(rect)):
            if feature.geometry().intersects(geom_point):
                self.on_parcel(layer, feature)
                return feature
        self.on_nothing()
        return None
