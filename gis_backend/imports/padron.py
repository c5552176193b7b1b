"""The padrón as a billing system exports it (CSV), keyed by account number.

One file row gives an account, its holder, its meter, its sector and route, and its balance at
the cut-off date. Everything is written in one transaction; rows with problems go to a rejects
file in the file's own layout."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import shapely
from django.conf import settings
from django.db import connection, transaction
from pyproj import Transformer
from tqdm import tqdm

from gis_backend.imports import naming
from gis_backend.imports.engine import copy_rows
from gis_backend.imports.problems import Problem, Summary
from gis_backend.imports.service_area import service_area
from gis_backend.imports.tabular import Mapping, read_table, write_rejects
from gis_backend.imports.values import (
    ValueProblem,
    clean_text,
    parse_date,
    parse_decimal,
    parse_int,
)
from gis_backend.registry.choices import AccountStatus, MeterDiameter, Tariff

KNOWN = (
    "cuenta", "titular", "calle", "numero_ext", "numero_int", "colonia", "codigo_postal",
    "clave_catastral", "tarifa", "giro", "estatus", "num_viviendas", "fecha_alta",
    "medidor_serie", "medidor_marca", "medidor_diametro", "sector", "ruta", "saldo",
    "meses_adeudo", "ultimo_pago", "lat", "lon",
)  # fmt: skip

TARIFF_WORDS = {
    Tariff.DOMESTIC: ("DOMESTICO", "DOM", "D", "HABITACIONAL", "DOMESTICA"),
    Tariff.DOMESTIC_POPULAR: (
        "DOMESTICO POPULAR",
        "POPULAR",
        "DOM POPULAR",
        "DP",
        "INTERES SOCIAL",
    ),
    Tariff.DOMESTIC_MEDIUM: ("DOMESTICO MEDIO", "MEDIO", "DOM MEDIO", "DM"),
    Tariff.DOMESTIC_RESIDENTIAL: ("DOMESTICO RESIDENCIAL", "RESIDENCIAL", "DOM RESIDENCIAL", "DR"),
    Tariff.COMMERCIAL: ("COMERCIAL", "COM", "C", "COMERCIO"),
    Tariff.INDUSTRIAL: ("INDUSTRIAL", "IND", "I"),
    Tariff.MIXED: ("MIXTO", "MIXTA", "M"),
    Tariff.PUBLIC_SERVICE: ("SERVICIOS PUBLICOS", "SERVICIO PUBLICO", "PUBLICO", "GOBIERNO", "SP"),
}
STATUS_WORDS = {
    AccountStatus.ACTIVE: ("ACTIVO", "ACTIVA", "A", "VIGENTE", "NORMAL"),
    AccountStatus.RESTRICTED: ("RESTRINGIDO", "RESTRINGIDA", "R", "REDUCIDO", "LIMITADO"),
    AccountStatus.SUSPENDED: ("SUSPENDIDO", "SUSPENDIDA", "CORTADO", "CORTADA", "CORTE", "S"),
    AccountStatus.TEMPORARILY_CLOSED: ("BAJA TEMPORAL", "BT", "INACTIVO TEMPORAL"),
    AccountStatus.CLOSED: ("BAJA DEFINITIVA", "BAJA", "BD", "CANCELADO", "CANCELADA"),
}
DIAMETER_WORDS = {
    MeterDiameter.HALF: ("1/2", "½", "0.5", "13", "13 MM", "1/2 PULG", "MEDIA"),
    MeterDiameter.THREE_QUARTERS: ("3/4", "¾", "0.75", "19", "19 MM"),
    MeterDiameter.ONE: ("1", "25", "25 MM", "1 PULG"),
    MeterDiameter.ONE_AND_HALF: ("1 1/2", "1.5", "38", "38 MM"),
    MeterDiameter.TWO: ("2", "50", "51", "50 MM"),
    MeterDiameter.THREE: ("3", "75", "76", "75 MM"),
    MeterDiameter.FOUR: ("4", "100", "101", "100 MM"),
}


def vocabulary(words: dict[Any, tuple[str, ...]]) -> dict[str, str]:
    table = {}
    for slug, spellings in words.items():
        table[naming.normalize_text(str(slug).replace("_", " "))] = str(slug)
        for spelling in spellings:
            table[spelling if spelling[0].isdigit() else naming.normalize_text(spelling)] = str(
                slug
            )
    return table


TARIFFS = vocabulary(TARIFF_WORDS)
STATUSES = vocabulary(STATUS_WORDS)
DIAMETERS = vocabulary(DIAMETER_WORDS)


def parse_choice(value: object, table: dict[str, str], label: str) -> str:
    text = clean_text(value)
    if not text:
        return ""
    key = text.replace('"', "").replace("PULGADAS", "PULG").strip()
    found = table.get(key) or table.get(naming.normalize_text(text))
    if found is None:
        raise ValueProblem(f"«{text}» no es {label} conocido")
    return found


@dataclass
class PadronRow:
    line: int
    raw: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


class PadronChecker:
    """Turns file rows into account values, collecting every problem with file, line and field."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.to_storage = Transformer.from_crs(4326, settings.STORAGE_SRID, always_xy=True)
        self.area = service_area()

    def field(self, row: PadronRow, name: str, parser: Any, *args: Any) -> Any:
        try:
            return parser(row.raw.get(name, ""), *args)
        except ValueProblem as exc:
            row.problems.append(Problem(self.file, row.line, name, str(exc)))
            return None

    def check(self, row: PadronRow) -> None:
        raw, values = row.raw, row.values
        if "__shape__" in raw:
            row.problems.append(Problem(self.file, row.line, "", raw["__shape__"]))
            return
        text = {
            name: self.field(row, name, clean_text) or ""
            for name in KNOWN
            if name not in ("lat", "lon")
        }
        if not text["cuenta"]:
            row.problems.append(Problem(self.file, row.line, "cuenta", "vacía; es obligatoria"))
        values.update(
            number=text["cuenta"],
            holder_name=text["titular"],
            billing_street=text["calle"][:150],
            billing_ext_number=text["numero_ext"][:20],
            billing_int_number=text["numero_int"][:20],
            billing_colonia=text["colonia"][:150],
            billing_postal_code=text["codigo_postal"][:5],
            billing_cadastral_key=text["clave_catastral"][:40],
            giro=text["giro"][:10],
            sector=text["sector"][:20],
            route=text["ruta"][:20],
            meter_serial=text["medidor_serie"][:40],
            meter_brand=text["medidor_marca"][:50],
        )
        if text["codigo_postal"] and not (
            text["codigo_postal"].isdigit() and len(text["codigo_postal"]) == 5
        ):
            row.problems.append(
                Problem(
                    self.file,
                    row.line,
                    "codigo_postal",
                    f"«{text['codigo_postal']}» no tiene 5 dígitos",
                )
            )
        values["tariff"] = self.field(row, "tarifa", parse_choice, TARIFFS, "una tarifa")
        if not values["tariff"] and not any(p.field == "tarifa" for p in row.problems):
            values["tariff"] = Tariff.DOMESTIC
        values["status"] = (
            self.field(row, "estatus", parse_choice, STATUSES, "un estatus") or AccountStatus.ACTIVE
        )
        values["meter_diameter"] = (
            self.field(row, "medidor_diametro", parse_choice, DIAMETERS, "un diámetro") or "1/2"
        )
        dwellings = self.field(row, "num_viviendas", parse_int, 1)
        values["dwellings"] = dwellings or 1
        values["opened_on"] = self.field(row, "fecha_alta", parse_date)
        values["balance"] = self.field(row, "saldo", parse_decimal)
        values["months_overdue"] = self.field(row, "meses_adeudo", parse_int, 0)
        values["last_payment_on"] = self.field(row, "ultimo_pago", parse_date)
        if (values["months_overdue"] or 0) > 0 and (values["balance"] or 0) <= 0:
            row.problems.append(
                Problem(
                    self.file, row.line, "saldo", "hay meses de adeudo pero el saldo no es positivo"
                )
            )
        values["point"] = self.point(row)
        values["attributes"] = {k: v for k, v in raw.items() if k not in KNOWN and v.strip()}

    def point(self, row: PadronRow) -> Any:
        lat = self.field(row, "lat", parse_decimal)
        lon = self.field(row, "lon", parse_decimal)
        if lat is None and lon is None:
            return None
        if lat is None or lon is None:
            row.problems.append(
                Problem(
                    self.file, row.line, "lat" if lat is None else "lon", "falta la otra coordenada"
                )
            )
            return None
        lat_f, lon_f = float(lat), float(lon)
        if abs(lat_f) > 90 or abs(lon_f) > 180:
            if abs(lon_f) <= 90 and abs(lat_f) <= 180:
                reason = "lat y lon invertidas"
            else:
                reason = f"coordenadas imposibles ({lat_f}, {lon_f})"
            row.problems.append(Problem(self.file, row.line, "lat", reason))
            return None
        x, y = self.to_storage.transform(lon_f, lat_f)
        point = shapely.Point(x, y)
        if not self.area.contains(point):
            sx, sy = self.to_storage.transform(lat_f, lon_f)
            swapped = abs(lat_f) <= 180 and self.area.contains(shapely.Point(sx, sy))
            reason = (
                "lat y lon invertidas" if swapped else "fuera del área de servicio del organismo"
            )
            row.problems.append(Problem(self.file, row.line, "lat", reason))
            return None
        return point


