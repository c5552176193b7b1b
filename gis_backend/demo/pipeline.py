"""The demo town loaded the way a utility's data comes in: files, importers, linker, report.

1. Generate the town; write its ground truth (``var/demo/town-<seed>-<accounts>/``) and, in
   ``archivos/`` next to it, the three files a utility hands over: ``predios.gpkg``,
   ``calles.gpkg`` and ``padron.csv`` (CP1252, messy addresses; see export.py).
2. Import them with the importers: parcels, street segments, then the padrón at the town's
   collection cut-off date.
3. Complete, from the generated tables, what those files do not carry: colonia, sector and
   route geometry and attributes (postal code, name, periodicity, reader), cadastral block and
   INEGI keys of parcels, account services, metering and closing dates, the holders' RFC, CURP,
   phone, e-mail, notification address and relation (and one holder for the planted duplicate
   accounts registered to the same person), meter model, state, installation date and
   location, the retired meters the padrón does not list, days overdue, last payment amount
   and payment agreements, suspension events and 24 months of readings. Rows are matched by
   natural keys (account number, meter serial, cadastral key, sector and route codes, colonia
   key) through temporary tables filled with COPY, never by the generator's ids.
4. Link accounts to parcels and segments, and write the registry report scored against the
   ground truth (``reporte/``).

Everything happens in one transaction, under the rules of ``service.claim``: the same town
loaded the same way is not loaded again; other data is refused unless replaced. Personal data
is never printed (counts and file paths only).
"""

import json
import time
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _
from psycopg import Cursor, sql

from gis_backend.demo import accounts as ac
from gis_backend.demo import copytext as ct
from gis_backend.demo.export import TownFiles, export_town
from gis_backend.demo.loader import (
    ACTOR,
    DATA_TABLES,
    READINGS_TABLE,
    Timer,
    copy_table,
    drop_keys_and_indexes,
    readings_sql,
    restore,
    set_history_triggers,
    stage_reading_parameters,
    table_counts,
)
from gis_backend.demo.models import DemoTown
from gis_backend.demo.service import (
    DEFAULT_TRUTH_DIR,
    LoadResult,
    Outcome,
    claim,
    municipality,
)
from gis_backend.demo.town import GENERATOR_VERSION, Town, generate_town
from gis_backend.demo.truth import write_truth
from gis_backend.imports.engine import run_vector_import
from gis_backend.imports.naming import colonia_key
from gis_backend.imports.padron import import_padron
from gis_backend.imports.parcels import ParcelImporter
from gis_backend.imports.problems import Summary
from gis_backend.imports.streets import StreetImporter
from gis_backend.linking.linker import LinkSummary, link_registry
from gis_backend.linking.report import write_report

FILES_DIR = "archivos"
REPORT_DIR = "reporte"
CUT_OFF = date.fromisoformat(str(ac.CUT_OFF))

# Temporary table ← (registry table of the town whose columns it takes, columns; None = all).
STAGED: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "demo_town_colonia": ("registry_colonia", ("id", "name", "postal_code", "geom")),
    "demo_town_sector": ("registry_sector", None),
    "demo_town_route": ("registry_readingroute", None),
    "demo_town_parcel": (
        "registry_parcel",
        ("cadastral_key", "block_key", "inegi_ageb", "inegi_block"),
    ),
    "demo_town_holder": ("registry_holder", None),
    "demo_town_account": (
        "registry_account",
        (
            *("id", "number", "holder_id"),
            *("service_water", "service_sewer", "service_sanitation", "metered", "closed_on"),
        ),
    ),
    "demo_town_meter": ("registry_meter", None),
    "demo_town_collection": ("registry_collectionsnapshot", None),
    "demo_town_suspension": ("registry_suspensionevent", None),
}

