"""System checks that refuse a configuration the product cannot work with."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from pyproj import CRS
from pyproj.exceptions import CRSError


@register(Tags.compatibility)
def check_storage_srid(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    srid = settings.STORAGE_SRID
    try:
        crs = CRS.from_epsg(srid)
    except CRSError:
        return [
            Error(
                f"PADRON_STORAGE_SRID={srid} is not a known EPSG code.",
                hint="Use a projected metric CRS, e.g. 32614 (WGS 84 / UTM 14N).",
                id="padron.E001",
            )
        ]
    units = {axis.unit_name for axis in crs.axis_info}
    if not crs.is_projected or units != {"metre"}:
        return [
            Error(
                f"PADRON_STORAGE_SRID={srid} ({crs.name}) is not a metric projected CRS; "
                "distances, areas and tolerances would be wrong.",
                hint="Use a projected metric CRS, e.g. 32614 (WGS 84 / UTM 14N).",
                id="padron.E002",
            )
        ]
    return []
