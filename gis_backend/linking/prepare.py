"""Parsed addresses of accounts and parcels, staged in temporary tables for set-based matching.

Parsing runs in Python (the normaliser); each distinct street, number and colonia string is
parsed once, so a million accounts cost only the few thousand distinct strings plus a cheap
per-row assembly."""

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from django.db import connection

from gis_backend.imports.engine import copy_rows
from gis_backend.linking import address

# Street fields that may carry more than a street name (a number, '#', a colonia) get the full
# parse; the others are parsed as a street name alone, which is cached.
_NEEDS_FULL_PARSE = re.compile(
    r"\d|#|\bCOL\b|\bFRACC|\bS/?N\b|CONOCIDO|\bINT\b|\bNO\.", re.IGNORECASE
)


def cadastral_key(raw: str) -> str:
    """Cadastral keys compared without separators or case ('11-011-001' = '11011 001')."""
    return re.sub(r"[^0-9A-Z]", "", raw.upper())


@lru_cache(maxsize=1 << 18)
def parsed_number(raw: str) -> address.HouseNumber:
    return address.parse_number(raw)


@lru_cache(maxsize=1 << 18)
def full_parse(street: str, ext: str, colonia: str) -> address.Address:
    return address.parse_address(street, ext, "", colonia)


def parse_fields(
    street: str, ext: str, colonia: str
) -> tuple[address.StreetName, address.HouseNumber, str]:
    number = parsed_number(ext)
    if _NEEDS_FULL_PARSE.search(street) or number.number is None:
        parsed = full_parse(street, ext, colonia)
        return parsed.street, parsed.number, parsed.colonia.key
    return address.parse_street(street), number, address.parse_colonia(colonia).key


ACCOUNT_COLUMNS = {
    "account_id": "bigint",
    "cadastral_key": "text",
    "street_key": "text",
    "street_phonetic": "text",
    "number": "int",
    "suffix": "text",
    "unnumbered": "boolean",
    "colonia_key": "text",
}
PARCEL_COLUMNS = {
    "parcel_id": "bigint",
    "cadastral_key": "text",
    "street_key": "text",
    "number": "int",
    "suffix": "text",
    "colonia_key": "text",
    "typed": "boolean",
}


def _account_rows() -> Iterator[tuple[Any, ...]]:
    with connection.connection.cursor(name="link_accounts") as cursor:
        cursor.itersize = 20_000
        cursor.execute(
            """
            SELECT id, billing_cadastral_key, billing_street, billing_ext_number, billing_colonia
            FROM registry_account
            """
        )
        for account_id, key, street, ext, colonia in cursor:
            street_name, number, colonia_key = parse_fields(street, ext, colonia)
            yield (
                account_id,
                cadastral_key(key) or None,
                street_name.match_key or None,
                street_name.phonetic or None,
                number.number,
                number.suffix,
                number.is_unnumbered,
                colonia_key or None,
            )


def _parcel_rows() -> Iterator[tuple[Any, ...]]:
    with connection.connection.cursor(name="link_parcels") as cursor:
        cursor.itersize = 20_000
        cursor.execute(
            """
            SELECT p.id, p.cadastral_key, p.street, p.number, coalesce(c.name, '')
            FROM registry_parcel p LEFT JOIN registry_colonia c ON c.id = p.colonia_id
            """
        )
        for parcel_id, key, street, number_text, colonia in cursor:
            street_name, number, colonia_key = parse_fields(street, number_text, colonia)
            yield (
                parcel_id,
                cadastral_key(key),
                street_name.match_key or None,
                number.number,
                number.suffix,
                colonia_key or None,
                bool(street_name.street_type),
            )


def stage_addresses() -> None:
    """Fill the temporary tables lk_account and lk_parcel (dropped at commit)."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        for table, columns in (("lk_account", ACCOUNT_COLUMNS), ("lk_parcel", PARCEL_COLUMNS)):
            definitions = ", ".join(f"{n} {t}" for n, t in columns.items())
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE TEMP TABLE {table} ({definitions}) ON COMMIT DROP")
    # Materialise the rows first: a named cursor and COPY cannot share the connection.
    accounts = list(_account_rows())
    copy_rows("lk_account", ACCOUNT_COLUMNS, accounts)
    parcels = list(_parcel_rows())
    copy_rows("lk_parcel", PARCEL_COLUMNS, parcels)
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX ON lk_account (account_id)")
        cursor.execute("CREATE INDEX ON lk_parcel (cadastral_key)")
        cursor.execute("CREATE INDEX ON lk_parcel (street_key, number)")
        cursor.execute("ANALYZE lk_account")
        cursor.execute("ANALYZE lk_parcel")
