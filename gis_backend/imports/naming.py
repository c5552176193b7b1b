"""Names as the registry stores them: normalised keys for colonias and streets.

Thin adapter over the address normaliser of the linking app, so importers and linker agree."""

import json
from collections.abc import Iterable
from typing import Any

from django.db import connection

from gis_backend.linking import address


def normalize_text(value: str) -> str:
    return address.normalize_text(value)


DEFAULT_SETTLEMENT = "colonia"


def colonia_key(name: str) -> str:
    """Identity of a colonia as stored: settlement type and comparison key ('colonia:CENTRO').

    'Fracc. Las Fuentes' and 'Col. Las Fuentes' are two settlements; 'COL. CENTRO' and
    'Zona Centro' are one. Matching billing addresses compares the key alone."""
    if not name:
        return ""
    parsed = address.parse_colonia(name)
    return f"{parsed.settlement_type or DEFAULT_SETTLEMENT}:{parsed.key}"


def ensure_colonias(names: Iterable[str]) -> None:
    """Create the colonias named in a file that the registry does not have yet.

    Files do not carry postal codes: a colonia already known by type and key is that colonia,
    whatever postal code a person (or the demo loader) has given it since."""
    rows: dict[str, tuple[str, str, str]] = {}
    for name in names:
        if not name:
            continue
        parsed = address.parse_colonia(name)
        rows.setdefault(
            colonia_key(name), (name, parsed.key, parsed.settlement_type or DEFAULT_SETTLEMENT)
        )
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            """
            INSERT INTO registry_colonia (name, name_normalized, settlement_type, postal_code)
            SELECT %s, %s, %s, ''
            WHERE NOT EXISTS (
                SELECT 1 FROM registry_colonia c
                WHERE c.name_normalized = %s AND c.settlement_type = %s
            )
            ON CONFLICT (settlement_type, name_normalized, postal_code) DO NOTHING
            """,
            [(name, key, kind, key, kind) for name, key, kind in rows.values()],
        )


def to_json(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
