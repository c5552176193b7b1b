"""Database cursor for the map queries.

Settings for each new database session: JIT compilation off (the planner's estimates for the
located-accounts union are high enough to trigger it, and compiling took 4.5 s for a query that
then ran in 0.5 s on the 1M-account town); enough work_mem to sort a page of 10,000 wide rows in
memory; random_page_cost for data in memory or on SSD. The web role should have ``jit = off``
anyway, like ``max_parallel_workers_per_gather = 0`` (../shared/PERF.md); this makes the map API
safe without it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection


@contextmanager
def map_cursor() -> Iterator[Any]:
    with connection.cursor() as cursor:
        # Once per database session (Django reconnects under the same wrapper object).
        if getattr(connection, "_padron_jit_off", None) is not connection.connection:
            cursor.execute("SET jit = off")
            # Sorting a page of 10,000 wide rows in memory, not in temporary files.
            cursor.execute("SET work_mem = '32MB'")
            # The registry's indexes are in memory or on SSD: index lookups are not 4 times a
            # sequential read. With the default, the planner hash-joined the whole link table
            # (770,000 rows) to find the accounts of 4,000 parcels.
            cursor.execute("SET random_page_cost = 1.1")
            connection._padron_jit_off = connection.connection  # type: ignore[attr-defined]
        yield cursor
