"""Loads a generated town into the registry tables with COPY, in the caller's transaction.

For speed at a million accounts the loader follows PostgreSQL's bulk-load advice: it drops the
indexes and the primary, unique and foreign keys of the tables it fills (and of foreign keys
that point at them), COPYs the rows, writes 24 months of readings in one INSERT … SELECT, then
recreates exactly the same constraints and indexes (their definitions are read from the
catalogue first) and ANALYZEs. Check constraints and triggers stay in place all along, so
the registry's history triggers record the load as any other insert (actor "demo"), unless
the caller asks for no row history: then those triggers alone (functions ``registry_history*``)
are disabled for this transaction and enabled again before it ends; the load itself is still
recorded in demo_demotown. It never writes registry_accountlink.
"""

import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from psycopg import Cursor, sql

from gis_backend.core import bulkload
from gis_backend.demo import accounts as ac
from gis_backend.demo import copytext as ct
from gis_backend.demo.town import Town

# Every registry table the demo fills, in load order (parents first).
LOAD_ORDER = (
    "registry_colonia",
    "registry_sector",
    "registry_readingroute",
    "registry_parcel",
    "registry_streetsegment",
    "registry_holder",
    "registry_account",
    "registry_meter",
    "registry_collectionsnapshot",
    "registry_suspensionevent",
)
READINGS_TABLE = "registry_reading"
FILLED = (*LOAD_ORDER, READINGS_TABLE)
# Registry tables that hold padrón data (history is an audit log, not data).
DATA_TABLES = (*FILLED, "registry_accountlink")

ACTOR = "demo"
HISTORY_FUNCTIONS = "registry_history%"  # trigger functions of the registry's row history
_PERIOD_COLUMNS = "(k integer, period date)"
_PARAM_COLUMNS = (
    "(meter_id bigint, account_id bigint, first_k integer, last_k integer,"
    " base bigint, noise bigint,"
    " half_from integer, stop_from integer, estimated_from integer, start bigint)"
)


def _value_sql(k: str, seed: int) -> str:
    """Meter reading, in tenths of m³, at period ``k`` (see meters.py for the parameters)."""
    frozen = f"LEAST({k}, p.stop_from - 1)"
    hashed = f"hashint8extended(p.meter_id * 64 + {frozen} + 1, {int(seed)})"
    noise = f"(({hashed} & 1048575) % (2 * p.noise + 1))"
    flow = (
        f"p.base * LEAST({k} + 1, p.half_from)"
        f" + (p.base / 2) * GREATEST(0, LEAST({k} + 1, p.stop_from) - p.half_from)"
    )
    estimated = f"p.start + p.noise + p.base * ({k} + 1)"
    return f"CASE WHEN {k} >= p.estimated_from THEN {estimated} ELSE p.start + {flow} + {noise} END"


def readings_sql(seed: int, *, mapped: bool = False) -> str:
    """24 months of readings from demo_meter_params (see ``stage_reading_parameters``).

    With ``mapped``, the meter and account ids written are the registry's, from the temporary
    table demo_meter_map (town_meter_id, meter_id, account_id): the town was loaded through the
    importers, which gave its rows ids of their own. The values still hash the town's meter id,
    so they are the same whichever way the town was loaded."""
    ids = "m.meter_id, m.account_id" if mapped else "p.meter_id, p.account_id"
    mapping = "JOIN demo_meter_map m ON m.town_meter_id = p.meter_id" if mapped else ""
    return f"""
        INSERT INTO {READINGS_TABLE}
            (id, meter_id, account_id, period, value, consumption, estimated)
        SELECT (ids.meter_id - 1) * {ac.PERIODS} + per.k + 1, ids.meter_id, ids.account_id,
               per.period, v.value / 10.0, (v.value - v.previous) / 10.0,
               per.k >= p.estimated_from
        FROM demo_meter_params p
        {mapping}
        CROSS JOIN LATERAL (SELECT {ids}) AS ids (meter_id, account_id)
        JOIN demo_periods per ON per.k BETWEEN p.first_k AND p.last_k
        CROSS JOIN LATERAL (
            SELECT {_value_sql("per.k", seed)} AS value, {_value_sql("per.k - 1", seed)} AS previous
        ) v
    """


@dataclass
class Timer:
    """Seconds spent per phase, in order; ``report`` is called as each phase ends."""

    phases: dict[str, float] = field(default_factory=dict)
    report: Callable[[str, float], None] | None = None

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.add(name, time.perf_counter() - started)

    def add(self, name: str, seconds: float) -> None:
        self.phases[name] = self.phases.get(name, 0.0) + seconds
        if self.report is not None:
            self.report(name, seconds)


@dataclass
class _Definitions:
    keys: list[tuple[str, str, str]]  # (table, constraint, definition): primary and unique keys
    indexes: list[tuple[str, str]]  # (table, CREATE INDEX statement)
    foreign: list[tuple[str, str, str]]


def registry_has_data() -> bool:
    with connection.cursor() as cursor:
        for table in DATA_TABLES:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            if cursor.fetchone()[0]:
                return True
    return False