# What the files do not carry, in order: (what, statement). Statements that change registry
# rows leave alone those already equal, so the registry history records only real changes.
COMPLETE_SQL: list[tuple[str, str]] = [
    (
        "colonias",
        "DROP TABLE IF EXISTS demo_account_map, demo_holder_map, demo_holder_merged, "
        "demo_meter_map",
    ),
    (
        "colonias",
        """
        UPDATE registry_colonia c SET geom = t.geom, postal_code = t.postal_code
        FROM (
            SELECT key, min(postal_code) AS postal_code,
                   CASE WHEN count(*) = 1 THEN (array_agg(geom))[1]
                        ELSE ST_Multi(ST_Union(geom)) END AS geom
            FROM demo_town_colonia GROUP BY key
        ) t
        WHERE c.settlement_type || ':' || c.name_normalized = t.key
          AND (c.geom, c.postal_code) IS DISTINCT FROM (t.geom, t.postal_code)
        """,
    ),
    (
        "sectors",
        """
        INSERT INTO registry_sector AS s (code, name, geom)
        SELECT code, name, geom FROM demo_town_sector ORDER BY id
        ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, geom = EXCLUDED.geom
        WHERE (s.name, s.geom) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.geom)
        """,
    ),
    (
        "routes",
        """
        INSERT INTO registry_readingroute AS r (sector_id, code, periodicity, reader, geom)
        SELECT s.id, t.code, t.periodicity, t.reader, t.geom
        FROM demo_town_route t
        JOIN demo_town_sector ts ON ts.id = t.sector_id
        JOIN registry_sector s ON s.code = ts.code
        ORDER BY t.id
        ON CONFLICT (sector_id, code) DO UPDATE SET
            periodicity = EXCLUDED.periodicity, reader = EXCLUDED.reader, geom = EXCLUDED.geom
        WHERE (r.periodicity, r.reader, r.geom)
              IS DISTINCT FROM (EXCLUDED.periodicity, EXCLUDED.reader, EXCLUDED.geom)
        """,
    ),
    (
        "parcels",
        """
        UPDATE registry_parcel p
        SET block_key = t.block_key, inegi_ageb = t.inegi_ageb, inegi_block = t.inegi_block
        FROM demo_town_parcel t
        WHERE p.cadastral_key = t.cadastral_key
          AND (p.block_key, p.inegi_ageb, p.inegi_block)
              IS DISTINCT FROM (t.block_key, t.inegi_ageb, t.inegi_block)
        """,
    ),
    (
        "accounts",
        """
        CREATE TEMP TABLE demo_account_map ON COMMIT DROP AS
        SELECT t.id AS town_id, a.id AS account_id
        FROM demo_town_account t JOIN registry_account a ON a.number = t.number
        """,
    ),
    ("accounts", "CREATE UNIQUE INDEX ON demo_account_map (town_id)"),
    ("accounts", "ANALYZE demo_account_map"),
    (
        "accounts",
        """
        UPDATE registry_account a
        SET service_water = t.service_water, service_sewer = t.service_sewer,
            service_sanitation = t.service_sanitation, metered = t.metered,
            closed_on = t.closed_on
        FROM demo_account_map m JOIN demo_town_account t ON t.id = m.town_id
        WHERE a.id = m.account_id
          AND (a.service_water, a.service_sewer, a.service_sanitation, a.metered, a.closed_on)
              IS DISTINCT FROM
              (t.service_water, t.service_sewer, t.service_sanitation, t.metered, t.closed_on)
        """,
    ),
    # The importer gives every padrón row a holder of its own; the town registers some planted
    # duplicate accounts to one person: those accounts share the holder of the first one.
    (
        "holders",
        """
        CREATE TEMP TABLE demo_holder_map ON COMMIT DROP AS
        SELECT t.holder_id AS town_id, min(a.holder_id) AS holder_id
        FROM demo_town_account t
        JOIN demo_account_map m ON m.town_id = t.id
        JOIN registry_account a ON a.id = m.account_id
        WHERE a.holder_id IS NOT NULL
        GROUP BY t.holder_id
        """,
    ),
    (
        "holders",
        """
        CREATE TEMP TABLE demo_holder_merged ON COMMIT DROP AS
        SELECT a.id AS account_id, a.holder_id AS old_id, h.holder_id AS new_id
        FROM demo_town_account t
        JOIN demo_account_map m ON m.town_id = t.id
        JOIN registry_account a ON a.id = m.account_id
        JOIN demo_holder_map h ON h.town_id = t.holder_id
        WHERE a.holder_id <> h.holder_id
        """,
    ),
    (
        "holders",
        """
        UPDATE registry_account a SET holder_id = x.new_id
        FROM demo_holder_merged x WHERE a.id = x.account_id
        """,
    ),
    (
        "holders",
        """
        DELETE FROM registry_holder h USING demo_holder_merged x
        WHERE h.id = x.old_id
          AND NOT EXISTS (SELECT 1 FROM registry_account a WHERE a.holder_id = h.id)
        """,
    ),
    (
        "holders",
        """
        UPDATE registry_holder h
        SET rfc = t.rfc, curp = t.curp, phone = t.phone, email = t.email,
            notification_address = t.notification_address, relation = t.relation
        FROM demo_holder_map m JOIN demo_town_holder t ON t.id = m.town_id
        WHERE h.id = m.holder_id
          AND (h.rfc, h.curp, h.phone, h.email, h.notification_address, h.relation)
              IS DISTINCT FROM
              (t.rfc, t.curp, t.phone, t.email, t.notification_address, t.relation)
        """,
    ),
    (
        "meters",
        """
        UPDATE registry_meter r
        SET model = t.model, state = t.state, installed_on = t.installed_on,
            location = t.location
        FROM demo_town_meter t
        WHERE r.serial = t.serial
          AND (r.model, r.state, r.installed_on, r.location)
              IS DISTINCT FROM (t.model, t.state, t.installed_on, t.location)
        """,
    ),
    # Meters taken out (accounts closed for good): the padrón lists only installed meters.
    (
        "meters",
        """
        INSERT INTO registry_meter
            (serial, brand, model, diameter, state, installed_on, location, account_id)
        SELECT t.serial, t.brand, t.model, t.diameter, t.state, t.installed_on, t.location,
               m.account_id
        FROM demo_town_meter t JOIN demo_account_map m ON m.town_id = t.account_id
        WHERE NOT EXISTS (SELECT 1 FROM registry_meter r WHERE r.serial = t.serial)
        ORDER BY t.id
        """,
    ),
    (
        "collection",
        """
        UPDATE registry_collectionsnapshot c
        SET days_overdue = t.days_overdue, last_payment_amount = t.last_payment_amount,
            payment_agreement = t.payment_agreement
        FROM demo_town_collection t JOIN demo_account_map m ON m.town_id = t.account_id
        WHERE c.account_id = m.account_id AND c.as_of = t.as_of
          AND (c.days_overdue, c.last_payment_amount, c.payment_agreement)
              IS DISTINCT FROM (t.days_overdue, t.last_payment_amount, t.payment_agreement)
        """,
    ),
    (
        "suspensions",
        """
        INSERT INTO registry_suspensionevent (account_id, kind, occurred_on, reason, notes)
        SELECT m.account_id, t.kind, t.occurred_on, t.reason, t.notes
        FROM demo_town_suspension t JOIN demo_account_map m ON m.town_id = t.account_id
        ORDER BY t.id
        """,
    ),
]

