"""Parsed addresses of accounts and parcels, staged in tables for set-based matching: the
linker's inputs kept between runs (``inputs.py``: ``linking_inputs.lk_account`` and
``lk_parcel``), brought up to date at the start of a run and by the padrón import.

Parsing runs in Python (the normaliser), once per distinct value of the rows to stage: every
distinct street field, number field and colonia field, then every distinct (street, number)
pair whose street field carries more than a street name or whose number field gives no number
(those need the whole address parsed). The parses are staged as small tables of the run
(lk_*_parse) and PostgreSQL assembles the rows from them with hash joins (``staged_sql``);
``address_fields`` gives the same fields for one row in Python."""

import re
from functools import lru_cache
from typing import Any, NamedTuple

from django.db import connection

from gis_backend.imports.engine import copy_rows
from gis_backend.linking import address, inputs

# Street fields that may carry more than a street name (a number, '#', a colonia) get the full
# parse; the others are parsed as a street name alone, which is cached.
_NEEDS_FULL_PARSE = re.compile(
    r"\d|#|\bCOL\b|\bFRACC|\bS/?N\b|CONOCIDO|\bINT\b|\bNO\.", re.IGNORECASE
)
CACHE = 1 << 18

# A parcel numbered as a range or a pair: '12-14', '12 Y 14', '12 AL 16', '12, 14'.
_NUMBER_RANGE = re.compile(r"(\d+)\s*(?:-|–|—|/|,|\bY\b|\bAL\b)\s*(\d+)", re.IGNORECASE)
RANGE_SPAN = 20  # the widest range read as one parcel's numbers


class NumberFields(NamedTuple):
    """What the linker compares of a house number."""

    number: int | None
    suffix: str | None
    unnumbered: bool | None
    manzana: str | None
    lote: str | None
    # The last number of a range ('12-14' -> 14): read only for parcels, whose official number
    # has no interior (an account's '12-14' is number 12, interior 14).
    number_to: int | None


class Fields(NamedTuple):
    """What the linker compares of an address: staged columns of lk_account and lk_parcel."""

    street_key: str | None
    street_phonetic: str | None
    colonia_key: str | None
    typed: bool
    number: int | None
    suffix: str | None
    unnumbered: bool | None
    manzana: str | None
    lote: str | None
    number_to: int | None


def range_end(number: address.HouseNumber) -> int | None:
    """The second number of a range or pair that starts with the number, on the same side of
    the street and at most ``RANGE_SPAN`` further; None otherwise."""
    found = _NUMBER_RANGE.search(number.raw)
    if number.number is None or found is None or int(found[1]) != number.number:
        return None
    last = int(found[2])
    span = last - number.number
    return last if 0 < span <= RANGE_SPAN and span % 2 == 0 else None


def as_number_fields(number: address.HouseNumber) -> NumberFields:
    return NumberFields(
        number.number,
        number.suffix,
        number.is_unnumbered,
        number.manzana or None,
        number.lote or None,
        range_end(number),
    )


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
def colonia_key(colonia: str) -> str:
    return address.parse_colonia(colonia).key


def as_fields(street_name: address.StreetName, number: address.HouseNumber, colonia: str) -> Fields:
    return Fields(
        street_key=street_name.match_key or None,
        street_phonetic=street_name.phonetic or None,
        colonia_key=colonia or None,
        typed=bool(street_name.street_type),
        **as_number_fields(number)._asdict(),
    )


@lru_cache(maxsize=CACHE)
def street_fields(street: str) -> tuple[str | None, str | None, bool, bool]:
    """(match key, phonetic key, typed, needs the whole address parsed) of a street field. A
    field that needs the whole address parsed is not parsed alone: every row with it takes the
    whole parse (a padrón with the address in one field would be parsed twice)."""
    if _NEEDS_FULL_PARSE.search(street):
        return None, None, False, True
    name = address.parse_street(street)
    return name.match_key or None, name.phonetic or None, bool(name.street_type), False


@lru_cache(maxsize=CACHE)
def number_fields(ext: str) -> NumberFields | None:
    """What the linker compares of a number field; None when it gives no number."""
    number = parsed_number(ext)
    return None if number.number is None else as_number_fields(number)


def address_fields(street: str, ext: str, colonia: str) -> Fields:
    """The fields of one row, by the rule the staging applies in SQL (``FIELDS_SQL``): the
    whole-address parse where the street field carries more than a name or the number field
    gives no number (its colonia unless the colonia field names one), else the per-field ones."""
    match_key, phonetic, typed, needs_full_parse = street_fields(street)
    number = number_fields(ext)
    if needs_full_parse or number is None:
        fields = whole_address_fields(street, ext)
        field_key = colonia_field_key(colonia)
        return fields if field_key is None else fields._replace(colonia_key=field_key or None)
    return Fields(
        street_key=match_key,
        street_phonetic=phonetic,
        colonia_key=colonia_key(colonia) or None,
        typed=typed,
        **number._asdict(),
    )


