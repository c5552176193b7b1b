"""The utility's service area: imports refuse geometry outside it.

``settings.SERVICE_AREA`` is either an INEGI municipality key found in the bundled
``data/guanajuato_municipios.gpkg`` (default ``11011``, Cortazar) or the path of any vector
file GDAL reads whose features together form the area.
"""

from functools import lru_cache
from pathlib import Path

import pyogrio
import shapely
from django.conf import settings
from pyproj import CRS, Transformer

BUNDLED = Path(__file__).resolve().parent / "data" / "guanajuato_municipios.gpkg"


class ServiceAreaError(ValueError):
    pass


@lru_cache(maxsize=4)
def load_service_area(spec: str, srid: int) -> shapely.Geometry:
    """The service area polygon in the CRS ``srid`` (prepared for fast point tests)."""
    path = Path(spec)
    if spec.isdigit() and not path.exists():
        meta, _fids, geometry, _fields = pyogrio.raw.read(
            BUNDLED, where=f"region = '{spec}'", columns=["region"]
        )
        if len(geometry) == 0:
            raise ServiceAreaError(f"No municipality with INEGI key {spec} in {BUNDLED.name}.")
    else:
        meta, _fids, geometry, _fields = pyogrio.raw.read(path)
        if len(geometry) == 0:
            raise ServiceAreaError(f"{path} holds no features for the service area.")
    shapes = shapely.from_wkb(geometry)
    area = shapely.union_all(shapes)
    source = CRS.from_user_input(meta["crs"] or "EPSG:4326")
    transformer = Transformer.from_crs(source, CRS.from_epsg(srid), always_xy=True)
    area = shapely.transform(area, lambda xy: _transform(transformer, xy))
    shapely.prepare(area)
    return area


def _transform(transformer: Transformer, xy):  # type: ignore[no-untyped-def]
    import numpy as np

    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def service_area() -> shapely.Geometry:
    return load_service_area(str(settings.SERVICE_AREA), settings.STORAGE_SRID)
