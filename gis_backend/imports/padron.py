"""The padrón as a billing system exports it (CSV), keyed by account number.

One file row gives an account, its holder, its meter, its sector and route, and its balance at
the cut-off date. Everything is written in one transaction; rows with problems go to a rejects
file in the file's own layout.

The file is checked column by column (``padron_columns``; rows that break a rule are checked
again one by one to name their problems, ``padron_rows``), staged with one COPY and applied
with set-based SQL, so a million rows take about as long as PostgreSQL needs to write them."""

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from gis_backend.imports import naming
from gis_backend.imports.engine import COPY_ESCAPES, COPY_NULL, copy_cells, text_cells
from gis_backend.imports.padron_columns import PadronBatch, check_file
from gis_backend.imports.problems import Problem, Summary
from gis_backend.imports.tabular import Mapping, read_table, write_rejects


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
        for index in group:
            message = f"cuenta «{number}» repetida en las líneas {lines}"
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
    table = read_table(
        path, required=("cuenta",), mapping=Mapping.load(mapping) if mapping else None
    )
    file = path.name
    batch = check_file(table, file, progress)
    reject_duplicates(batch, file)
    summary = Summary(read=len(batch), dry_run=dry_run)
    meter_conflicts(batch, file, summary)
    good = batch.good()
    bad = sorted(batch.problems)
    summary.rejected = len(bad)
    summary.errors = [p for index in bad for p in batch.problems[index]]
    with transaction.atomic():
        if good:
            created, updated, taken = write_accounts(batch, good, as_of or date.today())
            summary.created, summary.updated = created, updated
            lines = {batch.values["number"][index]: batch.lines[index] for index in good}
            summary.warnings += [
                Problem(
                    file,
                    lines[number],
                    "medidor_serie",
                    f"el medidor «{serial}» ya está en la cuenta {other}; no se movió",
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
        for index in group:
            attributes[index]["medidor_en_conflicto"] = serial
            serials[index] = ""
            summary.warnings.append(
                Problem(
                    file,
                    batch.lines[index],
                    "medidor_serie",
                    f"medidor «{serial}» en varias cuentas (líneas {lines}); no se asignó",
                )
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


TEMP_TABLES = (
    "stage_padron",
    "padron_account",
    "padron_changed",
    "new_holder",
    "holder_for_existing",
)


def stage_padron(batch: PadronBatch, good: list[int]) -> None:
    """COPY the good rows into the temporary table stage_padron."""
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
        cursor.execute("ANALYZE stage_padron")


def write_accounts(
    batch: PadronBatch, good: list[int], as_of: date
) -> tuple[int, int, list[tuple[str, str, str]]]:
    """Stage the good rows and apply them with set-based SQL.

    Returns (created, updated accounts, meters the file puts on an account while the registry
    has them on another: (account, serial, other account))."""
    stage_padron(batch, good)
    with connection.cursor() as cursor:
        cursor.execute(TAKEN_METERS)
        taken = [tuple(row) for row in cursor.fetchall()]
        created = 0
        for statement in PADRON_SQL:
            cursor.execute(statement, {"as_of": as_of})
            if statement is ACCOUNT_UPSERT:
                (created,) = cursor.fetchone()
        cursor.execute("SELECT count(DISTINCT number) FROM padron_changed")
        (updated,) = cursor.fetchone()
    return created, updated, taken  # type: ignore[return-value]


TAKEN_METERS = """
    SELECT s.number, s.meter_serial, a.number
    FROM stage_padron s
    JOIN registry_meter m ON m.serial = s.meter_serial
    JOIN registry_account a ON a.id = m.account_id
    WHERE s.meter_serial <> '' AND a.number <> s.number
    ORDER BY s.number
"""

# The file's accounts as they are resolved: those the registry had before this import
# (existed) and those it creates. Statements that change an account the registry already had
# record its number in padron_changed; the accounts created are counted by the upsert.
ACCOUNT_UPSERT = """
    WITH upserted AS (
        INSERT INTO registry_account AS a (
            number, tariff, giro, status, service_water, service_sewer, service_sanitation,
            metered, dwellings, opened_on, billing_street, billing_ext_number,
            billing_int_number, billing_colonia, billing_postal_code, billing_cadastral_key,
            sector_id, route_id, connection_point, attributes, holder_id)
        SELECT s.number, s.tariff, s.giro, s.status, true, true, false,
               s.meter_serial <> '', s.dwellings, s.opened_on, s.billing_street,
               s.billing_ext_number, s.billing_int_number, s.billing_colonia,
               s.billing_postal_code, s.billing_cadastral_key, se.id, r.id,
               s.point::geometry, s.attributes, n.holder_id
        FROM stage_padron s
        LEFT JOIN new_holder n ON n.number = s.number
        LEFT JOIN registry_sector se ON se.code = s.sector
        LEFT JOIN registry_readingroute r ON r.sector_id = se.id AND r.code = s.route
        ON CONFLICT (number) DO UPDATE SET
            tariff = EXCLUDED.tariff, giro = EXCLUDED.giro, status = EXCLUDED.status,
            metered = EXCLUDED.metered, dwellings = EXCLUDED.dwellings,
            opened_on = EXCLUDED.opened_on, billing_street = EXCLUDED.billing_street,
            billing_ext_number = EXCLUDED.billing_ext_number,
            billing_int_number = EXCLUDED.billing_int_number,
            billing_colonia = EXCLUDED.billing_colonia,
            billing_postal_code = EXCLUDED.billing_postal_code,
            billing_cadastral_key = EXCLUDED.billing_cadastral_key,
            sector_id = EXCLUDED.sector_id, route_id = EXCLUDED.route_id,
            connection_point = EXCLUDED.connection_point, attributes = EXCLUDED.attributes
        WHERE (a.tariff, a.giro, a.status, a.metered, a.dwellings, a.opened_on,
               a.billing_street, a.billing_ext_number, a.billing_int_number, a.billing_colonia,
               a.billing_postal_code, a.billing_cadastral_key, a.sector_id, a.route_id,
               a.connection_point, a.attributes)
              IS DISTINCT FROM
              (EXCLUDED.tariff, EXCLUDED.giro, EXCLUDED.status, EXCLUDED.metered,
               EXCLUDED.dwellings, EXCLUDED.opened_on, EXCLUDED.billing_street,
               EXCLUDED.billing_ext_number, EXCLUDED.billing_int_number,
               EXCLUDED.billing_colonia, EXCLUDED.billing_postal_code,
               EXCLUDED.billing_cadastral_key, EXCLUDED.sector_id, EXCLUDED.route_id,
               EXCLUDED.connection_point, EXCLUDED.attributes)
        RETURNING a.id, a.number, (xmax = 0) AS created
    ), resolved AS (
        -- Accounts the upsert updated without knowing them before (made meanwhile by another
        -- session) are resolved too, as accounts the registry had.
        INSERT INTO padron_account (number, account_id, holder_id, existed)
        SELECT u.number, u.id, NULL, NOT u.created FROM upserted u
        WHERE u.created
           OR NOT EXISTS (SELECT 1 FROM padron_account p WHERE p.number = u.number)
    ), changed AS (
        INSERT INTO padron_changed SELECT number FROM upserted WHERE NOT created
    )
    SELECT count(*) FILTER (WHERE created) FROM upserted
"""

PADRON_SQL = [
    """
    CREATE TEMP TABLE padron_account ON COMMIT DROP AS
    SELECT s.number, a.id AS account_id, a.holder_id, true AS existed
    FROM stage_padron s JOIN registry_account a ON a.number = s.number
    """,
    "CREATE TEMP TABLE padron_changed (number text) ON COMMIT DROP",
    """
    INSERT INTO registry_sector (code, name)
    SELECT DISTINCT sector, '' FROM stage_padron WHERE sector <> ''
    ON CONFLICT (code) DO NOTHING
    """,
    """
    INSERT INTO registry_readingroute (sector_id, code, periodicity, reader)
    SELECT DISTINCT se.id, s.route, 'mensual', ''
    FROM stage_padron s JOIN registry_sector se ON se.code = s.sector
    WHERE s.route <> ''
    ON CONFLICT (sector_id, code) DO NOTHING
    """,
    # Holders: a new account gets a new holder, written with it (no second pass over the
    # accounts); an account's holder is renamed in place; an account without one gets a new one.
    """
    CREATE TEMP TABLE new_holder ON COMMIT DROP AS
    SELECT nextval(pg_get_serial_sequence('registry_holder', 'id')) AS holder_id,
           s.number, s.holder_name
    FROM stage_padron s
    WHERE s.holder_name <> ''
      AND NOT EXISTS (SELECT 1 FROM padron_account p WHERE p.number = s.number)
    """,
    "INSERT INTO registry_holder (id, full_name) SELECT holder_id, holder_name FROM new_holder",
    ACCOUNT_UPSERT,
    "ANALYZE padron_account",
    """
    WITH renamed AS (
        UPDATE registry_holder h SET full_name = s.holder_name
        FROM stage_padron s JOIN padron_account p ON p.number = s.number
        WHERE p.existed AND h.id = p.holder_id AND s.holder_name <> ''
          AND h.full_name <> s.holder_name
        RETURNING p.number
    )
    INSERT INTO padron_changed SELECT number FROM renamed
    """,
    """
    CREATE TEMP TABLE holder_for_existing ON COMMIT DROP AS
    SELECT nextval(pg_get_serial_sequence('registry_holder', 'id')) AS holder_id,
           a.id AS account_id, s.holder_name
    FROM stage_padron s
    JOIN padron_account p ON p.number = s.number
    JOIN registry_account a ON a.id = p.account_id
    WHERE p.existed AND a.holder_id IS NULL AND s.holder_name <> ''
    """,
    """
    INSERT INTO registry_holder (id, full_name)
    SELECT holder_id, holder_name FROM holder_for_existing
    """,
    """
    WITH linked AS (
        UPDATE registry_account a SET holder_id = n.holder_id
        FROM holder_for_existing n WHERE a.id = n.account_id
        RETURNING a.number
    )
    INSERT INTO padron_changed SELECT number FROM linked
    """,
    # Meters: an account whose meter serial changed retires the old one; a serial already on
    # another account is left there (reported), never silently moved. Accounts created by this
    # import have no meter yet.
    """
    WITH retired AS (
        UPDATE registry_meter m SET state = 'retirado'
        FROM stage_padron s JOIN padron_account p ON p.number = s.number
        WHERE p.existed AND m.account_id = p.account_id AND m.state <> 'retirado'
          AND s.meter_serial <> '' AND m.serial <> s.meter_serial
        RETURNING p.number
    )
    INSERT INTO padron_changed SELECT number FROM retired
    """,
    """
    WITH upserted AS (
        INSERT INTO registry_meter AS m (serial, brand, model, diameter, state, account_id)
        SELECT s.meter_serial, s.meter_brand, '', s.meter_diameter, 'funcionando', p.account_id
        FROM stage_padron s JOIN padron_account p ON p.number = s.number
        WHERE s.meter_serial <> ''
        ON CONFLICT (serial) DO UPDATE SET brand = EXCLUDED.brand, diameter = EXCLUDED.diameter
        WHERE m.account_id = EXCLUDED.account_id
          AND (m.brand, m.diameter) IS DISTINCT FROM (EXCLUDED.brand, EXCLUDED.diameter)
        RETURNING m.account_id
    )
    INSERT INTO padron_changed
    SELECT p.number FROM upserted u JOIN padron_account p ON p.account_id = u.account_id
    WHERE p.existed
    """,
    """
    WITH upserted AS (
        INSERT INTO registry_collectionsnapshot AS c (
            account_id, as_of, balance, months_overdue, days_overdue, last_payment_on,
            last_payment_amount, payment_agreement)
        SELECT p.account_id, %(as_of)s, s.balance, coalesce(s.months_overdue, 0),
               coalesce(s.months_overdue, 0) * 30, s.last_payment_on, NULL, false
        FROM stage_padron s JOIN padron_account p ON p.number = s.number
        WHERE s.balance IS NOT NULL
        ON CONFLICT (account_id, as_of) DO UPDATE SET
            balance = EXCLUDED.balance, months_overdue = EXCLUDED.months_overdue,
            days_overdue = EXCLUDED.days_overdue, last_payment_on = EXCLUDED.last_payment_on
        WHERE (c.balance, c.months_overdue, c.last_payment_on)
              IS DISTINCT FROM (EXCLUDED.balance, EXCLUDED.months_overdue, EXCLUDED.last_payment_on)
        RETURNING c.account_id
    )
    INSERT INTO padron_changed
    SELECT p.number FROM upserted u JOIN padron_account p ON p.account_id = u.account_id
    WHERE p.existed
    """,
]