METER_MAP_SQL = """
    CREATE TEMP TABLE demo_meter_map ON COMMIT DROP AS
    SELECT t.id AS town_meter_id, r.id AS meter_id, r.account_id
    FROM demo_town_meter t JOIN registry_meter r ON r.serial = t.serial
    WHERE r.account_id IS NOT NULL
"""


@dataclass
class PipelineResult(LoadResult):
    report_dir: Path = field(default_factory=Path)
    files: TownFiles | None = None
    imports: dict[str, Summary] = field(default_factory=dict)
    linked: LinkSummary | None = None


def demo_town_pipeline(
    *,
    seed: int,
    accounts: int,
    truth_dir: Path = DEFAULT_TRUTH_DIR,
    replace: bool = False,
    record_history: bool = True,
    timer: Timer | None = None,
) -> PipelineResult:
    timer = timer or Timer()
    with transaction.atomic():
        loaded = claim(
            seed=seed, accounts=accounts, method=DemoTown.Method.PIPELINE, replace=replace
        )
        if loaded is not None:
            directory = Path(loaded.truth_dir)
            return PipelineResult(
                Outcome.ALREADY_LOADED,
                table_counts(),
                directory,
                loaded.fingerprint,
                report_dir=directory / REPORT_DIR,
            )
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('padron.actor', %s, true)", [ACTOR])
        paused = _pause_history() if not record_history else []
        with timer.phase("generate"):
            town = generate_town(seed, accounts, municipality=municipality(), srid=srid())
            fingerprint = town.fingerprint
        with timer.phase("ground truth and files"):
            directory = write_truth(town, truth_dir, fingerprint)
            files = write_files(town, directory / FILES_DIR)
        imports = import_files(files, timer)
        complete(town, timer)
        with timer.phase("ANALYZE"), connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(DATA_TABLES)}")
        with timer.phase("link"):
            linked = link_registry()
        _resume_history(paused)
        DemoTown.objects.create(
            seed=seed,
            accounts=accounts,
            generator_version=GENERATOR_VERSION,
            fingerprint=fingerprint,
            counts=table_counts(),
            truth_dir=str(directory),
            method=DemoTown.Method.PIPELINE,
        )
        with timer.phase("report"):
            write_report(directory / REPORT_DIR, truth=directory / "accounts.csv")
        committing = time.perf_counter()
    timer.add("commit", time.perf_counter() - committing)
    return PipelineResult(
        Outcome.LOADED,
        table_counts(),
        directory,
        fingerprint,
        report_dir=directory / REPORT_DIR,
        files=files,
        imports=imports,
        linked=linked,
    )


def srid() -> int:
    return int(settings.STORAGE_SRID)


