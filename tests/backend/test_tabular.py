"""Reading billing CSV files as they arrive from billing systems."""

import csv
from pathlib import Path

import pytest

from gis_backend.imports.problems import ImportFileError, Problem
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


def test_mapping_keeps_codes_as_written(tmp_path: Path) -> None:
    """YAML 1.1 reads 01 as 1, 010 as 8 (octal) and NO as false: a mapping's codes are text."""
    mapping_file = tmp_path / "mapeo.yaml"
    mapping_file.write_text(
        "columns:\n  TIPO_SERVICIO: tarifa\n  NO. INT: numero_int\n  1: observaciones\n"
        "values:\n  tarifa:\n    01: domestico_popular\n    010: comercial\n"
        "  medidor_estado:\n    NO: sin_medidor\n    SI: con_medidor\n",
        encoding="utf-8",
    )
    path = tmp_path / "codigos.csv"
    path.write_text(
        "cuenta;TIPO_SERVICIO;No. Int;1;MEDIDOR_ESTADO\n"
        "1;01;A;x;NO\n2;010;B;y;SI\n3;1;;;no\n4;8;;;\n",
        encoding="utf-8",
    )
    table = read_table(path, required=("cuenta",), mapping=Mapping.load(mapping_file))
    rows = [row for _line, row in table.rows]
    assert [row["tarifa"] for row in rows] == ["domestico_popular", "comercial", "1", "8"]
    assert [row["medidor_estado"] for row in rows] == [
        "sin_medidor",
        "con_medidor",
        "sin_medidor",
        "",
    ]
    assert [row["numero_int"] for row in rows] == ["A", "B", "", ""]
    assert [row["observaciones"] for row in rows] == ["x", "y", "", ""]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "values:\n  tarifa:\n    01: a\n    '01': b\n",
            r"línea 4, campo «values\.tarifa\.01»: repetida",
        ),
        ("values:\n  tarifa:\n    01:\n", r"línea 3, campo «values\.tarifa\.01»: sin valor"),
        ("columns:\n  CLASE: [tarifa]\n", r"línea 2, campo «columns\.CLASE»: se esperaba un texto"),
        ("otra: 1\n", "solo las claves «columns» y «values»"),
    ],
)
def test_mapping_problems_name_their_line(tmp_path: Path, content: str, message: str) -> None:
    mapping_file = tmp_path / "mapeo.yaml"
    mapping_file.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFileError, match=message) as error:
        Mapping.load(mapping_file)
    assert str(error.value).startswith("mapeo.yaml")


def test_separator_ending_every_row_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        "cuenta;titular;calle\n00711;A;MORELOS;\n00712;B;MORELOS; \n00713;C;MORELOS;X\n",
        encoding="utf-8",
    )
    rows = read_table(path, required=("cuenta",)).rows
    assert rows[:2] == [
        (2, {"cuenta": "00711", "titular": "A", "calle": "MORELOS"}),
        (3, {"cuenta": "00712", "titular": "B", "calle": "MORELOS"}),
    ]
    # A cell past the header that is not empty still rejects its row.
    assert rows[2][1]["__shape__"] == "4 campos; el encabezado tiene 3"


