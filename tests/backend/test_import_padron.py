"""Importing the padrón CSV exported by a billing system."""

import csv
import logging
import re
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from gis_backend.imports.padron import import_padron
from gis_backend.registry.models import Account, CollectionSnapshot, Meter, RegistryHistory

pytestmark = pytest.mark.django_db

HEADER = [
    "Cuenta", "Titular", "Calle", "Numero_Ext", "Colonia", "Tarifa", "Estatus", "Num_Viviendas",
    "Fecha_Alta", "Medidor_Serie", "Medidor_Diametro", "Sector", "Ruta", "Saldo", "Meses_Adeudo",
    "Ultimo_Pago", "Lat", "Lon", "Observaciones",
]  # fmt: skip
ROWS = [
    ["1001", "José Peña Núñez", "C. Hidalgo", "12", "Zona Centro", "DOMÉSTICO POPULAR", "Activo",
     "1", "15/03/2009", "M-1001", '1/2"', "01", "R3", "$1,234.50", "3", "02/08/2026",
     "20.4831", "-100.9620", "portón verde"],
    ["1002", "Ana López", "AV. REFORMA", "S/N", "Col. Centro", "comercial", "CORTADO", "1",
     "2012-01-31", "M-1002", "3/4", "01", "R3", "0", "0", "", "", "", ""],
    ["1003", "Pedro Ruiz", "Morelos", "45-B", "", "Dom", "a", "2", "", "", "", "02", "", "", "",
     "", "", "", ""],
]  # fmt: skip


