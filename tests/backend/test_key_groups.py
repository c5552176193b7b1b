"""Cadastral keys as groups (registry/migrations/0006, 0008): how the linker reads a key that the
cadastre and the billing system write differently, and the last three groups it joins on."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

# key as written -> (its groups, their last three)
CASES = {
    "11-011-001-002-000": ("11-11-1-2", "11-1-2"),  # trailing condominium group left out
    "001-02-0002": ("1-2-2", "1-2-2"),
    "1-1-2": ("1-1-2", "1-1-2"),
    "11 011 001 002": ("11-11-1-2", "11-1-2"),  # spaces for hyphens
    " 11.011/001-002 ": ("11-11-1-2", "11-1-2"),  # any separators, blanks around
    "a-01-b": ("A-1-B", "A-1-B"),  # letters in capitals
    "04-017-012-000": ("4-17-12", "4-17-12"),
    "-04--017-": ("4-17", None),  # separators at the ends and doubled; fewer than three groups
    "00A-0A1-A0012": ("0A-0A1-A0012", "0A-0A1-A0012"),  # zeros kept before a letter
    "000-000": ("0", None),  # a zero group stays a zero
    "0012": ("12", None),
    "12-00": ("12", None),
    "S/N": ("S-N", None),
    "ñ-001": ("1", None),  # a letter outside A-Z is a separator
    "": (None, None),
    "---": (None, None),
}


def key_groups(key: str | None) -> tuple[str | None, str | None]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT g, registry_key_tail(g) FROM (SELECT registry_key_groups(%s) AS g) s", [key]
        )
        groups, tail = cursor.fetchone()
        return groups, tail


@pytest.mark.parametrize(("key", "expected"), CASES.items())
def test_a_key_reads_as_its_groups_and_their_last_three(
    key: str, expected: tuple[str | None, str | None]
) -> None:
    assert key_groups(key) == expected


def test_no_key_has_no_groups() -> None:
    assert key_groups(None) == (None, None)