def clear_registry() -> None:
    """Empty the padrón tables (and whatever references them), restarting their ids."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(DATA_TABLES)} RESTART IDENTITY CASCADE")


def load_town(town: Town, timer: Timer | None = None, *, record_history: bool = True) -> str:
    """COPY ``town`` into empty registry tables; returns the fingerprint of what was written.
    Must run inside a transaction (``transaction.atomic``)."""
    if not connection.in_atomic_block:
        raise RuntimeError("load_town must run inside a transaction")
    timer = timer or Timer()
    digest = hashlib.sha256()
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        cursor.execute("SELECT set_config('padron.actor', %s, true)", [ACTOR])
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 2")
        with timer.phase("drop keys and indexes"):
            definitions = drop_keys_and_indexes(cursor)
            paused = [] if record_history else set_history_triggers(cursor, [], enable=False)
        for table in LOAD_ORDER:
            with timer.phase(f"COPY {table}"):
                copy_table(cursor, table, town.tables[table], digest)
        with timer.phase(f"readings ({READINGS_TABLE})"):
            _write_readings(cursor, town, digest)
        restore(cursor, definitions, timer)
        set_history_triggers(cursor, paused, enable=True)
        with timer.phase("sequences and ANALYZE"):
            reset_sequences(cursor)
            cursor.execute(f"ANALYZE {', '.join(FILLED)}")
    return digest.hexdigest()


def copy_table(cursor: "Cursor[Any]", table: str, data: ct.Table, digest: Any = None) -> None:
    """COPY the columns of ``data`` into ``table``, feeding what is written to ``digest``."""
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in data)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), columns)
    if digest is not None:
        digest.update(f"{table}:{','.join(data)}\n".encode())
    with cursor.copy(statement) as copy:
        for piece in ct.chunks(data):
            encoded = piece.encode()
            if digest is not None:
                digest.update(encoded)
            copy.write(encoded)


def _write_readings(cursor: "Cursor[Any]", town: Town, digest: Any) -> None:
    stage_reading_parameters(cursor, town, digest)
    cursor.execute(readings_sql(town.seed))


def stage_reading_parameters(cursor: "Cursor[Any]", town: Town, digest: Any = None) -> None:
    """The temporary tables readings_sql reads: demo_periods and demo_meter_params."""
    cursor.execute("DROP TABLE IF EXISTS demo_periods, demo_meter_params")
    cursor.execute(f"CREATE TEMP TABLE demo_periods {_PERIOD_COLUMNS} ON COMMIT DROP")
    cursor.execute(f"CREATE TEMP TABLE demo_meter_params {_PARAM_COLUMNS} ON COMMIT DROP")
    cursor.execute(
        "INSERT INTO demo_periods SELECT k, (%s::date + make_interval(months => k))::date "
        "FROM generate_series(0, %s) AS k",
        [str(ac.FIRST_PERIOD) + "-01", ac.PERIODS - 1],
    )
    copy_table(cursor, "demo_meter_params", town.readings, digest)


def drop_keys_and_indexes(cursor: "Cursor[Any]", tables: tuple[str, ...] = FILLED) -> _Definitions:
    """Drop the primary, unique and foreign keys and the indexes of ``tables`` (and foreign keys
    pointing at them), returning their definitions for ``restore``."""
    names = list(tables)
    cursor.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c
        WHERE c.contype IN ('p', 'u') AND c.conrelid = ANY(%s::regclass[])
        ORDER BY c.contype, c.conrelid::regclass::text, c.conname
        """,
        [names],
    )
    keys = [(table, name, definition) for table, name, definition in cursor.fetchall()]
    foreign = bulkload.foreign_keys(cursor, names, incoming=True)
    indexes = bulkload.secondary_indexes(cursor, names)
    for table, name, _ in foreign + keys:
        cursor.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.SQL(table), sql.Identifier(name)
            )
        )
    for name, _, _ in indexes:
        cursor.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(name)))
    return _Definitions(keys=keys, indexes=[(t, d) for _, d, t in indexes], foreign=foreign)


def set_history_triggers(
    cursor: "Cursor[Any]",
    triggers: list[tuple[str, str]],
    *,
    enable: bool,
    tables: tuple[str, ...] = FILLED,
) -> list[tuple[str, str]]:
    """Disable the enabled history triggers of ``tables`` (returning them), or enable the given
    ones again."""
    if not enable:
        triggers = bulkload.enabled_triggers(cursor, list(tables), function_like=HISTORY_FUNCTIONS)
    bulkload.set_triggers(cursor, triggers, enable=enable)
    return triggers


def _add_constraint(cursor: "Cursor[Any]", table: str, name: str, definition: str) -> None:
    statement = sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
        sql.SQL(table), sql.Identifier(name)
    )
    cursor.execute(statement + sql.SQL(definition))  # type: ignore[arg-type]


def restore(cursor: "Cursor[Any]", definitions: _Definitions, timer: Timer) -> None:
    """Keys first (foreign keys need them), then indexes, then foreign keys; timed per table."""
    for table, name, definition in definitions.keys:
        with timer.phase(f"keys and indexes: {table}"):
            _add_constraint(cursor, table, name, definition)
    for table, statement in definitions.indexes:
        with timer.phase(f"keys and indexes: {table}"):
            cursor.execute(statement)
    for table, name, definition in definitions.foreign:
        with timer.phase(f"foreign keys: {table}"):
            _add_constraint(cursor, table, name, definition)


def reset_sequences(cursor: "Cursor[Any]") -> None:
    for table in FILLED:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            "COALESCE(max(id), 1), max(id) IS NOT NULL) "
            f"FROM {table}"
        )


def table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in FILLED:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = int(cursor.fetchone()[0])
    return counts
