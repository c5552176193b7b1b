"""First loads of large files: written the way PostgreSQL loads data fastest, and recorded in
the registry history as one entry per table instead of one per row.

When an import (or the linker) is about to write at least ``FIRST_LOAD_ROWS`` rows into a
registry table that is empty, inside its own transaction:

- the table's foreign keys are dropped and added again after the load, which checks every row
  with one join instead of one index probe per row at commit, and its indexes other than the
  primary and unique keys are dropped and built again after the load (faster than maintaining
  them row by row; PostgreSQL's advice for bulk loads, and what shared/PERF.md measured);
- its row-history INSERT trigger is disabled for the load, and one history entry records the
  load itself: table, ``row_id`` ``*``, action ``I`` (alta), who and when (as the trigger
  would), and in ``new`` the file, the number of rows and the range of their ids.

Why the per-row INSERT records can be left out of a first load: a row's history starts from
what was loaded, and every later UPDATE records the old values of the columns it changes (a
DELETE the whole row), so the loaded values stay recoverable from the current row and its later
history; and the load entry says when, by whom and from which file they came. A table that
already holds rows, a smaller load, UPDATEs and DELETEs are always recorded row by row.

``ALTER TABLE`` locks the (empty) table until the import commits: other sessions wait for the
import instead of reading a half-loaded table."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection

from gis_backend.core import bulkload

FIRST_LOAD_ROWS = 50_000
HISTORY_INSERT_TRIGGER = "history_insert"
MAINTENANCE_WORK_MEM = "512MB"


@dataclass
class FirstLoad:
    """The tables of this load that were empty and are being loaded in bulk."""

    source: str
    tables: dict[str, str] = field(default_factory=dict)  # table -> primary key column
    foreign_keys: list[tuple[str, str, str]] = field(default_factory=list)
    indexes: list[tuple[str, str]] = field(default_factory=list)  # (name, CREATE INDEX …)
    # Tables whose history INSERT trigger was enabled (a caller may have paused history, as
    # ``load_demo --no-history`` does: then it stays paused and no entry is written).
    recorded: list[str] = field(default_factory=list)

    def __contains__(self, table: str) -> bool:
        return table in self.tables


def is_empty(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})")
        return bool(cursor.fetchone()[0])


def primary_key(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.attname FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            WHERE c.conrelid = %s::regclass AND c.contype = 'p'
            """,
            [table],
        )
        return str(cursor.fetchone()[0])


@contextmanager
def first_load(tables: tuple[str, ...], rows: int, source: str) -> Iterator[FirstLoad]:
    """Run the block with the tables among ``tables`` that are empty loaded in bulk, when the
    load brings at least ``FIRST_LOAD_ROWS`` rows; record the load in the history after it.
    Must run inside the import's transaction."""
    load = FirstLoad(source)
    if rows >= FIRST_LOAD_ROWS:
        load.tables = {table: primary_key(table) for table in tables if is_empty(table)}
    if load.tables:
        begin(load)
    yield load
    if load.tables:
        finish(load)


def begin(load: FirstLoad) -> None:
    with connection.cursor() as cursor:
        load.foreign_keys = bulkload.foreign_keys(cursor, list(load.tables))
        # Pending checks of earlier statements in this transaction run now: PostgreSQL alters
        # no table with trigger events pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        # Index builds after the load sort in memory (the server default is 64 MB).
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
        for table, name, _definition in load.foreign_keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        # Indexes that back no constraint (primary and unique keys stay: statements of the
        # load may rely on them).
        load.indexes = [
            (name, definition)
            for name, definition, _table in bulkload.secondary_indexes(cursor, list(load.tables))
        ]
        for name, _definition in load.indexes:
            cursor.execute(f"DROP INDEX {name}")
        enabled = bulkload.enabled_triggers(cursor, list(load.tables), name=HISTORY_INSERT_TRIGGER)
        bulkload.set_triggers(cursor, enabled, enable=False)
        load.recorded = [table for table, _trigger in enabled]


def finish(load: FirstLoad) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for _name, definition in load.indexes:
            cursor.execute(definition)
        for table, name, definition in load.foreign_keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for table in load.tables:
            # Statistics now, not whenever autovacuum comes: the next import or the linker
            # plans its joins on this table.
            cursor.execute(f"ANALYZE {table}")
        for table in load.recorded:
            key = load.tables[table]
            bulkload.set_triggers(cursor, [(table, HISTORY_INSERT_TRIGGER)], enable=True)
            cursor.execute(
                f"""
                INSERT INTO registry_registryhistory
                    (table_name, row_id, action, changed_at, changed_by, db_role, old, new)
                SELECT %s, '*', 'I', clock_timestamp(), registry_history_actor(), session_user,
                       NULL,
                       jsonb_build_object(
                           'carga_inicial', %s::text, 'filas', count(*),
                           'id_desde', min({key}), 'id_hasta', max({key}))
                FROM {table}
                HAVING count(*) > 0
                """,
                [table, load.source],
            )
