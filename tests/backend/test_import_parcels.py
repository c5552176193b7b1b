"""Importing a cadastral parcel layer: what the user sees for good and bad files."""

import re
import zipfile
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from django.core.management import CommandError, call_command

from gis_backend.imports.engine import run_vector_import
from gis_backend.imports.parcels import ParcelImporter
from gis_backend.registry.models import Colonia, Parcel, RegistryHistory
from tests.backend.vector_files import LAT, LON, METRE, lot, write_layer

pytestmark = pytest.mark.django_db


def parcel_row(key: str, **fields: object) -> dict[str, object]:
    row: dict[str, object] = {
        "clave_catastral": key,
        "calle": "Av. Hidalgo",
        "numero": "12",
        "colonia": "Zona Centro",
        "sup_construida": "120.5",
        "uso_suelo": "Habitacional",
        "num_viviendas": "1",
    }
    row.update(fields)
    return row


def three_parcels(tmp_path: Path, name: str = "predios.gpkg", **changes: object) -> Path:
    rows = [parcel_row(f"11-011-001-001-00{i}") for i in range(1, 4)]
    rows[2].update(changes)
    return write_layer(tmp_path / name, rows, [lot(i) for i in range(3)])


def run(path: Path, **options: object):  # type: ignore[no-untyped-def]
    return run_vector_import(ParcelImporter(), path, **options)  # type: ignore[arg-type]


def test_import_creates_parcels_in_storage_crs_with_colonia(tmp_path: Path) -> None:
    summary = run(three_parcels(tmp_path))
    assert (summary.read, summary.created, summary.rejected) == (3, 3, 0)
    parcel = Parcel.objects.get(cadastral_key="11-011-001-001-001")
    assert parcel.geom.srid == 32614
    assert parcel.geom.area == pytest.approx(10 * 25, rel=0.05)  # m², not degrees
    assert parcel.built_area == pytest.approx(120.5)
    assert parcel.land_use == "habitacional"
    assert parcel.colonia is not None and parcel.colonia.name == "Zona Centro"
    assert Colonia.objects.count() == 1


