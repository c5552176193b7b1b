"""Importing padrones as billing systems and spreadsheets really export them: files with only
some columns, other systems' column names, values wider than the registry's columns,
placeholder coordinates and dates, totals rows, accounting negatives and meter sizes in mm."""

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from gis_backend.imports.padron import import_padron
from gis_backend.imports.padron_rows import DIAMETERS, UNKNOWN_DIAMETER, parse_choice
from gis_backend.imports.values import ValueProblem, parse_date, parse_decimal
from gis_backend.registry.models import Account, CollectionSnapshot, Meter

pytestmark = pytest.mark.django_db

CUT_OFF = date(2026, 10, 31)
FULL_HEADER = [
    "cuenta", "titular", "calle", "numero_ext", "numero_int", "colonia", "codigo_postal",
    "tarifa", "giro", "estatus", "num_viviendas", "fecha_alta", "medidor_serie",
    "medidor_marca", "medidor_diametro", "sector", "ruta", "saldo", "meses_adeudo",
    "ultimo_pago", "lat", "lon", "observaciones",
]  # fmt: skip
FULL_ROW = [
    "00301", "María Pérez", "Hidalgo", "12", "A", "Centro", "38300", "comercial", "TIENDA",
    "activo", "2", "15/03/2009", "M-301", "BADGER", "3/4", "S01", "R01", "100.00", "1",
    "01/09/2026", "20.4831", "-100.9620", "portón verde",
]  # fmt: skip


def write(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ";") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def account_state(number: str) -> dict[str, object]:
    account = Account.objects.select_related("holder", "sector", "route").get(number=number)
    meter = Meter.objects.get(account=account)
    return {
        "holder": account.holder and account.holder.full_name,
        "tariff": account.tariff,
        "giro": account.giro,
        "status": account.status,
        "dwellings": account.dwellings,
        "opened_on": account.opened_on,
        "street": (account.billing_street, account.billing_ext_number),
        "interior": account.billing_int_number,
        "colonia": account.billing_colonia,
        "postal_code": account.billing_postal_code,
        "sector": account.sector and account.sector.code,
        "route": account.route and account.route.code,
        "point": account.connection_point and account.connection_point.wkt,
        "attributes": account.attributes,
        "metered": account.metered,
        "meter": (meter.serial, meter.brand, meter.diameter, meter.state),
    }


# 1. A file with some of the columns --------------------------------------------------------


def test_a_balances_only_file_updates_the_balance_and_leaves_the_rest_alone(
    tmp_path: Path,
) -> None:
    import_padron(write(tmp_path / "padron.csv", FULL_HEADER, [FULL_ROW]), as_of=CUT_OFF)
    before = account_state("00301")
    assert before["tariff"] == "comercial" and before["point"] and before["route"] == "R01"

    summary = import_padron(
        write(
            tmp_path / "saldos.csv", ["cuenta", "saldo", "meses_adeudo"], [["00301", "250.00", "2"]]
        ),
        as_of=CUT_OFF,
    )

    assert (summary.created, summary.updated, summary.rejected) == (0, 1, 0)
    assert account_state("00301") == before
    snapshot = CollectionSnapshot.objects.get(account__number="00301", as_of=CUT_OFF)
    assert (snapshot.balance, snapshot.months_overdue) == (Decimal("250.00"), 2)
    # The file has no último pago: the one stored for this cut-off stays.
    assert snapshot.last_payment_on == date(2026, 9, 1)


def test_a_new_account_from_a_file_with_some_columns_takes_the_defaults(tmp_path: Path) -> None:
    import_padron(write(tmp_path / "saldos.csv", ["cuenta", "saldo"], [["00302", "80"]]))
    account = Account.objects.get(number="00302")
    assert (account.tariff, account.status, account.dwellings, account.giro) == (
        "domestico",
        "activo",
        1,
        "",
    )
    assert account.holder is None and account.connection_point is None
    assert account.attributes == {}


def test_a_file_without_meter_sizes_leaves_the_meter_s_alone(tmp_path: Path) -> None:
    import_padron(write(tmp_path / "padron.csv", FULL_HEADER, [FULL_ROW]), as_of=CUT_OFF)
    import_padron(
        write(tmp_path / "medidores.csv", ["cuenta", "medidor_serie"], [["00301", "M-301"]]),
        as_of=CUT_OFF,
    )
    meter = Meter.objects.get(serial="M-301")
    assert (meter.brand, meter.diameter) == ("BADGER", "3/4")