def whole_address_fields(street: str, ext: str) -> Fields:
    """``as_fields`` of the street and number fields parsed together, with the colonia the
    street field names (the colonia field, when it names one, wins)."""
    parsed = full_parse(street, ext)
    return as_fields(parsed.street, parsed.number, parsed.colonia.key)


# The parse of each distinct field value, staged once (lk_*_parse); the rows are assembled from
# them in SQL (hash joins), so Python never walks a million rows.
NUMBER_COLUMNS = (
    "number int, suffix text, unnumbered boolean, manzana text, lote text, number_to int"
)
PARSE_TABLES = {
    "lk_street_parse": "raw text, match_key text, phonetic text, typed boolean, needs_full boolean",
    "lk_number_parse": f"raw text, {NUMBER_COLUMNS}",
    "lk_colonia_parse": "raw text, colonia_key text, field_key text",
    "lk_full_parse": "street text, ext text, street_key text, street_phonetic text, "
    f"colonia_key text, typed boolean, {NUMBER_COLUMNS}",
}
# An account's fields that its staged address is read from, as one digest: the kept address of
# an account whose digest differs (or that has none) is parsed again. A 64-bit hash (a changed
# address keeps its old digest with odds of one in 2^64), cheap enough to compute for every
# account on every run: md5 took 1.8 s a million. The four columns are NOT NULL; a unit
# separator keeps 'A', 'BC' apart from 'AB', 'C'.
ACCOUNT_SOURCE_DIGEST = (
    "hashtextextended(concat_ws(E'\\x1f', a.billing_cadastral_key, a.billing_street, "
    "a.billing_ext_number, a.billing_colonia), 0)"
)
# (id, cadastral key, street, number, colonia) of every account and every parcel; the
# account's with the digest of those fields.
SOURCES = {
    "lk_account": f"""
        SELECT a.id, a.billing_cadastral_key AS cadastral_key, a.billing_street AS street,
               a.billing_ext_number AS ext, a.billing_colonia AS colonia,
               {ACCOUNT_SOURCE_DIGEST} AS source_digest
          FROM registry_account a""",
    "lk_parcel": """
        SELECT p.id, p.cadastral_key, p.street, p.number AS ext,
               coalesce(c.name, '') AS colonia, p.geom
          FROM registry_parcel p LEFT JOIN registry_colonia c ON c.id = p.colonia_id""",
}
# Cadastral keys are compared by their ASCII letters and digits, case aside
# ('11-011-001' = '11011 001'). A key with nothing but hyphens between them (most) loses them
# by replace(), the others by a regular expression: 1.05 s -> 0.35 s a million keys, one core.
CADASTRAL_KEY_SQL = (
    "CASE WHEN {0} ~ '[^0-9A-Za-z-]' THEN upper(regexp_replace({0}, '[^0-9A-Za-z]', '', 'g')) "
    "ELSE upper(replace({0}, '-', '')) END"
)
# One staged row's fields: from the whole-address parse where the street field carries more
# than a name or the number field gives no number (lk_full_parse has exactly those pairs), else
# from the per-field parses. Empty keys are NULL.
PER_FIELD = {
    "street_key": "s.match_key",
    "street_phonetic": "s.phonetic",
    "typed": "s.typed",
    **{name: f"n.{name}" for name in NumberFields._fields},
}
FIELDS_SQL = ",\n".join(
    [
        f"CASE WHEN f.street IS NULL THEN {column} ELSE f.{name} END AS {name}"
        for name, column in PER_FIELD.items()
    ]
    + [
        "nullif(CASE WHEN f.street IS NULL THEN c.colonia_key "
        "ELSE coalesce(c.field_key, f.colonia_key) END, '') AS colonia_key"
    ]
)
PARSED_JOINS = """
    JOIN lk_street_parse s ON s.raw = src.street
    JOIN lk_number_parse n ON n.raw = src.ext
    JOIN lk_colonia_parse c ON c.raw = src.colonia
    LEFT JOIN lk_full_parse f ON f.street = src.street AND f.ext = src.ext
"""


