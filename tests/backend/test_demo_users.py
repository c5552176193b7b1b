import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

ROLES = {"jefe", "analista", "supervisor", "admin"}


def run_command() -> str:
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_one_user_per_role_with_printed_password_that_works(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    output = run_command()
    printed = dict(re.findall(r"Usuario (\w+)\s+contraseña (\S+)", output))
    assert set(printed) == ROLES
    for username, password in printed.items():
        user = authenticate(username=username, password=password)
        assert user is not None, username
        assert list(user.groups.values_list("name", flat=True)) == [username]
    admin = authenticate(username="admin", password=printed["admin"])
    assert admin is not None and admin.is_superuser


@pytest.mark.django_db
def test_second_run_keeps_passwords_and_prints_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    first = dict(re.findall(r"Usuario (\w+)\s+contraseña (\S+)", run_command()))
    second = run_command()
    assert re.findall(r"Usuario (\w+)\s+contraseña (\S+)", second) == []
    assert "ya existía" in second
    assert authenticate(username="jefe", password=first["jefe"]) is not None


@pytest.mark.django_db
def test_demo_password_sets_every_role(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", "agua-cortazar-2026")
    output = run_command()
    assert "agua-cortazar-2026" not in output
    for username in ROLES:
        assert authenticate(username=username, password="agua-cortazar-2026") is not None
