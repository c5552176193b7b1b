"""Parsed addresses of accounts and parcels, staged in temporary tables for set-based matching.

Parsing runs in Python (the normaliser); each distinct street, number and colonia string is
parsed once, so a million accounts cost only the few thousand distinct strings plus a cheap
per-row assembly. A street field that carries more than a street name, or a number field the
parser cannot read, needs the whole address parsed: that is cached per (street, number,
colonia)."""

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from django.db import connection

from gis_backend.imports.columns import gc_paused
from gis_backend.imports.engine import COPY_NULL, copy_cells, text_cells
from gis_backend.linking import address

# Street fields that may carry more than a street name (a number, '#', a colonia) get the full
# parse; the others are parsed as a street name alone, which is cached.
_NEEDS_FULL_PARSE = re.compile(
    r"\d|#|\bCOL\b|\bFRACC|\bS/?N\b|CONOCIDO|\bINT\b|\bNO\.", re.IGNORECASE
)
_SEPARATORS = re.compile(r"[^0-9A-Z]")
CACHE = 1 << 18

# (street match key, phonetic key, exterior number, suffix, unnumbered, colonia key, typed)
Fields = tuple[str | None, str | None, int | None, str, bool, str | None, bool]


def cadastral_key(raw: str) -> str:
    """Cadastral keys compared without separators or case ('11-011-001' = '11011 001')."""
    return _SEPARATORS.sub("", raw.upper())


@lru_cache(maxsize=CACHE)
def parsed_number(raw: str) -> address.HouseNumber:
    return address.parse_number(raw)


@lru_cache(maxsize=CACHE)
def full_parse(street: str, ext: str) -> address.Address:
    """The street and number fields parsed together; the colonia field apart (``parse_address``
    takes the colonia from the street field only when the colonia field names none)."""
    return address.parse_address(street, ext, "", "")


@lru_cache(maxsize=CACHE)
def colonia_field_key(colonia: str) -> str | None:
    """The key of the colonia the colonia field names; None when it names none."""
    name, _postal_code = address.colonia_field(colonia)
    return None if name is None else name.key


@lru_cache(maxsize=CACHE)
def parsed_street(street: str) -> tuple[address.StreetName, bool]:
    """The street name alone, and whether the field needs the whole address parsed."""
    return address.parse_street(street), bool(_NEEDS_FULL_PARSE.search(street))


@lru_cache(maxsize=CACHE)
def colonia_key(colonia: str) -> str:
    return address.parse_colonia(colonia).key


def parse_fields(
    street: str, ext: str, colonia: str
) -> tuple[address.StreetName, address.HouseNumber, str]:
    number = parsed_number(ext)
    street_name, needs_full_parse = parsed_street(street)
    if needs_full_parse or number.number is None:
        parsed = full_parse(street, ext)
        key = colonia_field_key(colonia)
        return parsed.street, parsed.number, parsed.colonia.key if key is None else key
    return street_name, number, colonia_key(colonia)


@lru_cache(maxsize=CACHE)
def full_fields(street: str, ext: str, colonia: str) -> Fields:
    return as_fields(*parse_fields(street, ext, colonia))


def as_fields(street_name: address.StreetName, number: address.HouseNumber, colonia: str) -> Fields:
    return (
        street_name.match_key or None,
        street_name.phonetic or None,
        number.number,
        number.suffix,
        number.is_unnumbered,
        colonia or None,
        bool(street_name.street_type),
    )


@lru_cache(maxsize=CACHE)
def street_fields(street: str) -> tuple[str | None, str | None, bool, bool]:
    """(match key, phonetic key, typed, needs the whole address parsed) of a street field."""
    name, needs_full_parse = parsed_street(street)
    return (
        name.match_key or None,
        name.phonetic or None,
        bool(name.street_type),
        needs_full_parse,
    )


@lru_cache(maxsize=CACHE)
def number_fields(ext: str) -> tuple[int, str, bool] | None:
    """(number, suffix, unnumbered) of a number field; None when it gives no number."""
    number = parsed_number(ext)
    if number.number is None:
        return None
    return number.number, number.suffix, number.is_unnumbered


