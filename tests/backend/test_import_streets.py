"""Importing a street-segment layer."""

from pathlib import Path

import pytest
import shapely
from django.core.management import CommandError, call_command

from gis_backend.imports.engine import run_vector_import
from gis_backend.imports.streets import StreetImporter
from gis_backend.registry.models import StreetSegment
from tests.backend.vector_files import LAT, LON, street, write_layer

pytestmark = pytest.mark.django_db


def segment_row(name: str, **fields: object) -> dict[str, object]:
    row: dict[str, object] = {
        "nombre": name,
        "tipo": "Calle",
        "colonia": "Col. Centro",
        "num_izq_ini": "1",
        "num_izq_fin": "49",
        "num_der_ini": "2",
        "num_der_fin": "50",
    }
    row.update(fields)
    return row


def test_import_normalises_names_and_is_idempotent(tmp_path: Path) -> None:
    rows = [segment_row("Miguel Hidalgo"), segment_row("5 de Mayo", tipo="Av.")]
    path = write_layer(tmp_path / "calles.gpkg", rows, [street(0), street(1)])
    first = run_vector_import(StreetImporter(), path)
    assert (first.created, first.rejected) == (2, 0)
    hidalgo = StreetSegment.objects.get(name="Miguel Hidalgo")
    assert hidalgo.street_type == "calle"
    assert "HIDALGO" in hidalgo.name_normalized
    assert (hidalgo.left_from, hidalgo.left_to, hidalgo.right_from, hidalgo.right_to) == (
        1,
        49,
        2,
        50,
    )
    assert hidalgo.geom.srid == 32614 and hidalgo.geom.length == pytest.approx(100, rel=0.05)
    assert StreetSegment.objects.get(name="5 de Mayo").street_type == "avenida"

    again = run_vector_import(StreetImporter(), path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_source_identifier_keys_segments(tmp_path: Path) -> None:
    path = write_layer(
        tmp_path / "calles.gpkg", [segment_row("Allende", id_tramo="T-7")], [street(0)]
    )
    run_vector_import(StreetImporter(), path)
    moved = write_layer(
        tmp_path / "calles2.gpkg", [segment_row("Allende", id_tramo="T-7")], [street(1)]
    )
    summary = run_vector_import(StreetImporter(), moved)
    assert (summary.created, summary.updated) == (0, 1)
    assert StreetSegment.objects.get(source_key="T-7").geom.centroid.y < 2265823 + 10_000


def test_incomplete_range_and_blank_name_are_rejected(tmp_path: Path) -> None:
    rows = [segment_row("Juárez", num_izq_fin=None), segment_row("  ")]
    summary = run_vector_import(
        StreetImporter(), write_layer(tmp_path / "c.gpkg", rows, [street(0), street(1)])
    )
    assert summary.rejected == 2
    assert "num_izq_ini" in str(summary.errors[0]) and "línea 1" in str(summary.errors[0])
    assert "nombre" in str(summary.errors[1]) and "línea 2" in str(summary.errors[1])


def test_line_layer_holding_points_is_refused(tmp_path: Path) -> None:
    path = write_layer(tmp_path / "p.geojson", [segment_row("Morelos")], [shapely.Point(LON, LAT)])
    with pytest.raises(CommandError, match=r"Point.*líneas"):
        call_command("import_streets", str(path))
    assert StreetSegment.objects.count() == 0


def test_a_layer_without_ranges_or_colonia_leaves_them_as_stored(tmp_path: Path) -> None:
    """A later export of the same segments with their names alone keeps their number ranges
    and colonia."""
    first = [segment_row("Allende", id_tramo="T-1")]
    run_vector_import(StreetImporter(), write_layer(tmp_path / "calles.gpkg", first, [street(0)]))
    names_only = [{"id_tramo": "T-1", "nombre": "Ignacio Allende"}]
    summary = run_vector_import(
        StreetImporter(), write_layer(tmp_path / "nombres.gpkg", names_only, [street(0)])
    )
    assert summary.updated == 1
    segment = StreetSegment.objects.get(source_key="T-1")
    assert segment.name == "Ignacio Allende"
    assert (segment.left_from, segment.left_to, segment.right_from, segment.right_to) == (
        1, 49, 2, 50,
    )  # fmt: skip
    assert segment.colonia is not None and segment.colonia.name == "Col. Centro"


def test_a_point_in_a_street_layer_is_rejected_and_the_lines_imported(tmp_path: Path) -> None:
    """An OpenStreetMap export with a named node (a bus stop) among the streets."""
    rows = [segment_row("Allende"), segment_row("Parada Allende")]
    path = write_layer(tmp_path / "osm.gpkg", rows, [street(0), shapely.Point(LON, LAT)])
    summary = run_vector_import(StreetImporter(), path)
    assert (summary.created, summary.rejected) == (1, 1)
    assert [(p.line, p.message) for p in summary.errors] == [
        (2, "geometría Point; se esperaba LineString, MultiLineString")
    ]


def test_arcgis_id_of_zeros_keys_nothing_and_layer_words_for_none(tmp_path: Path) -> None:
    """A shapefile from ArcMap carries «Id» 0 on every feature: the segments are keyed by
    geometry, with a warning. INEGI writes 'NINGUNO' for a street without a name (rejected:
    the name is required) and 'S/N' for a side without numbering (no range)."""
    rows = [
        segment_row("Allende", Id=0, num_izq_ini="S/N", num_izq_fin="S/N"),
        segment_row("Morelos", Id=0),
        segment_row("NINGUNO", Id=0),
        segment_row("X" * 151, Id=0),
    ]
    path = write_layer(tmp_path / "calles.shp", rows, [street(i) for i in range(4)])
    summary = run_vector_import(StreetImporter(), path)
    assert (summary.created, summary.rejected) == (2, 2)
    assert [(w.field, w.message) for w in summary.warnings] == [
        ("Id", "repite valores; no identifica los tramos: se identifican por su geometría")
    ]
    allende = StreetSegment.objects.get(name="Allende")
    assert str(allende.source_key).startswith("geom:")
    assert (allende.left_from, allende.left_to, allende.right_from) == (None, None, 2)
    assert [(p.line, p.field, p.message) for p in summary.errors] == [
        (3, "nombre", "«NINGUNO»: el tramo no tiene nombre; es obligatorio"),
        (4, "nombre", "valor de 151 caracteres; el máximo es 150"),
    ]
    again = run_vector_import(StreetImporter(), path)
    assert (again.created, again.unchanged) == (0, 2)


def test_inegi_street_axes_are_read_without_a_mapping(tmp_path: Path) -> None:
    """INEGI's 'ejes viales' name the street NOMVIAL and its type TIPOVIAL."""
    rows = [{"CVEVIAL": "00123", "NOMVIAL": "Miguel Hidalgo", "TIPOVIAL": "Avenida"}]
    summary = run_vector_import(
        StreetImporter(), write_layer(tmp_path / "ejes.gpkg", rows, [street(0)])
    )
    segment = StreetSegment.objects.get()
    assert (segment.name, segment.street_type) == ("Miguel Hidalgo", "avenida")
    assert "NOMVIAL → nombre, TIPOVIAL → tipo" in summary.warnings[0].message
