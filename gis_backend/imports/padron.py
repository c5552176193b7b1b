"""The padrón as a billing system exports it (CSV), keyed by account number.

One file row gives an account, its holder, its meter, its sector and route, and its balance at
the cut-off date. Everything is written in one transaction; rows with problems go to a rejects
file in the file's own layout. A file may have only some of the columns (a month's balances:
``cuenta;saldo;meses_adeudo``): what it lacks is left as the registry has it, and a new account
takes the defaults. Columns named as other billing systems name ours (``NOMBRE``, ``CP``) are
read as ours where that is unambiguous; the summary names them, and the columns kept as
attributes.

The file is checked column by column (``padron_columns``; rows that break a rule are checked
again one by one to name their problems, ``padron_rows``), staged with one COPY and applied
with set-based SQL, so a million rows take about as long as PostgreSQL needs to write them."""

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gis_backend.core.progress import Phases
from gis_backend.imports import naming
from gis_backend.imports.bulk import first_load
from gis_backend.imports.columns import aliased, gc_paused
from gis_backend.imports.engine import COPY_ESCAPES, COPY_NULL, copy_cells, text_cells
from gis_backend.imports.padron_columns import PadronBatch, check_file
from gis_backend.imports.padron_rows import ALIASES, KNOWN, NOT_ATTRIBUTES
from gis_backend.imports.padron_sql import (
    COUNT_UPDATED,
    CREATE_ACCOUNTS,
    SECTORS_OF_EXISTING,
    TAKEN_METERS,
    TEMP_TABLES,
    padron_sql,
)
from gis_backend.imports.problems import MISSING_COLUMN, ImportFileError, Problem, Summary
from gis_backend.imports.tabular import Mapping, Table, map_values, read_table, write_rejects
from gis_backend.linking.linker import prepare_accounts
from gis_backend.linking.workspace import wait_for_linking


def reject_duplicates(batch: PadronBatch, file: str) -> None:
    """Account numbers on several lines: every one of those lines is rejected."""
    numbers = batch.values["number"]
    repeated = {number for number, count in Counter(numbers).items() if count > 1 and number}
    if not repeated:
        return
    groups: dict[str, list[int]] = {}
    for index, number in enumerate(numbers):
        if number in repeated:
            groups.setdefault(number, []).append(index)
    for number, group in groups.items():
        lines = ", ".join(str(batch.lines[index]) for index in group)
        message = _("cuenta «%(number)s» repetida en las líneas %(lines)s") % {
            "number": number,
            "lines": lines,
        }
        for index in group:
            batch.add_problem(index, Problem(file, batch.lines[index], "cuenta", message))


def import_padron(
    path: Path,
    *,
    mapping: Path | None = None,
    as_of: date | None = None,
    dry_run: bool = False,
    rejects: Path | None = None,
    progress: bool = False,
) -> Summary:
    with gc_paused():
        return import_padron_rows(path, mapping, as_of, dry_run, rejects, progress)


def import_padron_rows(
    path: Path,
    mapping: Path | None,
    as_of: date | None,
    dry_run: bool,
    rejects: Path | None,
    progress: bool,
) -> Summary:
    # Reading, checking, staging, each statement of padron_sql, indexes and keys; the addresses
    # parsed for the linker, unless nothing is written.
    total = 4 + len(padron_sql(KNOWN)) + (0 if dry_run else 1)
    with Phases(_("Importando el padrón"), total, progress) as phases:
        phases.start(_("lectura"))
        table, notes = read_padron(path, Mapping.load(mapping) if mapping else Mapping())
        phases.done()
        phases.start(_("revisión"))
        file = path.name
        batch = check_file(table, file, progress)
        reject_duplicates(batch, file)
        phases.done()
        return apply_padron(table, batch, as_of, dry_run, rejects, phases, notes)


def read_padron(path: Path, mapping: Mapping) -> tuple[Table, list[Problem]]:
    """The file, its columns named as ours where another system's name for one is unambiguous
    (``alias_columns``), and what the summary says of its header: the columns read by such a
    name and those kept as attributes."""
    table = read_table(path, required=(), mapping=mapping)
    aliased = alias_columns(table, mapping)
    if "cuenta" not in table.columns:
        raise ImportFileError([Problem(path.name, 1, "cuenta", str(MISSING_COLUMN))])
    notes = list(table.warnings)  # lines read in another encoding
    if aliased:
        notes.append(
            Problem(
                path.name,
                1,
                "",
                _("Columnas reconocidas por su nombre en otros sistemas: %(columns)s")
                % {"columns": ", ".join(f"{header} → {ours}" for header, ours in aliased)},
            )
        )
    unknown = unknown_columns(table)
    if unknown:
        notes.append(
            Problem(
                path.name,
                1,
                "",
                _("Columnas no reconocidas (se guardan como atributos de la cuenta): %(columns)s")
                % {"columns": ", ".join(unknown)},
            )
        )
    if "ruta" in table.columns and "sector" not in table.columns:
        # A reading route belongs to a sector (registry.ReadingRoute): without the column, only
        # the accounts whose sector the registry already has get theirs.
        notes.append(
            Problem(
                path.name,
                1,
                "ruta",
                _(
                    "el archivo tiene «ruta» y no «sector»: la ruta se guarda solo en las cuentas "
                    "que ya tienen sector; agregue la columna «sector» para las demás"
                ),
            )
        )
    return table, notes


