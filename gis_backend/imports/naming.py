"""Names as the registry stores them: normalised keys for colonias and streets.

Thin adapter over the address normaliser of the linking app, so importers and linker agree."""

import json
from collections.abc import Iterable
from typing import Any

from django.db import connection

from gis_backend.linking import address


def normalize_text(value: str) -> str:
    return address.normalize_text(value)


def colonia_key(name: str) -> str:
    """Comparison key of a colonia name ('COL. CENTRO' and 'Zona Centro' share one)."""
    if not name:
        return ""
    return address.parse_colonia(name).key


def ensure_colonias(names: Iterable[str]) -> None:
    """Create the colonias named in a file that the registry does not have yet."""
    rows = {}
    for name in names:
        if not name:
            continue
        parsed = address.parse_colonia(name)
        rows.setdefault(parsed.key, (name, parsed.key, parsed.settlement_type or "colonia"))
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            """
            INSERT INTO registry_colonia (name, name_normalized, settlement_type, postal_code)
            VALUES (%s, %s, %s, '')
            ON CONFLICT (name_normalized, postal_code) DO NOTHING
            """,
            list(rows.values()),
        )


def to_json(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
