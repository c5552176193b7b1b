"""Where a linking run keeps its working tables (``lk_*``), and how its statements run.

The working tables are unlogged tables in the schema ``linking_work``
(``linking/sql/post_10_linking.sql``), not temporary tables: PostgreSQL never reads a
temporary table with parallel workers (they live in the backend's own memory). Unlogged tables
skip the write-ahead log as temporary ones do, and parallel workers read them. The run also
turns parallel query back on for its transaction (the application's connections turn it off:
small map queries are faster without it, see ``config/settings.py``), so that its joins of a
million rows use both cores, as raw PostGIS does.

The tables are created inside the linking transaction and dropped before it commits; a run that
fails or is rolled back takes them away with it (PostgreSQL's DDL is transactional), so nothing
is left behind and no other session ever sees them. One run at a time: a second
``link_registry`` waits for the first to finish (advisory lock)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from gis_backend.linking import inputs

SCHEMA = "linking_work"
# pg_advisory lock key: "LINK" in ASCII.
LOCK = 0x4C494E4B
# For the run's transaction only; given back as they were when it ends. PostgreSQL's default
# per parallel query (the application's connections set 0).
SETTINGS = {"max_parallel_workers_per_gather": "2"}


@contextmanager
def workspace() -> Iterator[None]:
    """Inside the block, unqualified ``CREATE UNLOGGED TABLE lk_…`` lands in the linking schema,
    names resolve there first, then among the kept inputs, and queries may run in parallel; the
    run's tables are dropped when the block ends. Must run inside a transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("the linking workspace needs a transaction")
    wait_for_linking()
    with connection.cursor() as cursor:
        names = ["search_path", *SETTINGS]
        cursor.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(names)), names)
        before = dict(zip(names, cursor.fetchone(), strict=True))
        # The run's tables first, then the inputs kept between runs (inputs.py).
        path = f"{SCHEMA}, {inputs.SCHEMA}, {before['search_path']}"
        change = {"search_path": path, **SETTINGS}
        set_all(cursor, change)
    yield
    # On an error the transaction (or the savepoint around the run) rolls back, and the tables
    # created in it and the settings go with it.
    if not connection.needs_rollback:
        with connection.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [SCHEMA])
            tables = [f'{SCHEMA}."{name}"' for (name,) in cursor.fetchall()]
            if tables:
                cursor.execute(f"DROP TABLE {', '.join(tables)}")
            set_all(cursor, before)


def wait_for_linking() -> None:
    """For a transaction that writes what the linker reads (the parcels, the streets, the
    padrón): take the linking lock first, before any table lock, and hold it to the end. A
    linking run takes it first too, then locks the tables it reads and writes; an import that had
    locked a table of its own before it met the lock (the padrón import's address parse, the
    parcels' trigger on the state of the kept inputs) would deadlock with the run."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])


def set_all(cursor: Any, settings: dict[str, str]) -> None:
    """Set each setting for the rest of the transaction."""
    calls = ", ".join(["set_config(%s, %s, true)"] * len(settings))
    cursor.execute(f"SELECT {calls}", [item for pair in settings.items() for item in pair])
