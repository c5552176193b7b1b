"""The padrón checked column by column gives every row the values and problems that checking it
alone gives: the column checks only find the rows to check alone faster, they never decide."""

import csv
import random
from pathlib import Path
from typing import Any

import pytest

from gis_backend.imports.padron_columns import VALUE_NAMES, check_file, point_ewkb
from gis_backend.imports.padron_rows import PadronChecker, PadronRow
from gis_backend.imports.tabular import read_table

HEADER = [
    "cuenta", "titular", "calle", "numero_ext", "numero_int", "colonia", "codigo_postal",
    "clave_catastral", "tarifa", "giro", "estatus", "num_viviendas", "fecha_alta",
    "medidor_serie", "medidor_marca", "medidor_diametro", "sector", "ruta", "saldo",
    "meses_adeudo", "ultimo_pago", "lat", "lon", "observaciones",
]  # fmt: skip
LONG = "X" * 1001  # longer than any field may be
LONG_NUMBER = "0" * 1000 + "1"  # a number, but longer than any field may be
# Values as billing exports write them, well and badly: spaces doubled, at the ends, tabs and
# non-breaking spaces; values longer than their column or than any field; amounts, dates,
# choices and coordinates of every kind the row checks accept or refuse.
# Each column's values as (accepted, refused).
POOLS = {
    "titular": (
        ["JOSÉ PEÑA", "JOSÉ  PEÑA", " ANA LÓPEZ", "ANA\tLÓPEZ", "ANA\u00a0LÓPEZ", ""],
        [LONG, "A" * 201],  # wider than the registry's holder name
    ),
    "calle": (["HIDALGO", "AV.  REFORMA ", "", "FCO. I. MADERO\n"], ["C. " + "MORELOS " * 30]),
    "numero_ext": (["12", "S/N", "45-B", " 7 "], ["", "1" * 21]),
    "numero_int": (["", "A", "INT 2"], []),
    "colonia": (["ZONA CENTRO", "COL.  CENTRO", ""], []),
    "codigo_postal": (["38300", ""], ["3830", "38 300", "ABCDE", "383000"]),
    "clave_catastral": (["11-011-001-001", "", " 110110010002 "], []),
    "tarifa": (["DOMÉSTICO POPULAR", "comercial", "Dom", ""], ["TARIFA X"]),
    "giro": (["", "TIENDA", "ABARROTES Y MAS", "TORTILLERIA"], ["G" * 61]),
    "estatus": (["Activo", "CORTADO", "a", ""], ["DESCONOCIDO"]),
    "num_viviendas": (["1", "2", ""], ["0", "2.5", "dos", LONG, LONG_NUMBER, "3000000000"]),
    "fecha_alta": (
        ["15/03/2009", "2012-01-31", "", "00/00/0000", "15-MAR-09", "39887"],
        ["31/02/2020", "ayer", LONG, "15-XYZ-09", "12345"],
    ),
    "medidor_serie": (["", "M-1", "M-2"], []),
    "medidor_marca": (["", "BADGER"], []),
    "medidor_diametro": (['1/2"', "3/4", "", "1 PULGADA", "13mm", "3/4 PULGADA"], ["7"]),
    "sector": (["01", "", "02", "SECTOR PONIENTE"], []),
    "ruta": (["R3", "", "RUTA 12 LECTURA MENSUAL NORTE"], []),
    "saldo": (
        ["$1,234.50", "0", "1234.5", "12,5", "1 234,50", "-0.5", "(1,234.00)"],
        ["abc", LONG, LONG_NUMBER, "12345678901.00"],
    ),
    "meses_adeudo": (["0", ""], ["-1", "1.5", LONG, LONG_NUMBER, "4611234567"]),
    "ultimo_pago": (["02/08/2026", ""], ["2026-13-01", LONG]),
    "observaciones": (["", "portón verde", "  "], []),
}
POINTS = (
    # Decimal commas too; 0, 0 is no point.
    [("20.4831", "-100.9620"), ("", ""), ("20,4831", "-100,9620"), ("0", "0"), ("0.0", "0")],
    [
        ("20.4831", ""),  # one coordinate
        ("-100.9620", "20.4831"),  # swapped
        ("19.4326", "-99.1332"),  # Mexico City: outside the service area
        ("norte", "-100.9620"),
        ("95", "200"),
    ],
)


def write_padron(path: Path, rows: int, seed: int, distinct_names: bool) -> Path:
    chance = random.Random(seed)

    def pick(pools: tuple[list, list]) -> Any:
        accepted, refused = pools
        return chance.choice(refused if refused and chance.random() < 0.01 else accepted)

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for index in range(rows):
            row = {name: pick(pool) for name, pool in POOLS.items()}
            row["cuenta"] = (
                f"{index:06d}"
                if index % 97
                else chance.choice(["", " ", LONG, "X" * 31, "TOTAL", "Gran Total"])
            )
            if distinct_names:
                row["titular"] = f"{row['titular']} {index}"
            row["lat"], row["lon"] = pick(POINTS)
            writer.writerow([row[name] for name in HEADER])
    return path


@pytest.mark.parametrize("distinct_names", [False, True])
def test_column_checks_agree_with_row_checks(tmp_path: Path, distinct_names: bool) -> None:
    path = write_padron(tmp_path / "padron.csv", 3000, seed=11, distinct_names=distinct_names)
    table = read_table(path, required=("cuenta",))

    batch = check_file(table, path.name, progress=False)

    checker = PadronChecker(path.name)
    clean_rows = 0
    zero_points = []
    for index, line in enumerate(table.lines):
        row = PadronRow(line, table.row(index))
        checker.check(row)
        if row.raw["lat"] in ("0", "0.0") and row.raw["lon"] == "0":
            zero_points.append(index)
        assert batch.problems.get(index, []) == row.problems, f"line {line}"
        expected = {name: row.values.get(name) for name in VALUE_NAMES if name != "point"}
        got = {name: batch.values[name][index] for name in expected}
        assert got == expected, f"line {line}"
        assert batch.values["point"][index] == point_ewkb(row.values.get("point")), f"line {line}"
        clean_rows += not row.problems
    assert batch.zero_points == zero_points
    # Both kinds of row are there: the comparison above is not of rejected rows only.
    assert 100 < clean_rows < len(table.lines) - 100