def test_a_file_s_own_unknown_columns_replace_those_attributes_only(tmp_path: Path) -> None:
    import_padron(write(tmp_path / "padron.csv", FULL_HEADER, [FULL_ROW]), as_of=CUT_OFF)
    import_padron(
        write(tmp_path / "notas.csv", ["cuenta", "lecturista"], [["00301", "Juan"]]), as_of=CUT_OFF
    )
    assert Account.objects.get(number="00301").attributes == {
        "observaciones": "portón verde",
        "lecturista": "Juan",
    }
    import_padron(
        write(tmp_path / "notas.csv", ["cuenta", "observaciones"], [["00301", ""]]), as_of=CUT_OFF
    )
    assert Account.objects.get(number="00301").attributes == {"lecturista": "Juan"}


def test_routes_without_sectors_are_those_of_the_accounts_sectors(tmp_path: Path) -> None:
    import_padron(write(tmp_path / "padron.csv", FULL_HEADER, [FULL_ROW]), as_of=CUT_OFF)
    import_padron(
        write(tmp_path / "rutas.csv", ["cuenta", "ruta"], [["00301", "R02"]]), as_of=CUT_OFF
    )
    account = Account.objects.select_related("sector", "route__sector").get(number="00301")
    assert account.sector is not None and account.sector.code == "S01"
    assert account.route is not None and account.route.code == "R02"
    assert account.route.sector == account.sector


# 2. Other systems' column names -----------------------------------------------------------


def test_other_systems_column_names_are_read_as_ours_and_unknown_ones_are_named(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "otro.csv",
        ["CONTRATO", "NOMBRE", "DOMICILIO", "NUM_EXT", "NO. INT", "COLONIA", "C.P.", "LATITUD",
         "LONGITUD", "SALDO", "OBSERVACIONES"],
        [["00601", "Ana Ruiz", "Morelos", "105", "B", "San José", "38300", "20.4802",
          "-100.9558", "10", "reja"]],
    )  # fmt: skip
    summary = import_padron(path)
    assert (summary.created, summary.rejected) == (1, 0)
    account = Account.objects.select_related("holder").get(number="00601")
    assert account.holder is not None and account.holder.full_name == "Ana Ruiz"
    assert (account.billing_street, account.billing_ext_number, account.billing_int_number) == (
        "Morelos",
        "105",
        "B",
    )
    assert account.billing_postal_code == "38300"
    assert account.connection_point is not None
    assert account.attributes == {"observaciones": "reja"}
    warnings = [str(w) for w in summary.warnings]
    assert (
        "otro.csv, línea 1: Columnas no reconocidas (se guardan como atributos de la cuenta): "
        "OBSERVACIONES" in warnings
    )
    assert any("NOMBRE → titular" in w and "C.P. → codigo_postal" in w for w in warnings)


@pytest.mark.parametrize(
    ("header", "row", "holder", "attributes"),
    [
        # Our own name wins; the other is kept as an attribute.
        (["cuenta", "titular", "nombre"], ["1", "Ana", "Beto"], "Ana", {"nombre": "Beto"}),
        # Two names for the same column: neither is guessed.
        (["cuenta", "nombre", "usuario"], ["1", "Ana", "Beto"], None,
         {"nombre": "Ana", "usuario": "Beto"}),
    ],
)  # fmt: skip
def test_an_alias_never_overrides_nor_guesses_between_columns(
    tmp_path: Path, header: list[str], row: list[str], holder: str | None, attributes: dict
) -> None:
    summary = import_padron(write(tmp_path / "p.csv", header, [row]))
    account = Account.objects.select_related("holder").get(number="1")
    assert (account.holder and account.holder.full_name) == holder
    assert account.attributes == attributes
    assert any("Columnas no reconocidas" in str(w) for w in summary.warnings)


def test_a_file_with_only_known_columns_has_no_unknown_columns_warning(tmp_path: Path) -> None:
    summary = import_padron(write(tmp_path / "p.csv", FULL_HEADER[:-1], [FULL_ROW[:-1]]))
    assert not any("no reconocidas" in str(w) for w in summary.warnings)