def test_header_ending_in_a_separator_takes_rows_without_it(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("cuenta;titular;\n1;A\n2;B;\n", encoding="utf-8")
    assert [row for _line, row in read_table(path, required=("cuenta",)).rows] == [
        {"cuenta": "1", "titular": "A", "": ""},
        {"cuenta": "2", "titular": "B", "": ""},
    ]


def test_rejects_keep_every_cell_of_a_misshapen_row(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        "cuenta,titular,calle,numero_ext,colonia\n"
        "00801,PEREZ, JUAN,MORELOS,105,SAN JOSE\n"
        "00802,ANA,MORELOS\n",
        encoding="utf-8",
    )
    table = read_table(path, required=("cuenta",))
    target = tmp_path / "rechazos.csv"
    # As the padrón importer joins a row's problems: "field: message", no field for the row.
    rejected = [(line, row, f": {row['__shape__']}") for line, row in table.rows]
    write_rejects(table, rejected, target)
    assert target.read_text(encoding="utf-8-sig").splitlines() == [
        "cuenta,titular,calle,numero_ext,colonia,motivo_rechazo",
        "00801,PEREZ, JUAN,MORELOS,105,SAN JOSE,6 campos; el encabezado tiene 5",
        "00802,ANA,MORELOS,3 campos; el encabezado tiene 5",
    ]


def test_rejects_keep_values_as_written_before_the_mapping(tmp_path: Path) -> None:
    mapping_file = tmp_path / "mapeo.yaml"
    mapping_file.write_text("values:\n  tarifa:\n    01: domestico_popular\n", encoding="utf-8")
    path = tmp_path / "p.csv"
    path.write_text("cuenta;tarifa;saldo\n1;01;abc\n", encoding="utf-8")
    table = read_table(path, required=("cuenta",), mapping=Mapping.load(mapping_file))
    assert table.rows[0][1]["tarifa"] == "domestico_popular"
    target = tmp_path / "rechazos.csv"
    problem = Problem("p.csv", 2, "saldo", "no es un número")
    write_rejects(table, [(2, table.rows[0][1], [problem])], target)
    assert target.read_text(encoding="utf-8-sig").splitlines()[1] == (
        "1;01;abc;saldo: no es un número"
    )


QUOTE_OPEN = (
    "cuenta;titular;calle;numero_ext;colonia\n"
    '00901;"LA GUADALUPANA S.A.;MORELOS;105;SAN JOSE\n'
    "00902;B;MORELOS;107;SAN JOSE\n"
    "00903;C;MORELOS;109;SAN JOSE\n"
    '00904;"EL GÜERO" JUAN;MORELOS;111;SAN JOSE\n'
)


def test_unclosed_quote_does_not_swallow_the_next_rows(tmp_path: Path) -> None:
    path = tmp_path / "comillas.csv"
    path.write_text(QUOTE_OPEN, encoding="utf-8")
    table = read_table(path, required=("cuenta",))
    assert [(line, row["cuenta"]) for line, row in table.rows] == [
        (2, "00901"),
        (3, "00902"),
        (4, "00903"),
        (5, "00904"),
    ]
    first = table.rows[0][1]
    assert first["__shape__"].startswith("comillas sin cerrar en el campo «titular»")
    assert "línea 5" in first["__shape__"]
    assert all("__shape__" not in row for _line, row in table.rows[1:])
    # The rejects file gives the line back as written, to be fixed.
    target = tmp_path / "rechazos.csv"
    write_rejects(table, [(2, first, f": {first['__shape__']}")], target)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        back = list(csv.reader(handle, delimiter=";"))
    assert back[1][:5] == ["00901", '"LA GUADALUPANA S.A.', "MORELOS", "105", "SAN JOSE"]
    assert back[1][5].startswith("comillas sin cerrar")


def test_quote_open_at_the_end_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "comillas.csv"
    path.write_text('cuenta;titular;calle\n1;A;C\n2;"B;C\n3;D;E\n', encoding="utf-8")
    rows = read_table(path, required=("cuenta",)).rows
    assert [(line, row["cuenta"], "__shape__" in row) for line, row in rows] == [
        (2, "1", False),
        (3, "2", True),
        (4, "3", False),
    ]


def test_field_over_two_lines_is_one_record(tmp_path: Path) -> None:
    """A quoted address over two lines (Alt+Enter in Excel), even with a delimiter in it."""
    path = tmp_path / "p.csv"
    path.write_text(
        'cuenta,calle,colonia\n1,"Hidalgo 12,\r\nesq. Morelos",Centro\n\n2,Juárez,Centro\n',
        encoding="utf-8",
    )
    table = read_table(path, required=("cuenta",))
    assert table.rows == [
        (2, {"cuenta": "1", "calle": "Hidalgo 12,\r\nesq. Morelos", "colonia": "Centro"}),
        (5, {"cuenta": "2", "calle": "Juárez", "colonia": "Centro"}),
    ]


def test_a_few_lines_in_cp1252_in_a_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "mixto.csv"
    path.write_bytes(
        "cuenta;titular;colonia\r\n01301;JOSÉ PÉREZ;SAN JOSÉ\r\n".encode()
        + "01302;MUÑOZ;SAN JOSE\r\n".encode("cp1252")
        + "01303;PEÑA;CENTRO\r\n".encode()
    )
    table = read_table(path, required=("cuenta",))
    assert [row["titular"] for _line, row in table.rows] == ["JOSÉ PÉREZ", "MUÑOZ", "PEÑA"]
    assert table.rows[0][1]["colonia"] == "SAN JOSÉ"
    assert [(w.file, w.line) for w in table.warnings] == [("mixto.csv", 3)]
    assert "Windows-1252" in table.warnings[0].message


def test_stray_byte_after_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "mixto.csv"
    path.write_bytes("\ufeffcuenta;titular\n1;JOSÉ\n".encode() + "2;MUÑOZ\n".encode("cp1252"))
    table = read_table(path, required=("cuenta",))
    assert [row["titular"] for _line, row in table.rows] == ["JOSÉ", "MUÑOZ"]
    assert [w.line for w in table.warnings] == [3]


def test_files_in_one_encoding_have_no_warnings(tmp_path: Path) -> None:
    for encoding in ("utf-8", "cp1252"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(f"{HEADER}\n{ROW}\n{ROW}\n".encode(encoding))
        table = read_table(path, required=("cuenta",))
        assert (table.encoding, table.warnings) == (encoding, [])


def test_many_lines_in_another_encoding_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "mixto.csv"
    legacy = "".join(f"{n};MUÑOZ\n" for n in range(1, 1100)).encode("cp1252")
    path.write_bytes(b"cuenta;titular\n" + legacy + "2000;JOSÉ\n".encode())
    with pytest.raises(ImportFileError, match=r"mixto\.csv: mezcla codificaciones: la línea 1101"):
        read_table(path, required=("cuenta",))


def test_title_lines_above_the_header_are_skipped_and_said(tmp_path: Path) -> None:
    """A report exported as CSV: the utility's name, the title and a blank line above the
    header (as Excel writes them, with their empty cells)."""
    path = tmp_path / "reporte.csv"
    path.write_text(
        "JUMAPAC CORTAZAR;;;\r\nPADRÓN DE USUARIOS AL 31/10/2026;;;\r\n;;;\r\n"
        "Cuenta;Titular;Calle;Numero_Ext\r\n1001;ANA;HIDALGO;12\r\n",
        encoding="cp1252",
    )
    table = read_table(path, required=("cuenta",))
    assert table.rows == [
        (5, {"cuenta": "1001", "titular": "ANA", "calle": "HIDALGO", "numero_ext": "12"})
    ]
    assert [(w.line, w.message) for w in table.warnings] == [
        (4, "el encabezado está en la línea 4: se saltaron 3 renglones de título antes de él")
    ]
    # A file of one column starts with its header.
    single = tmp_path / "cuentas.csv"
    single.write_text("cuenta\n1001\n1002\n", encoding="utf-8")
    assert [row["cuenta"] for _line, row in read_table(single, required=("cuenta",)).rows] == [
        "1001",
        "1002",
    ]
