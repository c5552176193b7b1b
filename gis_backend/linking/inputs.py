"""The linker's inputs kept between runs, in the schema ``linking_inputs``
(``linking/sql/post_10_linking.sql``).

A linking run compares every account's parsed address with every parcel's, and finds each
parcel's frontage among the street segments within 30 m. Parsing a million addresses and that
spatial join took a third of a run at a million accounts, and most runs follow a padrón import
that changed a few thousand accounts and no parcel. So they are kept, as unlogged tables (a
crash empties them; the next run prepares them again):

- ``lk_account``: every account's parsed address, with a digest of the fields it was read from.
  Each run (and each padrón import, ``imports/padron.py``) parses again the accounts whose
  fields no longer match their digest, and those without one; it drops those of accounts gone.
- ``lk_parcel``, ``lk_parcel_segment`` and ``lk_gap``: every parcel's parsed address (with the
  street type and colonia its frontage gives, link.sql), the segments within 30 m of it and the
  gaps in the numbering of each street and colonia, with the unnumbered parcel at each number
  between two numbered neighbours or one step beyond them (link.sql, step parcel_streets).
  Statement triggers on the parcels, the street segments and the colonias mark them out of
  date (``state.parcels_ready``); the next run prepares them again whole.

When the linking code changes (``fingerprint``), the kept tables are dropped and prepared
again; ``migrate`` drops them too (the schema is created again with the SQL files)."""

import hashlib
from functools import cache
from pathlib import Path

from django.db import connection

SCHEMA = "linking_inputs"
TABLES = ("lk_account", "lk_parcel", "lk_parcel_segment", "lk_gap")
CODE = Path(__file__).resolve().parent


@cache
def fingerprint() -> str:
    """A digest of the code that prepares the inputs: the linking package's Python, its SQL and
    its address vocabulary."""
    digest = hashlib.sha256()
    for path in sorted(CODE.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".sql", ".txt", ".csv", ".yaml", ".json"}:
            digest.update(str(path.relative_to(CODE)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def check_fingerprint() -> None:
    """Drop the kept inputs when another version of the code prepared them (or none did); the
    row lock on the state waits for any transaction that is changing the parcels."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT fingerprint FROM {SCHEMA}.state FOR UPDATE")
        (kept,) = cursor.fetchone()
        if kept == fingerprint():
            return
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join(f'{SCHEMA}.{t}' for t in TABLES)}")
        cursor.execute(
            f"UPDATE {SCHEMA}.state SET fingerprint = %s, parcels_ready = false", [fingerprint()]
        )


def parcels_ready() -> bool:
    """Whether the kept parcel-side inputs match the parcel and street layers."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT parcels_ready FROM {SCHEMA}.state")
        return bool(cursor.fetchone()[0])


def mark_parcels_ready() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {SCHEMA}.state SET parcels_ready = true")
