"""The sample files documented in the README import, link and report as the README says."""

from pathlib import Path

import pytest
from django.core.management import call_command

from gis_backend.registry.models import Account, AccountLink, Parcel, StreetSegment

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
pytestmark = pytest.mark.django_db


def test_readme_walkthrough_on_the_samples(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("import_parcels", str(SAMPLES / "predios_muestra.geojson"))
    call_command("import_streets", str(SAMPLES / "calles_muestra.geojson"))
    call_command(
        "import_padron", str(SAMPLES / "padron_muestra.csv"), "--fecha-corte", "31/10/2026"
    )
    call_command(
        "import_padron",
        str(SAMPLES / "padron_otro_sistema.csv"),
        "--map",
        str(SAMPLES / "mapeo_muestra.yaml"),
    )
    call_command("link_registry")
    call_command("registry_report", "--out", str(tmp_path / "reporte"))
    out = capsys.readouterr().out
    assert "rechazados 0" in out
    assert (Parcel.objects.count(), StreetSegment.objects.count(), Account.objects.count()) == (
        4,
        1,
        4,
    )
    assert Account.objects.get(number="900001").tariff == "domestico_popular"
    linked = dict(AccountLink.objects.values_list("account__number", "parcel__cadastral_key"))
    assert linked["000101"] == "11-011-001-001-001"  # cadastral key
    assert linked["000102"] == "11-011-001-001-004"  # address: Hidalgo 7
    assert linked["000103"] == "11-011-001-001-003"  # address: Hidalgo 5
    assert linked["900001"] == "11-011-001-001-002"  # address: Hidalgo 3
    assert (tmp_path / "reporte" / "links.csv").exists()