def write_csv(
    path: Path, rows: list[list[str]], *, encoding: str = "cp1252", delimiter: str = ";"
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def changed(row: int, column: str, value: str) -> list[list[str]]:
    rows = [list(r) for r in ROWS]
    rows[row][HEADER.index(column)] = value
    return rows


def test_import_reads_values_as_people_write_them(tmp_path: Path) -> None:
    summary = import_padron(write_csv(tmp_path / "padron.csv", ROWS), as_of=date(2026, 10, 31))
    assert (summary.read, summary.created, summary.rejected) == (3, 3, 0)
    first = Account.objects.get(number="1001")
    assert first.tariff == "domestico_popular"
    assert first.status == "activo"
    assert first.opened_on == date(2009, 3, 15)
    assert first.holder is not None and first.holder.full_name == "José Peña Núñez"
    assert first.sector is not None and first.sector.code == "01"
    assert first.route is not None and first.route.code == "R3"
    assert first.connection_point is not None and first.connection_point.srid == 32614
    assert first.attributes == {"observaciones": "portón verde"}
    snapshot = CollectionSnapshot.objects.get(account=first)
    assert (snapshot.balance, snapshot.months_overdue) == (pytest.approx(1234.5), 3)
    assert snapshot.last_payment_on == date(2026, 8, 2)
    assert Meter.objects.get(serial="M-1001").diameter == "1/2"
    second = Account.objects.get(number="1002")
    assert (second.status, second.tariff, second.billing_ext_number) == (
        "suspendido",
        "comercial",
        "S/N",
    )
    third = Account.objects.get(number="1003")
    assert (third.tariff, third.dwellings, third.metered) == ("domestico", 2, False)


def test_progress_names_each_phase_and_ends_with_all_done(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a terminal the command shows the phase running and how many are done (tqdm redraws
    the line; the last drawing says all are); off unless asked."""
    import_padron(write_csv(tmp_path / "padron.csv", ROWS), progress=True)
    err = capsys.readouterr().err
    for phase in ("lectura", "revisión", "preparación", "escritura", "índices y llaves"):
        assert phase in err, phase
    done, total = map(int, re.findall(r"(\d+)/(\d+)", err)[-1])
    assert done == total > 5
    import_padron(write_csv(tmp_path / "padron.csv", ROWS))
    assert "Importando" not in capsys.readouterr().err


def test_reimport_is_idempotent_and_changes_update_in_place(tmp_path: Path) -> None:
    import_padron(write_csv(tmp_path / "a.csv", ROWS), as_of=date(2026, 10, 31))
    history = RegistryHistory.objects.count()
    again = import_padron(write_csv(tmp_path / "b.csv", ROWS), as_of=date(2026, 10, 31))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert RegistryHistory.objects.count() == history

    update = import_padron(
        write_csv(tmp_path / "c.csv", changed(1, "Estatus", "Activo")), as_of=date(2026, 10, 31)
    )
    assert (update.created, update.updated, update.unchanged) == (0, 1, 2)
    assert Account.objects.get(number="1002").status == "activo"
    assert Account.objects.count() == 3


def test_next_month_s_balances_are_new_facts_not_changes_and_a_correction_is_a_change(
    tmp_path: Path,
) -> None:
    """The same file a month later: its balances at the new cut-off are counted apart (two of
    the three rows carry one); no account changed. The same cut-off again with one balance
    corrected: that account changed."""
    import_padron(write_csv(tmp_path / "a.csv", ROWS), as_of=date(2026, 10, 31))
    month = import_padron(write_csv(tmp_path / "b.csv", ROWS), as_of=date(2026, 11, 30))
    assert (month.created, month.updated, month.unchanged) == (0, 0, 3)
    assert month.new_balances == 2
    assert "Saldos nuevos al corte 30/11/2026: 2" in month.lines()
    assert CollectionSnapshot.objects.filter(as_of=date(2026, 11, 30)).count() == 2

    corrected = import_padron(
        write_csv(tmp_path / "c.csv", changed(0, "Saldo", "$1,000.00")), as_of=date(2026, 11, 30)
    )
    assert (corrected.updated, corrected.unchanged, corrected.new_balances) == (1, 2, 0)
    assert not any("Saldos nuevos" in line for line in corrected.lines())
    balance = CollectionSnapshot.objects.get(account__number="1001", as_of=date(2026, 11, 30))
    assert balance.balance == Decimal("1000.00")


def test_new_meter_serial_retires_the_old_one(tmp_path: Path) -> None:
    import_padron(write_csv(tmp_path / "a.csv", ROWS))
    import_padron(write_csv(tmp_path / "b.csv", changed(0, "Medidor_Serie", "M-NEW")))
    states = dict(Meter.objects.filter(account__number="1001").values_list("serial", "state"))
    assert states == {"M-1001": "retirado", "M-NEW": "funcionando"}


def test_duplicate_account_lines_are_rejected_with_all_lines(tmp_path: Path) -> None:
    rows = [*ROWS, changed(0, "Titular", "Otra Persona")[0]]
    summary = import_padron(write_csv(tmp_path / "dup.csv", rows))
    assert summary.rejected == 2
    assert all("cuenta «1001» repetida en las líneas 2, 5" in str(p) for p in summary.errors)
    assert not Account.objects.filter(number="1001").exists()
    rejects = Path(summary.rejects_path).read_text(encoding="utf-8-sig").splitlines()
    assert rejects[0] == ";".join(HEADER) + ";motivo_rechazo"
    assert len(rejects) == 3


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("Saldo", "mucho", "«mucho» no es un número"),
        ("Fecha_Alta", "31/02/2024", "no es una fecha"),
        ("Tarifa", "Especial X", "no es una tarifa conocida"),
        ("Estatus", "perdido", "no es un estatus conocido"),
        ("Num_Viviendas", "0", "menor que 1"),
        ("Lat", "-100.9620", "invertidas"),
        ("Lat", "19.43", "fuera del área de servicio"),
        ("Lon", "100.9620", "«100.9620» sin el signo menos: la longitud es -100.9620"),
        ("Titular", "x" * 3000, "3000 caracteres"),
    ],
)
def test_bad_values_reject_the_row_naming_line_and_field(
    tmp_path: Path, column: str, value: str, message: str
) -> None:
    rows = changed(0, column, value)
    if column == "Lat" and value.startswith("-"):
        rows[0][HEADER.index("Lon")] = "20.4831"
    summary = import_padron(write_csv(tmp_path / "malo.csv", rows))
    assert summary.rejected == 1 and summary.created == 2
    problem = str(summary.errors[0])
    assert problem.startswith("malo.csv, línea 2, campo «")
    assert column.lower() in problem and message in problem


def test_meter_on_two_accounts_is_imported_unassigned_with_warning(tmp_path: Path) -> None:
    summary = import_padron(write_csv(tmp_path / "m.csv", changed(1, "Medidor_Serie", "M-1001")))
    assert summary.created == 3 and summary.rejected == 0
    assert not Meter.objects.filter(serial="M-1001").exists()
    assert Account.objects.get(number="1002").attributes["medidor_en_conflicto"] == "M-1001"
    assert any("en varias cuentas (líneas 2, 3)" in str(w) for w in summary.warnings)


def test_mapping_file_and_utf8_comma_file(tmp_path: Path) -> None:
    mapping = tmp_path / "sistema_x.yaml"
    mapping.write_text(
        "columns:\n  NUM_CONTRATO: cuenta\n  CLASE: tarifa\n"
        "values:\n  tarifa:\n    '01': domestico_medio\n",
        encoding="utf-8",
    )
    path = tmp_path / "x.csv"
    path.write_text("NUM_CONTRATO,CLASE,CALLE\n555,01,Allende 3\n", encoding="utf-8-sig")
    summary = import_padron(path, mapping=mapping)
    assert summary.created == 1
    assert Account.objects.get(number="555").tariff == "domestico_medio"


def test_headers_as_people_write_them(tmp_path: Path) -> None:
    # Accents, spaces and punctuation in a billing system's headers; a mapping written the same
    # way. Unknown columns are kept under the same kind of name.
    mapping = tmp_path / "sistema_y.yaml"
    mapping.write_text("columns:\n  'No. Contrato': Cuenta\n", encoding="utf-8")
    path = tmp_path / "y.csv"
    path.write_text(
        "No. Contrato;Número Ext.;CALLE;Clave Catastral;Medidor-Serie;Fecha de Lectura\n"
        "777;15-A;Juárez;11-011-002-003-004;MX-77;01/10/2026\n",
        encoding="cp1252",
    )
    summary = import_padron(path, mapping=mapping)
    assert (summary.created, summary.rejected) == (1, 0)
    account = Account.objects.get(number="777")
    assert (account.billing_ext_number, account.billing_cadastral_key) == (
        "15-A",
        "11-011-002-003-004",
    )
    assert Meter.objects.get(serial="MX-77").account == account
    assert account.attributes == {"fecha_de_lectura": "01/10/2026"}


def test_dry_run_and_file_errors_write_nothing(tmp_path: Path) -> None:
    summary = import_padron(write_csv(tmp_path / "p.csv", ROWS), dry_run=True)
    assert summary.created == 3
    assert Account.objects.count() == 0
    header_only = tmp_path / "solo.csv"
    header_only.write_text("cuenta;titular\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"solo.csv.*solo tiene encabezado"):
        call_command("import_padron", str(header_only))


def test_personal_data_never_reaches_output_or_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rows = [*ROWS, changed(0, "Cuenta", "1001")[0]]  # a duplicate: rows are reported
    out, err = StringIO(), StringIO()
    with caplog.at_level(logging.DEBUG):
        call_command(
            "import_padron", str(write_csv(tmp_path / "p.csv", rows)), stdout=out, stderr=err
        )
    printed = out.getvalue() + err.getvalue() + caplog.text
    assert "línea 2" in printed
    for name in ("José Peña Núñez", "Ana López", "Pedro Ruiz"):
        assert name not in printed


def test_coordinates_with_a_decimal_comma_are_degrees(tmp_path: Path) -> None:
    """A semicolon-separated padrón from a Spanish-language spreadsheet writes '20,4831' and
    '-100,962': three decimals after the comma are decimals, not thousands."""
    rows = changed(0, "Lat", "20,4831")
    rows[0][HEADER.index("Lon")] = "-100,962"
    summary = import_padron(write_csv(tmp_path / "padron.csv", rows), as_of=date(2026, 10, 31))
    assert summary.rejected == 0
    point = Account.objects.get(number="1001").connection_point
    assert point is not None
    point.transform(4326)
    assert (round(point.y, 4), round(point.x, 3)) == (20.4831, -100.962)


@pytest.mark.parametrize("placeholder", ["S/N", "0", "000000", "sin medidor"])
def test_a_placeholder_serial_is_no_meter(tmp_path: Path, placeholder: str) -> None:
    """Billing systems write 'S/N' or '0' as the serial of an account without a meter: not a
    meter shared by every such account."""
    rows = changed(0, "Medidor_Serie", placeholder)
    rows[1][HEADER.index("Medidor_Serie")] = placeholder
    summary = import_padron(write_csv(tmp_path / "m.csv", rows))
    assert (summary.created, summary.rejected) == (3, 0)
    assert not [w for w in summary.warnings if w.field == "medidor_serie"]
    assert not Meter.objects.exists()
    assert not Account.objects.filter(metered=True).exists()


def test_a_fixed_rejects_file_imports_as_it_is(tmp_path: Path) -> None:
    """The user fixes the rejected row in the rejects file and imports that file: its reason
    column is neither an attribute of the account nor a column the summary calls unknown."""
    summary = import_padron(write_csv(tmp_path / "padron.csv", changed(0, "Saldo", "mucho")))
    assert summary.rejected == 1
    rejects = Path(summary.rejects_path)
    fixed = rejects.read_text(encoding="utf-8-sig").replace(";mucho;", ";150.00;")
    rejects.write_text(fixed, encoding="utf-8")
    again = import_padron(rejects)
    assert (again.created, again.rejected) == (1, 0)
    account = Account.objects.get(number="1001")
    assert account.attributes == {"observaciones": "portón verde"}
    assert not [w for w in again.warnings if "motivo_rechazo" in str(w)]


def test_routes_without_sectors_are_named_in_a_warning(tmp_path: Path) -> None:
    """A reading route belongs to a sector: a file with «ruta» and no «sector» says so."""
    path = tmp_path / "rutas.csv"
    path.write_text("cuenta;calle;numero_ext;ruta\nR001;HIDALGO;105;R12\n", encoding="utf-8")
    summary = import_padron(path)
    assert summary.created == 1
    assert [w.field for w in summary.warnings] == ["ruta"]
    assert "agregue la columna «sector»" in str(summary.warnings[0])