def write_files(town: Town, directory: Path) -> TownFiles:
    """The three files, without the rejects of an earlier run next to them."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*_rechazos.*"):
        stale.unlink()
    return export_town(town, directory, srid())


def import_files(files: TownFiles, timer: Timer) -> dict[str, Summary]:
    summaries = {}
    with timer.phase("import parcels"):
        summaries["parcels"] = run_vector_import(ParcelImporter(), files.parcels)
    with timer.phase("import streets"):
        summaries["streets"] = run_vector_import(StreetImporter(), files.streets)
    with timer.phase("import padrón"):
        summaries["padron"] = import_padron(files.padron, as_of=CUT_OFF)
    return summaries


def complete(town: Town, timer: Timer) -> None:
    """Step 3: what the files do not carry, from the town's tables, by natural keys."""
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        with timer.phase("complete: stage the town"):
            for name, (table, columns) in STAGED.items():
                data = town.tables[table]
                if columns is not None:
                    data = {column: data[column] for column in columns}
                if name == "demo_town_colonia":
                    data = {**data, "key": ct.strings([colonia_key(n) for n in data["name"]])}
                stage(cursor, name, table, data)
        for what, statements in groupby(COMPLETE_SQL, key=itemgetter(0)):
            with timer.phase(f"complete: {what}"):
                for _what, statement in statements:
                    cursor.execute(statement)
        with timer.phase("complete: readings"):
            write_readings(cursor, town)


def stage(cursor: "Cursor[Any]", name: str, like: str, data: ct.Table) -> None:
    """A temporary table ``name`` with the columns of ``data``, typed as in table ``like``
    (text when ``like`` has no such column), filled with COPY."""
    cursor.execute(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        [like],
    )
    types = dict(cursor.fetchall())
    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(types.get(c, "text"))) for c in data
    )
    cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(name)))
    cursor.execute(
        sql.SQL("CREATE TEMP TABLE {} ({}) ON COMMIT DROP").format(sql.Identifier(name), columns)
    )
    copy_table(cursor, name, data)
    cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(name)))


def write_readings(cursor: "Cursor[Any]", town: Town) -> None:
    """24 months of readings of every meter of the town, on the registry's meter and account
    ids (matched by serial). The reading table is empty (``claim`` emptied the registry): its
    keys and indexes are dropped and rebuilt after, as the direct loader does."""
    cursor.execute(METER_MAP_SQL)
    cursor.execute("CREATE UNIQUE INDEX ON demo_meter_map (town_meter_id)")
    stage_reading_parameters(cursor, town)
    check_keys_now(cursor)
    definitions = drop_keys_and_indexes(cursor, (READINGS_TABLE,))
    cursor.execute(readings_sql(town.seed, mapped=True))
    restore(cursor, definitions, Timer())
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{READINGS_TABLE}', 'id'), "
        f"COALESCE(max(id), 1), max(id) IS NOT NULL) FROM {READINGS_TABLE}"
    )


def check_keys_now(cursor: "Cursor[Any]") -> None:
    """Run the foreign key checks pending in this transaction (Django's keys are checked at
    commit) and defer the next ones again: PostgreSQL alters no table with checks pending."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _pause_history() -> list[tuple[str, str]]:
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        check_keys_now(cursor)
        return set_history_triggers(cursor, [], enable=False, tables=DATA_TABLES)


def _resume_history(paused: list[tuple[str, str]]) -> None:
    if paused:
        with connection.connection.cursor() as cursor:
            check_keys_now(cursor)
            set_history_triggers(cursor, paused, enable=True, tables=DATA_TABLES)


# --- the report's headline ------------------------------------------------------------------
def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "—"


def headline(report_dir: Path) -> list[str]:
    """The report's main lines (from its resumen.json), for the console: counts only."""
    summary = report_dir / "resumen.json"
    if not summary.exists():
        return []
    data = json.loads(summary.read_text("utf-8"))
    total = int(data["accounts"])
    lines = [
        _("Cuentas: %(n)s") % {"n": total},
        _("Vinculadas a un predio: %(n)s (%(share)s)")
        % {"n": data["linked"], "share": percent(data["linked"], total)},
        _("Con tramo de calle: %(n)s (%(share)s)")
        % {"n": data["with_segment"], "share": percent(data["with_segment"], total)},
        _("Ambiguas (varios predios igual de probables): %(n)s") % {"n": data["ambiguous"]},
    ]
    truth = data.get("truth")
    if truth:
        scored = int(truth["accounts"])
        lines += [
            _("Vinculadas al predio correcto: %(n)s (%(share)s)")
            % {"n": truth["right"], "share": percent(truth["right"], scored)},
            _("Vinculadas a otro predio: %(n)s (%(share)s)")
            % {"n": truth["wrong"], "share": percent(truth["wrong"], scored)},
            _("Sin vincular: %(n)s (%(share)s)")
            % {"n": truth["unlinked"], "share": percent(truth["unlinked"], scored)},
        ]
    return lines