def alias_columns(table: Table, mapping: Mapping) -> list[tuple[str, str]]:
    """Rename the file's columns named as other billing systems name ours (``ALIASES``): one
    whose column the file has under our name (or under another alias) is left as it is, kept
    with the account's attributes. The mapping's values for those columns are applied then.
    Returns (header as written, our column) of each column renamed."""
    ours_of = aliased(table.columns, ALIASES)
    renamed = [
        (header, ours_of[name])
        for header, name in zip(table.header, table.columns, strict=True)
        if name in ours_of
    ]
    columns = [ours_of.get(name, name) for name in table.columns]
    table.columns = columns
    values = {ours: mapping.values[ours] for _header, ours in renamed if ours in mapping.values}
    if values:
        map_values(table.records, columns, Mapping(values=values))
    return renamed


def unknown_columns(table: Table) -> list[str]:
    """The file's columns the importer does not know, as its header writes them (one without a
    name only when some row has a value in it)."""
    names = []
    for position, (header, name) in enumerate(zip(table.header, table.columns, strict=True)):
        if name in NOT_ATTRIBUTES:
            continue
        if header:
            names.append(header)
        elif any(len(record) > position and record[position].strip() for record in table.records):
            names.append(_("columna %(position)s sin nombre") % {"position": position + 1})
    return names


def apply_padron(
    table: Table,
    batch: PadronBatch,
    as_of: date | None,
    dry_run: bool,
    rejects: Path | None,
    phases: Phases,
    notes: list[Problem] | None = None,
) -> Summary:
    """Write the good rows of a checked file (unless ``dry_run``) and the rejects file;
    ``notes`` open the summary's warnings."""
    path, file = table.path, table.path.name
    summary = Summary(read=len(batch), dry_run=dry_run, warnings=list(notes or []))
    meter_conflicts(batch, file, summary)
    good = batch.good()
    without_point = sum(1 for index in batch.zero_points if index not in batch.problems)
    if without_point:
        summary.warnings.append(
            Problem(
                file,
                None,
                "lat",
                ngettext(
                    "%(count)s cuenta con coordenadas 0,0: se importó sin punto",
                    "%(count)s cuentas con coordenadas 0,0: se importaron sin punto",
                    without_point,
                )
                % {"count": without_point},
            )
        )
    bad = sorted(batch.problems)
    summary.rejected = len(bad)
    summary.errors = [p for index in bad for p in batch.problems[index]]
    with transaction.atomic():
        wait_for_linking()
        if good:
            cut_off = as_of or date.today()
            created, updated, new_balances, taken = write_accounts(
                batch, good, cut_off, file, phases
            )
            summary.created, summary.updated = created, updated
            summary.new_balances, summary.cut_off = new_balances, cut_off
            if not dry_run:
                # The linker's parse of the addresses, kept for the next linking run.
                phases.start(_("direcciones"))
                prepare_accounts()
                phases.done()
            lines = {batch.values["number"][index]: batch.lines[index] for index in good}
            summary.warnings += [
                Problem(
                    file,
                    lines[number],
                    "medidor_serie",
                    _("el medidor «%(serial)s» ya está en la cuenta %(other)s; no se movió")
                    % {"serial": serial, "other": other},
                )
                for number, serial, other in taken
            ]
        if dry_run:
            transaction.set_rollback(True)
    summary.unchanged = len(good) - summary.created - summary.updated
    if bad:
        target = rejects or path.with_name(f"{path.stem}_rechazos.csv")
        write_rejects(
            table,
            [
                (
                    batch.lines[index],
                    table.row(index),
                    "; ".join(f"{p.field}: {p.message}" for p in batch.problems[index]),
                )
                for index in bad
            ],
            target,
        )
        summary.rejects_path = str(target)
    return summary


