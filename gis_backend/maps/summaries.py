"""Low-zoom summaries (maps_grid_cell, maps_segment_summary) and the data version.

The summaries are recomputed by ``maps_refresh_summaries()`` (sql/post_10_maps.sql) when the
registry's data version has moved: after every import and linking run, in the background
(``refresh_after_commit``, called by the import and link commands), by
``padron-admin refresh_map_summaries``, and otherwise lazily by the first request that needs
them, at most once per ``PADRON_MAP_SUMMARY_MIN_AGE`` seconds. While one refresh runs, requests
keep reading the previous summaries.
"""

import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.db import connection, transaction

from gis_backend.maps.db import map_cursor

# Seconds a summary is kept after the data changed before a request recomputes it. A refresh
# took 20 s on the 1M-account town, paid by the request that triggers it: after bulk loads run
# the command instead (or from cron), and keep this long enough that field edits in QGIS do not
# trigger one every few seconds.
MIN_AGE_SECONDS = float(os.environ.get("PADRON_MAP_SUMMARY_MIN_AGE", "300"))
# pg_advisory lock key: "MAPS" in ASCII.
REFRESH_LOCK = 0x4D415053
# What refresh_after_commit does: "background" (a detached ``refresh_map_summaries --if-stale``
# process, so the import command returns at once), "inline" (in this process, before
# returning), or "off".
REFRESH_MODE = os.environ.get("PADRON_MAP_SUMMARY_REFRESH", "background")

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SummaryState:
    data_version: int
    refreshed_at: datetime


def data_version() -> int:
    with map_cursor() as cursor:
        cursor.execute("SELECT maps_data_version()")
        return int(cursor.fetchone()[0])


def summary_state() -> SummaryState | None:
    with map_cursor() as cursor:
        cursor.execute("SELECT data_version, refreshed_at FROM maps_summary_state WHERE id = 1")
        row = cursor.fetchone()
    return SummaryState(int(row[0]), row[1]) if row else None


def refresh_summaries() -> int:
    """Recompute the summaries now (in the caller's transaction, or one of their own); return
    their data version."""
    with transaction.atomic(), map_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])
        return _refresh(cursor)


def _refresh(cursor: Any) -> int:
    from gis_backend.maps.aggregates import refresh_unit_summary  # aggregates imports us

    cursor.execute("SELECT maps_refresh_summaries()")
    version = int(cursor.fetchone()[0])
    refresh_unit_summary(cursor)
    return version


def refresh_if_stale() -> tuple[int, bool]:
    """Recompute the summaries unless they already reflect the current data version, waiting for
    a refresh already running; return their version and whether this call recomputed them."""
    with transaction.atomic(), map_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])
        cursor.execute(
            "SELECT (SELECT data_version FROM maps_summary_state WHERE id = 1), maps_data_version()"
        )
        summarised, current = cursor.fetchone()
        if summarised is not None and int(summarised) == int(current):
            return int(current), False
        return _refresh(cursor), True


def refresh_after_commit() -> None:
    """Bring the summaries up to date once the caller's transaction commits (at once outside
    one): for the import and link commands, so that maps at city scale show what they loaded
    without anyone running refresh_map_summaries, and without the import waiting for it (a
    refresh takes about 25 s on the 1M-account town)."""
    transaction.on_commit(_start_refresh)


def _start_refresh() -> None:
    if REFRESH_MODE == "off":
        return
    if REFRESH_MODE == "inline":
        refresh_if_stale()
        return
    command = [sys.executable, "-m", "gis_backend.manage", "refresh_map_summaries", "--if-stale"]
    try:
        # Its own session: it outlives the command that started it and ignores its Ctrl-C.
        subprocess.Popen(  # noqa: S603  (fixed argv, no shell)
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, "DATABASE_URL": database_url()},
        )
    except OSError:
        logger.exception("Could not start the map summary refresh; the first map request will.")


def database_url() -> str:
    """The database this process is connected to, as a DATABASE_URL: the refresh must update
    the database the import wrote, whatever DATABASE_URL says (a test database, say)."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgis://{credentials}{quote(host, safe='')}{port}/{quote(db['NAME'], safe='')}"


def fresh_summaries(min_age_seconds: float | None = None) -> int:
    """The data version of the summaries, recomputing them first when they are missing, or stale
    and older than ``min_age_seconds``."""
    min_age = MIN_AGE_SECONDS if min_age_seconds is None else min_age_seconds
    state = summary_state()
    if state is None:
        # Never computed (fresh database or just migrated): everyone waits for one refresh.
        return refresh_summaries()
    current = data_version()
    if current == state.data_version:
        return state.data_version
    # A transaction of its own when the caller has none (tile views run without one): the
    # advisory lock and the refresh must share it.
    with transaction.atomic(), map_cursor() as cursor:
        cursor.execute(
            "SELECT clock_timestamp() - %s > make_interval(secs => %s)",
            [state.refreshed_at, min_age],
        )
        if not cursor.fetchone()[0]:
            return state.data_version
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [REFRESH_LOCK])
        if not cursor.fetchone()[0]:
            return state.data_version  # another request is refreshing: serve what we have
        return _refresh(cursor)


# The cached body under a key for a given version (a subquery of the queries below): its
# gzipped form when the caller asks for it and there is one (tell them apart by GZIP_MAGIC).
CACHED = (
    "(SELECT CASE WHEN %(gzip)s THEN coalesce(body_gzip, body) ELSE body END"
    " FROM maps_tile_cache WHERE key = %(key)s AND data_version = {version})"
)
GZIP_MAGIC = b"\x1f\x8b"  # no MVT (first byte 0x1a) nor JSON body starts so


def live_version(cache_key: str, *, gzip: bool = False) -> tuple[int, bytes | None]:
    """The data version, and the body cached under ``cache_key`` for it: one query."""
    with map_cursor() as cursor:
        cursor.execute(
            f"SELECT v, {CACHED.format(version='v')} FROM (SELECT maps_data_version() AS v) AS d",
            {"key": cache_key, "gzip": gzip},
        )
        version, body = cursor.fetchone()
    return int(version), bytes(body) if body is not None else None


def summary_version(cache_key: str, *, gzip: bool = False) -> tuple[int, bytes | None]:
    """Like ``fresh_summaries()``, with the body cached under ``cache_key`` for the version the
    summaries have: one query when they are up to date."""
    with map_cursor() as cursor:
        cursor.execute(
            f"""
            SELECT s.data_version, maps_data_version(),
                   clock_timestamp() - s.refreshed_at > make_interval(secs => %(min_age)s),
                   {CACHED.format(version="s.data_version")}
              FROM maps_summary_state AS s
            """,
            {"key": cache_key, "min_age": MIN_AGE_SECONDS, "gzip": gzip},
        )
        row = cursor.fetchone()
    if row is None:
        return refresh_summaries(), None
    version, current, old_enough, body = row
    if version != current and old_enough:
        refreshed = fresh_summaries()
        if refreshed != version:
            return refreshed, None
    return int(version), bytes(body) if body is not None else None