def address_fields(street: str, ext: str, colonia: str) -> Fields:
    """``as_fields(*parse_fields(...))``, from the per-field caches when they are enough."""
    match_key, phonetic, typed, needs_full_parse = street_fields(street)
    number = number_fields(ext)
    if needs_full_parse or number is None:
        return full_fields(street, ext, colonia)
    return (match_key, phonetic, *number, colonia_key(colonia) or None, typed)


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


def fetch(sql: str, name: str) -> Iterator[tuple[Any, ...]]:
    with connection.connection.cursor(name=name) as cursor:
        cursor.itersize = 50_000
        cursor.execute(sql)
        yield from cursor


def parsed_addresses(sql: str, name: str) -> tuple[list[Any], list[str], list[list[Any]]]:
    """Ids, cadastral keys (compared form) and the address fields, column by column, of the rows
    ``sql`` selects as (id, cadastral key, street, number, colonia)."""
    ids, keys, fields = [], [], []
    for row_id, key, street, number, colonia in fetch(sql, name):
        ids.append(row_id)
        keys.append(cadastral_key(key) if key else "")
        fields.append(address_fields(street, number, colonia))
    return ids, keys, transpose(fields, 7)


def account_columns() -> dict[str, list[Any]]:
    ids, keys, fields = parsed_addresses(
        "SELECT id, billing_cadastral_key, billing_street, billing_ext_number, billing_colonia "
        "FROM registry_account",
        "link_accounts",
    )
    street_key, phonetic, number, suffix, unnumbered, colonia, _typed = fields
    return {
        "account_id": ids,
        "cadastral_key": [key or None for key in keys],
        "street_key": street_key,
        "street_phonetic": phonetic,
        "number": number,
        "suffix": suffix,
        "unnumbered": unnumbered,
        "colonia_key": colonia,
    }


def parcel_columns() -> dict[str, list[Any]]:
    ids, keys, fields = parsed_addresses(
        """
        SELECT p.id, p.cadastral_key, p.street, p.number, coalesce(c.name, '')
        FROM registry_parcel p LEFT JOIN registry_colonia c ON c.id = p.colonia_id
        """,
        "link_parcels",
    )
    street_key, _phonetic, number, suffix, _unnumbered, colonia, typed = fields
    return {
        "parcel_id": ids,
        "cadastral_key": keys,
        "street_key": street_key,
        "number": number,
        "suffix": suffix,
        "colonia_key": colonia,
        "typed": typed,
    }


def transpose(rows: list[Fields], width: int) -> list[list[Any]]:
    if not rows:
        return [[] for _column in range(width)]
    return [list(column) for column in zip(*rows, strict=True)]


def copy_cells_of(values: list[Any], sql_type: str) -> list[str]:
    """One column as COPY text cells."""
    if sql_type == "text":
        return text_cells(values)
    if sql_type == "boolean":
        return [COPY_NULL if value is None else ("t" if value else "f") for value in values]
    return [COPY_NULL if value is None else str(value) for value in values]


def stage_table(table: str, columns: dict[str, str], values: dict[str, list[Any]]) -> None:
    copy_cells(table, {name: copy_cells_of(values[name], t) for name, t in columns.items()})


def stage_addresses() -> None:
    """Fill the temporary tables lk_account and lk_parcel (dropped at commit)."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        for table, columns in (("lk_account", ACCOUNT_COLUMNS), ("lk_parcel", PARCEL_COLUMNS)):
            definitions = ", ".join(f"{n} {t}" for n, t in columns.items())
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE TEMP TABLE {table} ({definitions}) ON COMMIT DROP")
    # Read the rows first: a named cursor and COPY cannot share the connection.
    with gc_paused():
        accounts = account_columns()
        stage_table("lk_account", ACCOUNT_COLUMNS, accounts)
        del accounts
        parcels = parcel_columns()
        stage_table("lk_parcel", PARCEL_COLUMNS, parcels)
        del parcels
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX ON lk_account (account_id)")
        cursor.execute("CREATE INDEX ON lk_parcel (parcel_id)")
        cursor.execute("CREATE INDEX ON lk_parcel (cadastral_key)")
        cursor.execute("CREATE INDEX ON lk_parcel (street_key, number)")
        cursor.execute("CREATE INDEX ON lk_parcel (street_key, colonia_key, number)")
        cursor.execute("ANALYZE lk_account")
        cursor.execute("ANALYZE lk_parcel")
