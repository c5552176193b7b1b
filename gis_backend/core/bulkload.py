"""What a bulk load drops before it writes and builds again after: read from the catalogue.

PostgreSQL's advice for loading many rows: build indexes and check foreign keys once the rows
are in, not row by row. The demo loader (gis_backend/demo/loader.py) and the importers' first
loads (gis_backend/imports/bulk.py) both read the definitions here, drop, load, and run the
definitions again."""

from typing import Any


def foreign_keys(
    cursor: Any, tables: list[str], *, incoming: bool = False
) -> list[tuple[str, str, str]]:
    """(table, constraint, definition) of the foreign keys of ``tables`` and, with
    ``incoming``, of those pointing at them."""
    cursor.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c
        WHERE c.contype = 'f'
          AND (c.conrelid = ANY(%s::regclass[]) OR (%s AND c.confrelid = ANY(%s::regclass[])))
        ORDER BY c.conrelid::regclass::text, c.conname
        """,
        [tables, incoming, tables],
    )
    return [(table, name, definition) for table, name, definition in cursor.fetchall()]


def secondary_indexes(cursor: Any, tables: list[str]) -> list[tuple[str, str, str]]:
    """(index, CREATE INDEX statement, table) of the indexes of ``tables`` that no constraint
    uses (primary, unique and exclusion keys own theirs; a foreign key may lean on one)."""
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid),
               i.indrelid::regclass::text
        FROM pg_index i
        WHERE i.indrelid = ANY(%s::regclass[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY 1
        """,
        [tables],
    )
    return [(name, definition, table) for name, definition, table in cursor.fetchall()]


def enabled_triggers(
    cursor: Any, tables: list[str], *, name: str | None = None, function_like: str | None = None
) -> list[tuple[str, str]]:
    """(table, trigger) of the enabled user triggers of ``tables``: those called ``name``, or
    those whose function's name is LIKE ``function_like``."""
    cursor.execute(
        """
        SELECT t.tgrelid::regclass::text, t.tgname FROM pg_trigger t
        WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND t.tgrelid = ANY(%s::regclass[])
          AND (%s::text IS NULL OR t.tgname = %s)
          AND (%s::text IS NULL OR t.tgfoid::regproc::text LIKE %s)
        ORDER BY 1, 2
        """,
        [tables, name, name, function_like, function_like],
    )
    return [(table, trigger) for table, trigger in cursor.fetchall()]


def set_triggers(cursor: Any, triggers: list[tuple[str, str]], *, enable: bool) -> None:
    """Enable or disable the (table, trigger) pairs (``ALTER TABLE``: the tables stay locked
    until the transaction ends)."""
    action = "ENABLE" if enable else "DISABLE"
    for table, trigger in triggers:
        cursor.execute(f'ALTER TABLE {table} {action} TRIGGER "{trigger}"')
