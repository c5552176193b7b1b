"""The system check refuses a storage CRS in which distances and areas would be wrong."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from gis_backend.core.checks import check_storage_srid


@pytest.mark.parametrize(
    ("srid", "crs_name"),
    [
        (4326, "WGS 84"),  # geographic: degrees
        (2227, "California zone 3 (ftUS)"),  # projected, but in US survey feet
    ],
)
def test_non_metric_storage_srid_is_refused(srid: int, crs_name: str) -> None:
    with override_settings(STORAGE_SRID=srid):
        errors = check_storage_srid()

    assert [error.id for error in errors] == ["padron.E002"]
    assert f"PADRON_STORAGE_SRID={srid}" in errors[0].msg
    assert crs_name in errors[0].msg
    assert "32614" in str(errors[0].hint)


def test_unknown_epsg_code_is_refused() -> None:
    with override_settings(STORAGE_SRID=999999):
        errors = check_storage_srid()

    assert [error.id for error in errors] == ["padron.E001"]


@pytest.mark.parametrize(
    "srid",
    [
        32614,  # WGS 84 / UTM zone 14N, Cortazar's zone
        32613,  # WGS 84 / UTM zone 13N, western Mexico
        6372,  # Mexico ITRF2008 / LCC, INEGI's national projection
    ],
)
def test_metric_projected_storage_srid_is_accepted(srid: int) -> None:
    with override_settings(STORAGE_SRID=srid):
        assert check_storage_srid() == []


def test_manage_py_check_stops_on_a_geographic_srid() -> None:
    """The check is registered: ``padron-admin check`` (and so runserver, migrate) refuses."""
    with override_settings(STORAGE_SRID=4326), pytest.raises(SystemCheckError, match="E002"):
        call_command("check")