# 3 and 4. Values wider than the registry's columns ----------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("titular", "JUAN Y/O MARÍA " * 16 + "PÉREZ", "valor de 245 caracteres; el máximo es 200"),
        ("cuenta", "1101-0000-0000-0000-0000-0000-01", "valor de 32 caracteres; el máximo es 30"),
        ("calle", "C" * 151, "valor de 151 caracteres; el máximo es 150"),
        ("numero_ext", "1" * 21, "valor de 21 caracteres; el máximo es 20"),
        ("medidor_serie", "M" * 41, "valor de 41 caracteres; el máximo es 40"),
        ("meses_adeudo", "4611234567", "«4611234567» es mayor que 71582788"),
        ("num_viviendas", "3000000000", "«3000000000» es mayor que 2147483647"),
        ("saldo", "12345678901.00", "«12345678901.00» es mayor que 9999999999.99"),
        ("saldo", "-10000000000", "«-10000000000» es menor que -9999999999.99"),
    ],
    ids=lambda value: value if len(value) < 20 else f"{len(value)} caracteres",
)
def test_values_wider_than_the_registry_reject_their_row_naming_the_field(
    tmp_path: Path, column: str, value: str, message: str
) -> None:
    rows = [list(FULL_ROW), [*FULL_ROW[:1], *FULL_ROW[1:]]]
    rows[1][0] = "00302"
    rows[1][FULL_HEADER.index("medidor_serie")] = "M-302"
    rows[0][FULL_HEADER.index(column)] = value
    summary = import_padron(write(tmp_path / "ancho.csv", FULL_HEADER, rows))
    assert (summary.created, summary.rejected) == (1, 1)
    assert [str(p) for p in summary.errors] == [f"ancho.csv, línea 2, campo «{column}»: {message}"]
    with Path(summary.rejects_path).open(encoding="utf-8-sig", newline="") as handle:
        rejected = list(csv.reader(handle, delimiter=";"))
    assert len(rejected) == 2
    assert (rejected[1][0], rejected[1][-1]) == (rows[0][0], f"{column}: {message}")
    assert Account.objects.get().number == "00302"


def test_business_names_and_route_and_sector_names_are_kept_whole(tmp_path: Path) -> None:
    row = list(FULL_ROW)
    row[FULL_HEADER.index("giro")] = "TORTILLERIA"
    row[FULL_HEADER.index("ruta")] = "RUTA 12 LECTURA MENSUAL NORTE"
    row[FULL_HEADER.index("sector")] = "SECTOR PONIENTE ZONA INDUSTRIAL"
    summary = import_padron(write(tmp_path / "p.csv", FULL_HEADER, [row]))
    assert summary.rejected == 0
    account = Account.objects.select_related("sector", "route").get()
    assert account.giro == "TORTILLERIA"
    assert account.route is not None and account.route.code == "RUTA 12 LECTURA MENSUAL NORTE"
    assert account.sector is not None and account.sector.code == "SECTOR PONIENTE ZONA INDUSTRIAL"


# 5. Coordinates 0, 0 ------------------------------------------------------------------------


def test_coordinates_zero_zero_are_no_point_counted_in_the_summary(tmp_path: Path) -> None:
    header = ["cuenta", "lat", "lon"]
    rows = [
        ["1", "0", "0"],
        ["2", "0.000000", "0.000000"],
        ["3", "", ""],
        ["4", "20.48", "-100.96"],
    ]
    summary = import_padron(write(tmp_path / "ceros.csv", header, rows))
    assert (summary.created, summary.rejected) == (4, 0)
    assert list(
        Account.objects.filter(connection_point__isnull=True).values_list("number", flat=True)
    ) == ["1", "2", "3"]
    assert [str(w) for w in summary.warnings] == [
        "ceros.csv, campo «lat»: 2 cuentas con coordenadas 0,0: se importaron sin punto"
    ]


# 6. A spreadsheet's totals row -------------------------------------------------------------


@pytest.mark.parametrize("label", ["TOTAL", "Totales", "suma", "GRAN TOTAL", "Total:", "TÓTAL"])
def test_a_totals_row_is_rejected_not_an_account(tmp_path: Path, label: str) -> None:
    rows = [["00201", "500.00"], ["00202", "740.50"], [label, "1240.50"]]
    summary = import_padron(write(tmp_path / "excel.csv", ["cuenta", "saldo"], rows))
    assert (summary.created, summary.rejected) == (2, 1)
    assert [str(p) for p in summary.errors] == [
        "excel.csv, línea 4, campo «cuenta»: renglón de totales, no es una cuenta"
    ]
    assert not Account.objects.filter(number=label).exists()