def reject_duplicates(
    rows: list[PadronRow], file: str, key: str, column: str, message: str
) -> None:
    by_key: dict[str, list[PadronRow]] = defaultdict(list)
    for row in rows:
        if row.values.get(key):
            by_key[row.values[key]].append(row)
    for value, group in by_key.items():
        if len(group) > 1:
            lines = ", ".join(str(r.line) for r in group)
            for row in group:
                row.problems.append(
                    Problem(file, row.line, column, message.format(value=value, lines=lines))
                )


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
    checker = PadronChecker(file)
    rows = [PadronRow(line, raw) for line, raw in table.rows]
    for row in tqdm(rows, disable=not progress, desc="padrón", unit=" filas"):
        checker.check(row)
    reject_duplicates(
        rows, file, "number", "cuenta", "cuenta «{value}» repetida en las líneas {lines}"
    )
    summary = Summary(read=len(rows), dry_run=dry_run)
    meter_conflicts(rows, file, summary)
    good = [r for r in rows if not r.problems]
    bad = [r for r in rows if r.problems]
    summary.rejected = len(bad)
    summary.errors = [p for r in bad for p in r.problems]
    with transaction.atomic():
        if good:
            created, updated, taken = write_accounts(good, as_of or date.today())
            summary.created, summary.updated = created, updated
            lines = {r.values["number"]: r.line for r in good}
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
                (r.line, r.raw, "; ".join(f"{p.field}: {p.message}" for p in r.problems))
                for r in bad
            ],
            target,
        )
        summary.rejects_path = str(target)
    return summary


