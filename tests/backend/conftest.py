"""Backend tests run on a real PostgreSQL + PostGIS database (pytest-django creates test_<name>)."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """PBKDF2's deliberate slowness adds nothing to what these tests check."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sql() -> Iterator[Callable[..., list[tuple[Any, ...]]]]:
    """Run plain SQL on the test connection, as a QGIS or psql user would."""

    def run(
        statement: str, params: list[Any] | tuple[Any, ...] | None = None
    ) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    yield run