def test_an_account_number_with_total_in_it_is_an_account(tmp_path: Path) -> None:
    summary = import_padron(write(tmp_path / "p.csv", ["cuenta"], [["TOTAL-1"], ["SUMA2"]]))
    assert (summary.created, summary.rejected) == (2, 0)


# 7. Values in the formats spreadsheets and other systems write ------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("00/00/0000", None),
        ("0000-00-00", None),
        ("00/00/0000 00:00:00", None),
        ("15-MAR-09", date(2009, 3, 15)),
        ("15-mar-2009", date(2009, 3, 15)),
        ("01-ENE-10", date(2010, 1, 1)),
        ("5-AGO-99", date(1999, 8, 5)),
        ("12-Dic-2020", date(2020, 12, 12)),
        ("12-DEC-2020", date(2020, 12, 12)),
        ("30-SET-15", date(2015, 9, 30)),
        ("1-OCT-2015", date(2015, 10, 1)),
        ("2009-03-15T10:30:00", date(2009, 3, 15)),
        ("39887", date(2009, 3, 15)),
        ("39887.5", date(2009, 3, 15)),
        ("18264", date(1950, 1, 1)),
        ("73415", date(2100, 12, 31)),
        ("15/03/2009", date(2009, 3, 15)),
    ],
)
def test_dates_as_other_systems_write_them(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31-FEB-09", "15-XYZ-09", "18263", "73416", "00/00/2009"])
def test_what_is_still_not_a_date(text: str) -> None:
    with pytest.raises(ValueProblem, match="no es una fecha"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(1,234.00)", Decimal("-1234.00")),
        ("($1,234.00)", Decimal("-1234.00")),
        ("$(1,234.00)", Decimal("-1234.00")),
        ("(500)", Decimal("-500")),
        ("-$1,234.00", Decimal("-1234.00")),
    ],
)
def test_accounting_negatives(text: str, expected: Decimal) -> None:
    assert parse_decimal(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13mm", "1/2"),
        ("13 mm", "1/2"),
        ("13 MM.", "1/2"),
        ("19mm", "3/4"),
        ("25mm", "1"),
        ("38 milímetros", "1 1/2"),
        ("3/4 PULGADA", "3/4"),
        ('3/4"', "3/4"),
        ("1/2 PULG", "1/2"),
        ("1/2 pulg.", "1/2"),
        ("1 PULGADA", "1"),
        ('1 1/2"', "1 1/2"),
        ("2 PULGADAS", "2"),
    ],
)
def test_meter_diameters_in_mm_and_inches(text: str, expected: str) -> None:
    assert parse_choice(text, DIAMETERS, UNKNOWN_DIAMETER) == expected


@pytest.mark.parametrize("text", ["7 mm", "PULGADA", "MM"])
def test_what_is_still_not_a_diameter(text: str) -> None:
    with pytest.raises(ValueProblem, match="no es un diámetro conocido"):
        parse_choice(text, DIAMETERS, UNKNOWN_DIAMETER)


def test_a_spreadsheet_export_imports_every_account(tmp_path: Path) -> None:
    """The formats above in one file, as a spreadsheet saved as CSV writes them."""
    header = ["Cuenta", "Fecha Alta", "Saldo", "Medidor Serie", "Medidor Diámetro"]
    rows = [
        ["00201", "15-MAR-09", "(1,234.00)", "A1", "13mm"],
        ["00202", "00/00/0000", "$ 500.00", "A2", "3/4 PULGADA"],
        ["00203", "39887", "1,234,567.89", "A3", '1/2"'],
        ["TOTAL", "", "$1,234,833.89", "", ""],
    ]
    summary = import_padron(write(tmp_path / "excel.csv", header, rows, ","), as_of=CUT_OFF)
    assert (summary.created, summary.rejected) == (3, 1)
    opened = dict(Account.objects.values_list("number", "opened_on"))
    assert opened == {"00201": date(2009, 3, 15), "00202": None, "00203": date(2009, 3, 15)}
    balances = dict(CollectionSnapshot.objects.values_list("account__number", "balance"))
    assert balances["00201"] == Decimal("-1234.00")
    assert dict(Meter.objects.values_list("serial", "diameter")) == {
        "A1": "1/2",
        "A2": "3/4",
        "A3": "1/2",
    }