def meter_conflicts(rows: list[PadronRow], file: str, summary: Summary) -> None:
    """A meter serial on several accounts of the file is attached to none of them: the accounts
    are imported, the serial kept in their attributes, and the registry report lists them."""
    by_serial: dict[str, list[PadronRow]] = defaultdict(list)
    for row in rows:
        if row.values.get("meter_serial") and not row.problems:
            by_serial[row.values["meter_serial"]].append(row)
    for serial, group in by_serial.items():
        accounts = {r.values["number"] for r in group}
        if len(accounts) < 2:
            continue
        lines = ", ".join(str(r.line) for r in group)
        for row in group:
            row.values["attributes"]["medidor_en_conflicto"] = serial
            row.values["meter_serial"] = ""
            summary.warnings.append(
                Problem(
                    file,
                    row.line,
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


def stage_value(values: dict[str, Any], name: str) -> Any:
    if name == "point":
        point = values["point"]
        return (
            None
            if point is None
            else shapely.to_wkb(
                shapely.set_srid(point, settings.STORAGE_SRID), hex=True, include_srid=True
            )
        )
    if name == "attributes":
        return naming.to_json(values["attributes"])
    return values[name]


def write_accounts(
    rows: list[PadronRow], as_of: date
) -> tuple[int, int, list[tuple[str, str, str]]]:
    """Stage the rows and apply them with set-based SQL.

    Returns (created, updated accounts, meters the file puts on an account while the registry
    has them on another: (account, serial, other account))."""
    with connection.cursor() as cursor:
        definitions = ", ".join(f"{n} {t}" for n, t in STAGE_COLUMNS.items())
        cursor.execute("DROP TABLE IF EXISTS stage_padron, new_holder")
        cursor.execute(f"CREATE TEMP TABLE stage_padron ({definitions}) ON COMMIT DROP")
    copy_rows(
        "stage_padron",
        STAGE_COLUMNS,
        ([stage_value(r.values, n) for n in STAGE_COLUMNS] for r in rows),
    )
    touched: set[str] = set()
    created: set[str] = set()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.number, s.meter_serial, a.number
            FROM stage_padron s
            JOIN registry_meter m ON m.serial = s.meter_serial
            JOIN registry_account a ON a.id = m.account_id
            WHERE s.meter_serial <> '' AND a.number <> s.number
            ORDER BY s.number
            """
        )
        taken = [tuple(row) for row in cursor.fetchall()]
        for statement in PADRON_SQL:
            cursor.execute(statement, {"as_of": as_of})
            if cursor.description:
                for number, was_created in cursor.fetchall():
                    touched.add(number)
                    if was_created:
                        created.add(number)
    return len(created), len(touched - created), taken  # type: ignore[return-value]


# Each statement that changes rows returns (account number, created?) of what it changed.
PADRON_SQL = [
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
    """
    WITH upserted AS (
        INSERT INTO registry_account AS a (
            number, tariff, giro, status, service_water, service_sewer, service_sanitation,
            metered, dwellings, opened_on, billing_street, billing_ext_number,
            billing_int_number, billing_colonia, billing_postal_code, billing_cadastral_key,
            sector_id, route_id, connection_point, attributes)
        SELECT s.number, s.tariff, s.giro, s.status, true, true, false,
               s.meter_serial <> '', s.dwellings, s.opened_on, s.billing_street,
               s.billing_ext_number, s.billing_int_number, s.billing_colonia,
               s.billing_postal_code, s.billing_cadastral_key, se.id, r.id,
               s.point::geometry, s.attributes
        FROM stage_padron s
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
        RETURNING a.number, (xmax = 0) AS created
    )
    SELECT number, created FROM upserted
    """,
    # Holders: an account's holder is renamed in place; an account without one gets a new one.
    """
    WITH renamed AS (
        UPDATE registry_holder h SET full_name = s.holder_name
        FROM stage_padron s JOIN registry_account a ON a.number = s.number
        WHERE h.id = a.holder_id AND s.holder_name <> '' AND h.full_name <> s.holder_name
        RETURNING a.number
    )
    SELECT number, false FROM renamed
    """,
    """
    CREATE TEMP TABLE new_holder ON COMMIT DROP AS
    SELECT nextval(pg_get_serial_sequence('registry_holder', 'id')) AS holder_id,
           a.id AS account_id, s.holder_name
    FROM stage_padron s JOIN registry_account a ON a.number = s.number
    WHERE a.holder_id IS NULL AND s.holder_name <> ''
    """,
    """
    INSERT INTO registry_holder (id, full_name) SELECT holder_id, holder_name FROM new_holder
    """,
    """
    WITH linked AS (
        UPDATE registry_account a SET holder_id = n.holder_id
        FROM new_holder n WHERE a.id = n.account_id
        RETURNING a.number
    )
    SELECT number, false FROM linked
    """,
    # Meters: an account whose meter serial changed retires the old one; a serial already on
    # another account is left there (reported), never silently moved.
    """
    WITH retired AS (
        UPDATE registry_meter m SET state = 'retirado'
        FROM stage_padron s JOIN registry_account a ON a.number = s.number
        WHERE m.account_id = a.id AND m.state <> 'retirado' AND s.meter_serial <> ''
          AND m.serial <> s.meter_serial
        RETURNING a.number
    )
    SELECT number, false FROM retired
    """,
    """
    WITH upserted AS (
        INSERT INTO registry_meter AS m (serial, brand, model, diameter, state, account_id)
        SELECT s.meter_serial, s.meter_brand, '', s.meter_diameter, 'funcionando', a.id
        FROM stage_padron s JOIN registry_account a ON a.number = s.number
        WHERE s.meter_serial <> ''
        ON CONFLICT (serial) DO UPDATE SET brand = EXCLUDED.brand, diameter = EXCLUDED.diameter
        WHERE m.account_id = EXCLUDED.account_id
          AND (m.brand, m.diameter) IS DISTINCT FROM (EXCLUDED.brand, EXCLUDED.diameter)
        RETURNING m.account_id
    )
    SELECT a.number, false FROM upserted u JOIN registry_account a ON a.id = u.account_id
    """,
    """
    WITH upserted AS (
        INSERT INTO registry_collectionsnapshot AS c (
            account_id, as_of, balance, months_overdue, days_overdue, last_payment_on,
            last_payment_amount, payment_agreement)
        SELECT a.id, %(as_of)s, s.balance, coalesce(s.months_overdue, 0),
               coalesce(s.months_overdue, 0) * 30, s.last_payment_on, NULL, false
        FROM stage_padron s JOIN registry_account a ON a.number = s.number
        WHERE s.balance IS NOT NULL
        ON CONFLICT (account_id, as_of) DO UPDATE SET
            balance = EXCLUDED.balance, months_overdue = EXCLUDED.months_overdue,
            days_overdue = EXCLUDED.days_overdue, last_payment_on = EXCLUDED.last_payment_on
        WHERE (c.balance, c.months_overdue, c.last_payment_on)
              IS DISTINCT FROM (EXCLUDED.balance, EXCLUDED.months_overdue, EXCLUDED.last_payment_on)
        RETURNING c.account_id
    )
    SELECT a.number, false FROM upserted u JOIN registry_account a ON a.id = u.account_id
    """,
]