def test_progress_names_each_phase_and_ends_with_all_done(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a terminal the command shows the file, the phase running and how many are done; off
    unless asked."""
    run(three_parcels(tmp_path), progress=True)
    err = capsys.readouterr().err
    assert "Importando predios.gpkg" in err
    for phase in ("lectura", "revisión", "escritura", "índices y llaves"):
        assert phase in err, phase
    assert re.findall(r"(\d+)/(\d+)", err)[-1] == ("4", "4")
    run(three_parcels(tmp_path))
    assert "Importando" not in capsys.readouterr().err


def test_reimport_changes_nothing_and_a_changed_row_updates_in_place(tmp_path: Path) -> None:
    run(three_parcels(tmp_path))
    history_before = RegistryHistory.objects.count()
    again = run(three_parcels(tmp_path))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert RegistryHistory.objects.count() == history_before

    changed = run(three_parcels(tmp_path, "predios2.gpkg", num_viviendas="4"))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    assert Parcel.objects.get(cadastral_key="11-011-001-001-003").dwellings == 4
    assert Parcel.objects.count() == 3


def test_block_and_inegi_keys_are_read_checked_and_kept_when_a_file_lacks_them(
    tmp_path: Path,
) -> None:
    rows = [
        parcel_row("B-1", manzana="M-014", ageb="366", manzana_inegi="7"),
        parcel_row("B-2", manzana="M-014", ageb="012a", manzana_inegi="021"),
        parcel_row("B-3", manzana="M-015", ageb="36-6", manzana_inegi="1234"),
    ]
    summary = run(write_layer(tmp_path / "manzanas.gpkg", rows, [lot(i) for i in range(3)]))
    assert (summary.created, summary.rejected) == (2, 1)
    assert sorted((p.field, p.line) for p in summary.errors) == [
        ("ageb", 3),
        ("manzana_inegi", 3),
    ]
    stored = {
        p.cadastral_key: (p.block_key, p.inegi_ageb, p.inegi_block, p.attributes)
        for p in Parcel.objects.all()
    }
    # Leading zeros a spreadsheet dropped are put back; the keys are not left in attributes.
    assert stored == {"B-1": ("M-014", "0366", "007", {}), "B-2": ("M-014", "012A", "021", {})}

    # A later layer without those columns updates what it carries and leaves the keys alone.
    rows = [parcel_row("B-1", num_viviendas="3"), parcel_row("B-2")]
    again = run(write_layer(tmp_path / "sin_manzanas.gpkg", rows, [lot(i) for i in range(2)]))
    assert (again.updated, again.unchanged) == (1, 1)
    b1 = Parcel.objects.get(cadastral_key="B-1")
    assert (b1.dwellings, b1.block_key, b1.inegi_ageb, b1.inegi_block) == (
        3,
        "M-014",
        "0366",
        "007",
    )


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    summary = run(three_parcels(tmp_path), dry_run=True)
    assert summary.created == 3
    assert Parcel.objects.count() == 0


def test_duplicate_keys_are_rejected_naming_key_and_all_lines(tmp_path: Path) -> None:
    rows = [parcel_row("A-1"), parcel_row("A-2"), parcel_row("A-1"), parcel_row("A-3")]
    path = write_layer(tmp_path / "dup.gpkg", rows, [lot(i) for i in range(4)])
    summary = run(path)
    assert summary.created == 2
    assert summary.rejected == 2
    messages = [str(p) for p in summary.errors]
    assert all("«A-1» repetida en las líneas 1, 3" in m for m in messages)
    assert all("dup.gpkg" in m and "clave_catastral" in m for m in messages)
    assert set(Parcel.objects.values_list("cadastral_key", flat=True)) == {"A-2", "A-3"}


def test_rejects_file_keeps_layout_and_can_be_fixed_and_rerun(tmp_path: Path) -> None:
    rows = [parcel_row("B-1"), parcel_row("B-2", sup_construida="mucho")]
    path = write_layer(tmp_path / "predios.gpkg", rows, [lot(0), lot(1)])
    summary = run(path)
    assert summary.rejected == 1
    assert "línea 2" in str(summary.errors[0]) and "sup_construida" in str(summary.errors[0])
    rejects = Path(summary.rejects_path)
    meta, _fids, geometry, fields = pyogrio.raw.read(rejects)
    names = list(meta["fields"])
    assert names[:-1] == list(rows[0]) and names[-1] == "motivo_rechazo"
    assert fields[names.index("clave_catastral")][0] == "B-2"

    # The user fixes the value in the rejects file and runs the same command on it.
    fixed = write_layer(
        tmp_path / "corregido.gpkg",
        [{**parcel_row("B-2"), "sup_construida": "80"}],
        [shapely.from_wkb(geometry[0])],
    )
    assert run(fixed).created == 1
    assert Parcel.objects.count() == 2


def test_invalid_geometry_is_repaired_with_warning_or_rejected(tmp_path: Path) -> None:
    bowtie = shapely.Polygon(
        [
            (LON, LAT),
            (LON + 20 * METRE, LAT + 20 * METRE),
            (LON + 20 * METRE, LAT),
            (LON, LAT + 20 * METRE),
        ]
    )
    flat = shapely.Polygon([(LON, LAT), (LON + 20 * METRE, LAT), (LON + 40 * METRE, LAT)])
    path = write_layer(
        tmp_path / "geo.gpkg", [parcel_row("C-1"), parcel_row("C-2")], [bowtie, flat]
    )
    summary = run(path)
    assert summary.created == 1
    assert "reparada" in str(summary.warnings[0]) and "línea 1" in str(summary.warnings[0])
    assert "degenerado" in str(summary.errors[0]) and "línea 2" in str(summary.errors[0])
    assert Parcel.objects.get(cadastral_key="C-1").geom.valid


def test_outside_service_area_and_swapped_coordinates_are_rejected(tmp_path: Path) -> None:
    swapped = shapely.transform(lot(0), lambda xy: xy[:, ::-1])
    far = shapely.box(-99.1, 19.4, -99.099, 19.401)  # Mexico City
    path = write_layer(
        tmp_path / "fuera.gpkg", [parcel_row("D-1"), parcel_row("D-2")], [swapped, far]
    )
    summary = run(path)
    assert summary.created == 0
    assert "invertidas" in str(summary.errors[0])
    assert "fuera del área de servicio" in str(summary.errors[1])


def test_file_level_errors_write_nothing(tmp_path: Path) -> None:
    # Shapefile without .prj: the CRS is unknown.
    shp = write_layer(tmp_path / "sin_crs.shp", [parcel_row("E-1")], [lot(0)], crs=None)
    with pytest.raises(CommandError, match=r"no declara su sistema de coordenadas"):
        call_command("import_parcels", str(shp))
    # The wrong one: not a parcel falls in the service area, and the message says why.
    with pytest.raises(CommandError, match=r"ninguna geometría.*EPSG:32614.*--srid"):
        call_command("import_parcels", str(shp), "--srid", "32614")
    call_command("import_parcels", str(shp), "--srid", "4326")
    assert Parcel.objects.filter(cadastral_key="E-1").exists()
    # Its .shx lost on the way.
    shp.with_suffix(".shx").unlink()
    with pytest.raises(CommandError, match=r"le falta su archivo \.shx \(sin_crs\.shx\)"):
        call_command("import_parcels", str(shp), "--srid", "4326")

    # Missing required column.
    no_key = write_layer(tmp_path / "sin_clave.gpkg", [{"calle": "Morelos"}], [lot(1)])
    with pytest.raises(CommandError, match=r"clave_catastral.*falta esta columna"):
        call_command("import_parcels", str(no_key))

    # Two layers and no --layer.
    two = write_layer(tmp_path / "dos.gpkg", [parcel_row("F-1")], [lot(2)], layer="norte")
    write_layer(two, [parcel_row("F-2")], [lot(3)], layer="sur", append=True)
    with pytest.raises(CommandError, match=r"2 capas.*norte.*sur"):
        call_command("import_parcels", str(two))
    call_command("import_parcels", str(two), "--layer", "sur")
    assert Parcel.objects.filter(cadastral_key="F-2").exists()

    # Points where polygons were expected.
    points = write_layer(tmp_path / "puntos.gpkg", [parcel_row("G-1")], [shapely.Point(LON, LAT)])
    with pytest.raises(CommandError, match=r"Point.*polígonos"):
        call_command("import_parcels", str(points))

    # Empty layer.
    empty = write_layer(tmp_path / "vacio.gpkg", [], [])
    with pytest.raises(CommandError, match=r"no tiene registros"):
        call_command("import_parcels", str(empty))
    assert not Parcel.objects.filter(cadastral_key="G-1").exists()


def test_enormous_field_is_rejected_and_unknown_columns_kept(tmp_path: Path) -> None:
    rows = [
        parcel_row("H-1", calle="X" * 5000, zona_valor="Z3"),
        parcel_row("H-2", zona_valor="Z4", uso_suelo="Agrícola"),
    ]
    summary = run(write_layer(tmp_path / "grande.gpkg", rows, [lot(0), lot(1)]))
    assert summary.rejected == 1
    assert "calle" in str(summary.errors[0]) and "5000 caracteres" in str(summary.errors[0])
    kept = Parcel.objects.get(cadastral_key="H-2")
    assert kept.attributes == {"zona_valor": "Z4", "uso_suelo": "Agrícola"}
    assert kept.land_use == ""


def test_colonias_are_told_apart_by_settlement_type(tmp_path: Path) -> None:
    rows = [
        parcel_row("J-1", colonia="Fracc. Las Fuentes"),
        parcel_row("J-2", colonia="Col. Las Fuentes"),
        parcel_row("J-3", colonia="COL. CENTRO"),
        parcel_row("J-4", colonia="Zona Centro"),
    ]
    run(write_layer(tmp_path / "col.gpkg", rows, [lot(i) for i in range(4)]))
    colonia = dict(Parcel.objects.values_list("cadastral_key", "colonia__settlement_type"))
    assert colonia["J-1"] == "fraccionamiento" and colonia["J-2"] == "colonia"
    same = Parcel.objects.filter(cadastral_key__in=["J-3", "J-4"]).values("colonia").distinct()
    assert same.count() == 1
    assert Colonia.objects.count() == 3


def test_shapefile_rejects_keep_the_cut_field_names(tmp_path: Path) -> None:
    """A Shapefile cuts 'clave_catastral' to 'clave_cata': the importer reads it by our name,
    and the rejects file gives the rows back under the names the file had."""
    rows = [parcel_row("S-1"), parcel_row("S-2", sup_construida="mucho")]
    path = write_layer(tmp_path / "predios.shp", rows, [lot(0), lot(1)])
    summary = run(path)
    assert (summary.created, summary.rejected) == (1, 1)
    meta, _fids, _geometry, fields = pyogrio.raw.read(Path(summary.rejects_path))
    names = list(meta["fields"])
    assert names[:3] == ["clave_cata", "calle", "numero"]
    assert fields[0][0] == "S-2"
    assert fields[names.index("sup_constr")][0] == "mucho"


def test_mapping_file_renames_fields_and_values_of_a_cadastral_layer(tmp_path: Path) -> None:
    """Cadastral offices name their fields their own way: --map renames them (and values)."""
    rows = [
        {"CLV_PRED": "M-1", "NOM_CALLE": "Hidalgo", "NUM_OFI": "4", "USO": "H", "SUP_CONST": "80"},
        {"CLV_PRED": "M-2", "NOM_CALLE": "Hidalgo", "NUM_OFI": "6", "USO": "C", "SUP_CONST": "x"},
    ]
    path = write_layer(tmp_path / "catastro.gpkg", rows, [lot(0), lot(1)])
    mapping = tmp_path / "catastro.yaml"
    mapping.write_text(
        "columns:\n  CLV_PRED: clave_catastral\n  nom_calle: calle\n  NUM_OFI: numero\n"
        "  USO: uso_suelo\n  SUP_CONST: sup_construida\n"
        "values:\n  uso_suelo:\n    H: Habitacional\n    C: Comercial\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="clave_catastral"):
        call_command("import_parcels", str(path))  # without the mapping: no key column
    call_command("import_parcels", str(path), "--map", str(mapping))
    parcel = Parcel.objects.get(cadastral_key="M-1")
    assert (parcel.street, parcel.number, parcel.land_use) == ("Hidalgo", "4", "habitacional")
    assert not Parcel.objects.filter(cadastral_key="M-2").exists()
    # The rejected row comes back as the file had it, under its own names and values.
    meta, _fids, _geometry, fields = pyogrio.raw.read(tmp_path / "catastro_rechazos.gpkg")
    names = list(meta["fields"])
    assert names[:-1] == list(rows[0])
    assert (fields[0][0], fields[names.index("USO")][0]) == ("M-2", "C")


def test_field_names_as_cadastral_offices_write_them(tmp_path: Path) -> None:
    """Accents, spaces and case in a layer's field names: our fields all the same."""
    rows = [
        {"Clave Catastral": "N-1", "Calle": "Morelos", "Número": "8", "Núm. Viviendas": "2"},
    ]
    call_command("import_parcels", str(write_layer(tmp_path / "p.gpkg", rows, [lot(0)])))
    parcel = Parcel.objects.get(cadastral_key="N-1")
    assert (parcel.street, parcel.number, parcel.dwellings) == ("Morelos", "8", 2)


def test_numeric_fields_read_as_the_cadastre_wrote_them(tmp_path: Path) -> None:
    """A Shapefile whose key is a Real column and whose number is an Integer column with an
    empty value: GDAL reads both as floats, but the keys and numbers are the ones written."""
    path = tmp_path / "predios.shp"
    numbers = np.array([12, 0, 14], dtype=np.int32)
    pyogrio.raw.write(
        path,
        geometry=np.array([shapely.to_wkb(lot(i)) for i in range(3)], dtype=object),
        field_data=[
            np.array([11011001001001.0, 11011001001002.0, 11011001001003.0]),
            np.array(["Hidalgo"] * 3, dtype=object),
            numbers,
            np.array([120.5, 0.0, 85.0]),
            np.array([2.0, 1.0, 1.0]),
        ],
        fields=["CLAVE_CAT", "CALLE", "NUMERO", "SUP_CONST", "VIVIENDAS"],
        field_mask=[None, None, numbers == 0, None, None],
        crs="EPSG:4326",
        geometry_type="Polygon",
    )
    meta = pyogrio.read_info(path)
    assert list(meta["dtypes"]) == ["float64", "object", "int32", "float64", "float64"]
    mapping = tmp_path / "mapa.yaml"
    mapping.write_text(
        "columns:\n  CLAVE_CAT: clave_catastral\n  SUP_CONST: sup_construida\n"
        "  VIVIENDAS: num_viviendas\n",
        encoding="utf-8",
    )
    summary = run(path, mapping=mapping)
    assert (summary.created, summary.rejected) == (3, 0)
    parcels = {p.cadastral_key: (p.number, p.built_area, p.dwellings) for p in Parcel.objects.all()}
    assert parcels == {
        "11011001001001": ("12", Decimal("120.50"), 2),
        "11011001001002": ("", Decimal("0.00"), 1),
        "11011001001003": ("14", Decimal("85.00"), 1),
    }
    again = run(path, mapping=mapping)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_a_layer_with_fewer_fields_leaves_the_others_as_stored(tmp_path: Path) -> None:
    """The cadastre hands over a layer of keys and geometry alone (or without built area):
    the parcels keep their street, number, colonia, use, area, dwellings and attributes; a
    new parcel takes the defaults."""
    rows = [parcel_row(f"11-011-001-001-00{i}", observaciones="esquina") for i in range(1, 4)]
    run(write_layer(tmp_path / "predios.gpkg", rows, [lot(i) for i in range(3)]))
    keys_only = [{"clave_catastral": f"11-011-001-001-00{i}"} for i in range(1, 5)]
    summary = run(write_layer(tmp_path / "claves.gpkg", keys_only, [lot(i) for i in range(4)]))
    assert (summary.created, summary.updated, summary.unchanged) == (1, 0, 3)
    kept = Parcel.objects.get(cadastral_key="11-011-001-001-003")
    assert (kept.street, kept.number, kept.land_use, kept.built_area, kept.dwellings) == (
        "Av. Hidalgo", "12", "habitacional", Decimal("120.50"), 1,
    )  # fmt: skip
    assert kept.colonia is not None and kept.colonia.name == "Zona Centro"
    assert kept.attributes == {"observaciones": "esquina"}
    new = Parcel.objects.get(cadastral_key="11-011-001-001-004")
    assert (new.street, new.number, new.colonia, new.dwellings, new.attributes) == (
        "", "", None, 0, {},
    )  # fmt: skip
    # A column the file has is written, empty or not.
    renumbered = [{"clave_catastral": "11-011-001-001-003", "numero": ""}]
    run(write_layer(tmp_path / "numeros.gpkg", renumbered, [lot(2)]))
    kept.refresh_from_db()
    assert (kept.number, kept.street) == ("", "Av. Hidalgo")


def test_a_code_in_a_numeric_column_is_mapped_as_written(tmp_path: Path) -> None:
    """USO as an Integer column (1, 2) with a mapping of its codes '1', '2'."""
    path = tmp_path / "usos.shp"
    pyogrio.raw.write(
        path,
        geometry=np.array([shapely.to_wkb(lot(i)) for i in range(2)], dtype=object),
        field_data=[np.array(["U-1", "U-2"], dtype=object), np.array([1, 2], dtype=np.int32)],
        fields=["CVE", "USO"],
        crs="EPSG:4326",
        geometry_type="Polygon",
    )
    mapping = tmp_path / "usos.yaml"
    mapping.write_text(
        "columns:\n  CVE: clave_catastral\n  USO: uso_suelo\n"
        "values:\n  uso_suelo:\n    '1': habitacional\n    '2': comercial\n",
        encoding="utf-8",
    )
    run(path, mapping=mapping)
    uses = dict(Parcel.objects.values_list("cadastral_key", "land_use"))
    assert uses == {"U-1": "habitacional", "U-2": "comercial"}


def test_a_layer_mixing_kinds_of_geometry_takes_its_polygons(tmp_path: Path) -> None:
    """GIS exports mix kinds: a polygon inside a geometry collection is a parcel (with a
    warning); a stray line or point is rejected naming its kind, the rest imported."""
    rows = [parcel_row(f"X-{i}") for i in range(4)]
    geometries = [
        lot(0),
        shapely.GeometryCollection([lot(1), shapely.Point(LON, LAT)]),
        shapely.LineString([(LON, LAT), (LON + 20 * METRE, LAT)]),
        shapely.Point(LON, LAT),
    ]
    summary = run(write_layer(tmp_path / "mezcla.gpkg", rows, geometries))
    assert (summary.created, summary.rejected) == (2, 2)
    assert Parcel.objects.get(cadastral_key="X-1").geom.area == pytest.approx(250, rel=0.05)
    assert [(w.line, w.field) for w in summary.warnings] == [(2, "geometría")]
    reasons = {p.line: p.message for p in summary.errors}
    assert reasons == {
        3: "geometría LineString; se esperaba MultiPolygon, Polygon",
        4: "geometría Point; se esperaba MultiPolygon, Polygon",
    }


def test_values_longer_than_stored_are_rejected_naming_field(tmp_path: Path) -> None:
    rows = [
        parcel_row("L-1"),
        parcel_row("L-2", numero="KM 2.5 CARRETERA CORTAZAR-JARAL"),
        parcel_row("L-" + "9" * 40),
    ]
    summary = run(write_layer(tmp_path / "largos.gpkg", rows, [lot(i) for i in range(3)]))
    assert (summary.created, summary.rejected) == (1, 2)
    assert [(p.line, p.field, p.message) for p in summary.errors] == [
        (2, "numero", "valor de 31 caracteres; el máximo es 20"),
        (3, "clave_catastral", "valor de 42 caracteres; el máximo es 40"),
    ]


def test_a_zipped_shapefile_in_a_folder_is_read(tmp_path: Path) -> None:
    """The cadastre e-mails a .zip of a folder with the Shapefile's files."""
    shp = write_layer(tmp_path / "predios.shp", [parcel_row("Z-1")], [lot(0)])
    archive = tmp_path / "catastro.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for part in tmp_path.glob("predios.*"):
            out.write(part, f"catastro_2026/{part.name}")
    assert (run(archive).created, Parcel.objects.get().cadastral_key) == (1, "Z-1")
    with zipfile.ZipFile(archive, "a") as out:
        out.write(shp, "copia/predios.shp")
    with pytest.raises(CommandError, match=r"varias capas.*catastro_2026/predios\.shp"):
        call_command("import_parcels", str(archive))


def test_fields_named_as_other_systems_name_them_are_read_as_ours(tmp_path: Path) -> None:
    """A cadastre's CVE_CAT, NUM_OFICIAL and COL without a mapping file: read as our key, number
    and colonia, and the summary says so."""
    rows = [{"CVE_CAT": "A-1", "NOM_CALLE": "Hidalgo", "NUM_OFICIAL": "8", "COL": "Centro"}]
    summary = run(write_layer(tmp_path / "catastro.gpkg", rows, [lot(0)]))
    parcel = Parcel.objects.get(cadastral_key="A-1")
    assert (parcel.street, parcel.number, parcel.colonia is not None) == ("Hidalgo", "8", True)
    assert [w.message for w in summary.warnings] == [
        "Campos reconocidos por su nombre en otros sistemas: CVE_CAT → clave_catastral, "
        "NOM_CALLE → calle, NUM_OFICIAL → numero, COL → colonia"
    ]