def staged_sql(table: str, source: str) -> str:
    """The staged rows of ``table`` (lk_account or lk_parcel) for the rows of ``source`` (its
    ``SOURCES`` query, or that query narrowed), from the run's lk_*_parse tables."""
    if table == "lk_account":
        return f"""
            SELECT src.id AS account_id,
                   nullif({CADASTRAL_KEY_SQL.format("src.cadastral_key")}, '') AS cadastral_key,
                   {FIELDS_SQL},
                   src.source_digest
              FROM ({source}) src {PARSED_JOINS}"""
    # A parcel's key groups (registry/migrations/0006), for keys the padrón writes another way,
    # and the centre of its box (read from the geometry's header, not computed), where the
    # reading route's tie-break places it (link.sql, lk_route_cell).
    return f"""
        SELECT src.id AS parcel_id,
               {CADASTRAL_KEY_SQL.format("src.cadastral_key")} AS cadastral_key,
               {FIELDS_SQL},
               g.key_groups, registry_key_tail(g.key_groups) AS key_tail,
               (ST_XMin(src.geom) + ST_XMax(src.geom)) / 2 AS x,
               (ST_YMin(src.geom) + ST_YMax(src.geom)) / 2 AS y
          FROM ({source}) src {PARSED_JOINS}
          CROSS JOIN LATERAL (SELECT registry_key_groups(src.cadastral_key) AS key_groups) g"""


# Colonias named elsewhere than by accounts and parcels: street segments' (a parcel without
# one takes its frontage's, link.sql).
OTHER_COLONIAS = "SELECT name FROM registry_colonia"


def distinct_values(column: str, sources: dict[str, str]) -> list[str]:
    """The distinct values of one field over ``sources`` (and, for the colonia when parcels are
    staged, every colonia of the registry)."""
    selects = [f"SELECT DISTINCT {column} FROM ({sql}) src" for sql in sources.values()]
    if column == "colonia" and "lk_parcel" in sources:
        selects.append(OTHER_COLONIAS)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ".join(selects))
        return [value for (value,) in cursor.fetchall()]


