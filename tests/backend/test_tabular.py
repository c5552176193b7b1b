"""Reading billing CSV files as they arrive from billing systems."""

from pathlib import Path

import pytest

from gis_backend.imports.problems import ImportFileError
from gis_backend.imports.tabular import Mapping, read_table, write_rejects

HEADER = "Cuenta;Titular;Calle;Saldo"
ROW = "00123;José Peña Núñez;C. Hidalgo;$1,234.50"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1"])
def test_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "padron.csv"
    path.write_bytes(f"{HEADER}\n{ROW}\n".encode(encoding))
    table = read_table(path, required=("cuenta",))
    assert table.rows == [
        (
            2,
            {
                "cuenta": "00123",
                "titular": "José Peña Núñez",
                "calle": "C. Hidalgo",
                "saldo": "$1,234.50",
            },
        )
    ]
    assert table.delimiter == ";"


def test_comma_separated_with_quoted_commas(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text('CUENTA,CALLE\n1,"Hidalgo, esq. Morelos"\n', encoding="utf-8")
    assert read_table(path, required=("cuenta",)).rows == [
        (2, {"cuenta": "1", "calle": "Hidalgo, esq. Morelos"})
    ]


def test_mapping_renames_columns_and_values(tmp_path: Path) -> None:
    mapping_file = tmp_path / "mapeo.yaml"
    mapping_file.write_text(
        "columns:\n  NUM_CTA: cuenta\n  TIPO_TAR: tarifa\n"
        "values:\n  tarifa:\n    D1: domestico_popular\n",
        encoding="utf-8",
    )
    path = tmp_path / "otro.csv"
    path.write_text("NUM_CTA,TIPO_TAR,EXTRA\n9,d1,x\n", encoding="utf-8")
    table = read_table(path, required=("cuenta",), mapping=Mapping.load(mapping_file))
    assert table.rows == [(2, {"cuenta": "9", "tarifa": "domestico_popular", "extra": "x"})]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "vacío"),
        (b" \r\n\n", "vacío"),
        (b"\xef\xbb\xbf", "vacío"),  # Excel's empty CSV: a byte-order mark alone
        (b"\xef\xbb\xbf\r\n", "vacío"),
        (b"cuenta;calle\n", "solo tiene encabezado"),
        (b"calle;colonia\nHidalgo;Centro\n", "cuenta.*falta esta columna obligatoria"),
        ("cuenta\n1\n".encode("utf-16-le"), "UTF-16"),  # without its byte-order mark
        (b"PK\x03\x04\x14\x00\x06\x00", "binario"),  # a spreadsheet, not its CSV
        (b"cuenta;calle;cuenta\n1;a;2\n", "columna repetida"),
    ],
)
def test_file_level_problems(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "malo.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message) as error:
        read_table(path, required=("cuenta",))
    assert "malo.csv" in str(error.value)


def test_excel_unicode_text_reads(tmp_path: Path) -> None:
    """Excel's "Texto Unicode": UTF-16 with its byte-order mark, tab-separated."""
    path = tmp_path / "padron.txt"
    path.write_text("Cuenta\tCalle\r\n1001\tAv. Niños Héroes\r\n", encoding="utf-16")
    table = read_table(path, required=("cuenta",))
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert table.rows == [(2, {"cuenta": "1001", "calle": "Av. Niños Héroes"})]


def test_enormous_field_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "enorme.csv"
    path.write_text('cuenta,calle\n1,Hidalgo\n2,"' + "x" * 2_000_000 + '"\n', encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"enorme\.csv, línea \d+: registro ilegible"):
        read_table(path, required=("cuenta",))


def test_rejects_keep_the_layout(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(f"{HEADER}\n{ROW}\n", encoding="cp1252")
    table = read_table(path, required=("cuenta",))
    target = tmp_path / "rechazos.csv"
    write_rejects(table, [(2, table.rows[0][1], "saldo: no es un número")], target)
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == f"{HEADER};motivo_rechazo"
    assert lines[1] == f"{ROW};saldo: no es un número"
    # The rejects file reads back with the same columns.
    assert read_table(target, required=("cuenta",)).rows[0][1]["cuenta"] == "00123"
