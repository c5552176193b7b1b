"""Writing small vector files for import tests, the way a cadastre or GIS office hands them over."""

from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import shapely

# Downtown Cortazar, inside the default service area (municipality 11011).
LON, LAT = -100.962, 20.483
METRE = 1 / 104_300  # one metre east-west, in degrees of longitude, at this latitude
METRE_NS = 1 / 110_700  # one metre north-south, in degrees of latitude


def lot(i: int, width: float = 10, depth: float = 25) -> shapely.Polygon:
    """The i-th lot of a row of lots, in lon/lat."""
    x0 = LON + i * width * METRE
    return shapely.box(x0, LAT, x0 + width * METRE, LAT + depth * METRE_NS)


def street(i: int, length: float = 100) -> shapely.LineString:
    y = LAT - (5 + i * 60) * METRE_NS
    return shapely.LineString([(LON, y), (LON + length * METRE, y)])


def write_layer(
    path: Path,
    rows: list[dict[str, Any]],
    geometries: list[Any],
    *,
    crs: str | None = "EPSG:4326",
    layer: str | None = None,
    driver: str | None = None,
    append: bool = False,
) -> Path:
    names = list(rows[0]) if rows else []
    fields = [np.array([row.get(name) for row in rows], dtype=object) for name in names]
    pyogrio.raw.write(
        path,
        geometry=np.array(
            [shapely.to_wkb(g) if g is not None else None for g in geometries], dtype=object
        ),
        field_data=fields,
        fields=names,
        crs=crs,
        geometry_type="Unknown",
        layer=layer,
        driver=driver,
        append=append,
    )
    return path