def meter_conflicts(batch: PadronBatch, file: str, summary: Summary) -> None:
    """A meter serial on several accounts of the file is attached to none of them: the accounts
    are imported, the serial kept in their attributes, and the registry report lists them."""
    serials = batch.values["meter_serial"]
    candidates = [
        index for index, serial in enumerate(serials) if serial and index not in batch.problems
    ]
    counts = Counter(serials[index] for index in candidates)
    by_serial: dict[str, list[int]] = {}
    for index in candidates:
        if counts[serials[index]] > 1:
            by_serial.setdefault(serials[index], []).append(index)
    numbers, attributes = batch.values["number"], batch.values["attributes"]
    for serial, group in by_serial.items():
        if len({numbers[index] for index in group}) < 2:
            continue
        lines = ", ".join(str(batch.lines[index]) for index in group)
        message = _("medidor «%(serial)s» en varias cuentas (líneas %(lines)s); no se asignó") % {
            "serial": serial,
            "lines": lines,
        }
        for index in group:
            attributes[index]["medidor_en_conflicto"] = serial
            serials[index] = ""
            summary.warnings.append(Problem(file, batch.lines[index], "medidor_serie", message))


# Tables a first load of a large padrón fills in bulk (bulk.first_load).
BULK_TABLES = (
    "registry_holder",
    "registry_account",
    "registry_meter",
    "registry_collectionsnapshot",
)

STAGE_COLUMNS = {
    "number": "text", "holder_name": "text", "billing_street": "text",
    "billing_ext_number": "text", "billing_int_number": "text", "billing_colonia": "text",
    "billing_postal_code": "text", "billing_cadastral_key": "text", "tariff": "text",
    "giro": "text", "status": "text", "dwellings": "int", "opened_on": "date",
    "sector": "text", "route": "text", "meter_serial": "text", "meter_brand": "text",
    "meter_diameter": "text", "balance": "numeric", "months_overdue": "int",
    "last_payment_on": "date", "point": "text", "attributes": "jsonb",
}  # fmt: skip


def stage_cells(values: list[Any], sql_type: str) -> list[str]:
    """One staged column as COPY text cells."""
    if sql_type == "text":
        return text_cells(values)
    if sql_type == "date":
        iso = {day: COPY_NULL if day is None else day.isoformat() for day in set(values)}
        return list(map(iso.__getitem__, values))
    if sql_type == "jsonb":
        return [
            naming.to_json(attributes).translate(COPY_ESCAPES) if attributes else "{}"
            for attributes in values
        ]
    return [COPY_NULL if number is None else str(number) for number in values]


def stage_padron(batch: PadronBatch, good: list[int]) -> None:
    """COPY the good rows into the temporary table stage_padron (a file with routes and no
    sectors takes the sectors of the accounts the registry has)."""
    with connection.cursor() as cursor:
        definitions = ", ".join(f"{n} {t}" for n, t in STAGE_COLUMNS.items())
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join(TEMP_TABLES)}")
        cursor.execute(f"CREATE TEMP TABLE stage_padron ({definitions}) ON COMMIT DROP")
    every_row = len(good) == len(batch)
    cells = {}
    for name, sql_type in STAGE_COLUMNS.items():
        values = batch.values[name]
        cells[name] = stage_cells(values if every_row else [values[i] for i in good], sql_type)
    copy_cells("stage_padron", cells)
    with connection.cursor() as cursor:
        if "ruta" in batch.table.columns and "sector" not in batch.table.columns:
            cursor.execute(SECTORS_OF_EXISTING)
        cursor.execute("ANALYZE stage_padron")


def write_accounts(
    batch: PadronBatch, good: list[int], as_of: date, file: str, phases: Phases
) -> tuple[int, int, int, list[tuple[str, str, str]]]:
    """Stage the good rows and apply them with set-based SQL (a large first load in bulk, see
    ``bulk.first_load``).

    Returns (created, updated accounts, balances at a cut-off their account had none for,
    meters the file puts on an account while the registry has them on another: (account,
    serial, other account))."""
    phases.start(_("preparación"))
    stage_padron(batch, good)
    with connection.cursor() as cursor:
        cursor.execute(TAKEN_METERS)
        taken = [tuple(row) for row in cursor.fetchall()]
    phases.done()
    created = 0
    # What the file gives: the columns it has; its unknown ones replace those attributes (and
    # a meter serial column the conflict of meter_conflicts).
    columns = set(batch.table.columns)
    file_attributes = sorted(columns - NOT_ATTRIBUTES) + (
        ["medidor_en_conflicto"] if "medidor_serie" in columns else []
    )
    parameters: dict[str, Any] = {"as_of": as_of, "file_attributes": file_attributes}
    with first_load(BULK_TABLES, len(good), file), connection.cursor() as cursor:
        phases.start(_("escritura"))
        for statement in padron_sql(columns & set(KNOWN)):
            cursor.execute(statement, parameters)
            if statement is CREATE_ACCOUNTS:
                created = cursor.rowcount
            phases.done()
        phases.start(_("índices y llaves"))
    phases.done()
    with connection.cursor() as cursor:
        cursor.execute(COUNT_UPDATED)
        updated, new_balances = cursor.fetchone()
    return created, updated, new_balances, taken  # type: ignore[return-value]
