"""Backend tests run on a real PostgreSQL + PostGIS database (pytest-django creates test_<name>)."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection

from gis_backend.core.sqlfiles import apply_sql_files
from gis_backend.maps import summaries
from tests.backend.api_factories import Town, build_town


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """Apply the apps' SQL files (triggers, views) to the test database once per session.

    ``migrate`` applies them too, but with ``--reuse-db`` it does not run; re-applying (the files
    are idempotent) makes the tests run against the SQL files as they are on disk."""
    with django_db_blocker.unblock():
        apply_sql_files()


@pytest.fixture(autouse=True)
def summaries_refreshed_inline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands that commit refresh the map summaries in this process: no detached process
    outlives a test or races the test database's teardown."""
    monkeypatch.setattr(summaries, "REFRESH_MODE", "inline")


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


@pytest.fixture
def town() -> Town:
    """The small API town (tests/backend/api_factories.py): parcels, accounts, links,
    balances and suspensions whose map answers the API tests know."""
    return build_town()
