"""Map tool «Inspeccionar predio»: the clicked point, in lon/lat, handed to the plugin, which asks
the API for the parcel there (parcels load as vector tiles, which cannot be queried locally)."""

from __future__ import annotations

from collections.abc import Callable

from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsPointXY, QgsProject
from qgis.gui import QgsMapCanvas, QgsMapMouseEvent, QgsMapToolEmitPoint

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")


class InspectParcelTool(QgsMapToolEmitPoint):
    def __init__(self, canvas: QgsMapCanvas, on_point: Callable[[float, float], object]) -> None:
        super().__init__(canvas)
        self.on_point = on_point

    def canvasReleaseEvent(self, event: QgsMapMouseEvent) -> None:
        self.inspect_at(event.mapPoint())

    def inspect_at(self, map_point: QgsPointXY) -> tuple[float, float]:
        canvas_crs = self.canvas().mapSettings().destinationCrs()
        transform = QgsCoordinateTransform(canvas_crs, WGS84, QgsProject.instance())
        point = transform.transform(map_point)
        self.on_point(point.x(), point.y())
        return point.x(), point.y()