def stage_field_parses(sources: dict[str, str]) -> None:
    """Parse every distinct street, number and colonia of ``sources`` once, then every distinct
    (street, number) pair that needs the whole address parsed, into the run's lk_*_parse."""
    with connection.cursor() as cursor:
        for table, definitions in PARSE_TABLES.items():
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE UNLOGGED TABLE {table} ({definitions})")
    copy_rows(
        "lk_street_parse",
        ["raw", "match_key", "phonetic", "typed", "needs_full"],
        ((raw, *street_fields(raw)) for raw in distinct_values("street", sources)),
    )
    copy_rows(
        "lk_number_parse",
        ["raw", *NumberFields._fields],
        (
            (raw, *(number_fields(raw) or (None,) * len(NumberFields._fields)))
            for raw in distinct_values("ext", sources)
        ),
    )
    copy_rows(
        "lk_colonia_parse",
        ["raw", "colonia_key", "field_key"],
        (
            (raw, colonia_key(raw) or None, colonia_field_key(raw))
            for raw in distinct_values("colonia", sources)
        ),
    )
    pairs = " UNION ".join(
        f"""SELECT DISTINCT src.street, src.ext FROM ({sql}) src
              JOIN lk_street_parse s ON s.raw = src.street
              JOIN lk_number_parse n ON n.raw = src.ext
             WHERE s.needs_full OR n.number IS NULL"""
        for sql in sources.values()
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE lk_street_parse")
        cursor.execute("ANALYZE lk_number_parse")
        cursor.execute(pairs)
        full = cursor.fetchall()
    copy_rows(
        "lk_full_parse",
        ["street", "ext", *Fields._fields],
        ((street, ext, *whole_address_fields(street, ext)) for street, ext in full),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE lk_colonia_parse")
        cursor.execute("ANALYZE lk_full_parse")


# PostgreSQL plans the joins of a million rows below on one core unless a row handed over by a
# parallel worker is costed near nothing (accounts out of date: 4.1 s -> 2.4 s a million).
PARALLEL_TUPLE_COST = "0.001"
# The accounts whose kept address is missing or out of date.
STALE_ACCOUNTS = f"""
    CREATE UNLOGGED TABLE lk_account_stale AS
    SELECT a.id, k.account_id IS NULL AS new FROM registry_account a
    LEFT JOIN {inputs.SCHEMA}.lk_account k ON k.account_id = a.id
    WHERE k.account_id IS NULL OR k.source_digest <> {ACCOUNT_SOURCE_DIGEST}"""
# A share of the accounts above which their addresses are staged again whole, in bulk.
RESTAGE_ALL_SHARE = 0.5
# The parcels' indexes the candidates read, built after the frontage steps of link.sql have
# written the street types and colonias (index_parcels): a cadastre without colonias has every
# parcel's row rewritten there, and with the indexes already built that took 13.7 s at a
# million parcels. The one on parcel_id, which those steps join on, comes with the table.
PARCEL_INDEXES = (
    "(cadastral_key)",
    "(street_key, number)",
    "(street_key, colonia_key, number)",
    "(lote) WHERE lote IS NOT NULL",
    "(key_tail)",
)


def stage_accounts() -> None:
    """Bring the kept addresses of the accounts (``linking_inputs.lk_account``) up to date:
    parse those of the accounts that are new or whose address fields changed, drop those of
    accounts that are gone. Must run in the workspace (``workspace``), after
    ``inputs.check_fingerprint``."""
    table = f"{inputs.SCHEMA}.lk_account"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        (kept,) = cursor.fetchone()
        if kept:
            cursor.execute(f"SET LOCAL parallel_tuple_cost = {PARALLEL_TUPLE_COST}")
            cursor.execute(STALE_ACCOUNTS)
            cursor.execute("RESET parallel_tuple_cost")
            cursor.execute(
                f"""SELECT count(*), count(*) FILTER (WHERE new),
                           (SELECT count(*) FROM {table}), (SELECT count(*) FROM registry_account)
                      FROM lk_account_stale"""
            )
            stale, new, count, accounts = cursor.fetchone()
            if stale > RESTAGE_ALL_SHARE * count:
                cursor.execute(f"DROP TABLE {table}")
                kept = False
    if not kept:
        stage_field_parses({"lk_account": SOURCES["lk_account"]})
        with connection.cursor() as cursor:
            create_staged(cursor, table, staged_sql("lk_account", SOURCES["lk_account"]))
            cursor.execute(f"ALTER TABLE {table} ADD PRIMARY KEY (account_id)")
            cursor.execute(f"ANALYZE {table}")
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE account_id IN (SELECT id FROM lk_account_stale)")
        # The rows left are those of the accounts up to date, unless some accounts are gone.
        if count - (stale - new) != accounts - stale:
            cursor.execute(
                f"""DELETE FROM {table} k
                    WHERE NOT EXISTS (SELECT 1 FROM registry_account a WHERE a.id = k.account_id)"""
            )
            cursor.execute(f"ANALYZE {table}")
    if stale:
        changed = f"{SOURCES['lk_account']} WHERE a.id IN (SELECT id FROM lk_account_stale)"
        stage_field_parses({"lk_account": changed})
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} {staged_sql('lk_account', changed)}")
            cursor.execute(f"ANALYZE {table}")


def stage_parcels() -> None:
    """Stage every parcel's address again (``linking_inputs.lk_parcel``), indexed by parcel; the
    linker then finds the segments in front of each parcel (link.sql), builds the other indexes
    (``index_parcels``) and marks the parcel-side inputs ready (``inputs.parcels_ready``). Must
    run in the workspace."""
    table = f"{inputs.SCHEMA}.lk_parcel"
    stage_field_parses({"lk_parcel": SOURCES["lk_parcel"]})
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        create_staged(cursor, table, staged_sql("lk_parcel", SOURCES["lk_parcel"]))
        cursor.execute(f"CREATE INDEX ON {table} (parcel_id)")
        cursor.execute(f"ANALYZE {table}")


def index_parcels() -> None:
    """Build the staged parcels' indexes that the candidates read (``PARCEL_INDEXES``)."""
    with connection.cursor() as cursor:
        for columns in PARCEL_INDEXES:
            cursor.execute(f"CREATE INDEX ON {inputs.SCHEMA}.lk_parcel {columns}")


# How a million staged rows are assembled: the planner sorts them to merge-join the few
# thousand whole-address parses, where hashing is several times cheaper; and the joins go
# parallel (``PARALLEL_TUPLE_COST``; a million parcels: 4.2-4.5 s -> 2.2-2.7 s).
STAGING_SETTINGS = {"enable_mergejoin": "off", "parallel_tuple_cost": PARALLEL_TUPLE_COST}


def create_staged(cursor: Any, table: str, sql: str) -> None:
    for name, value in STAGING_SETTINGS.items():
        cursor.execute(f"SET LOCAL {name} = {value}")
    cursor.execute(f"CREATE UNLOGGED TABLE {table} AS {sql}")
    for name in STAGING_SETTINGS:
        cursor.execute(f"RESET {name}")


def stage_addresses() -> None:
    """Stage what a linking run compares of every account and, when the parcel-side inputs are
    out of date, of every parcel (``linking_inputs.lk_account``, ``lk_parcel``)."""
    connection.ensure_connection()
    inputs.check_fingerprint()
    stage_accounts()
    if not inputs.parcels_ready():
        stage_parcels()
        index_parcels()
