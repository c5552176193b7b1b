"""A large first load: foreign keys checked in one pass, one history entry per table.

The threshold (``bulk.FIRST_LOAD_ROWS``, 50,000 rows) is lowered so that the small test files
take the bulk path; what is checked is what must hold for any size."""

from datetime import date
from pathlib import Path

import pytest
from django.db import connection

from gis_backend.imports import bulk
from gis_backend.imports.padron import import_padron
from gis_backend.linking.linker import link_registry
from gis_backend.registry.models import Account, AccountLink, RegistryHistory
from tests.backend.test_import_padron import ROWS, changed, write_csv
from tests.backend.test_linking import town  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
CUT_OFF = date(2026, 10, 31)


@pytest.fixture
def bulk_from_one_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "FIRST_LOAD_ROWS", 1)


def constraints() -> list[tuple[str, str, str]]:
    """Foreign keys of the registry tables, as the catalogue holds them."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
            FROM pg_constraint
            WHERE contype = 'f' AND conrelid::regclass::text LIKE 'registry%%'
            ORDER BY 1, 2
            """
        )
        return cursor.fetchall()


def enabled_history_triggers() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE NOT t.tgisinternal AND t.tgname LIKE 'history%%' AND t.tgenabled <> 'D'
            """
        )
        return int(cursor.fetchone()[0])


@pytest.mark.usefixtures("bulk_from_one_row")
def test_first_load_records_one_entry_per_table_and_keeps_keys(tmp_path: Path) -> None:
    keys, triggers = constraints(), enabled_history_triggers()
    summary = import_padron(write_csv(tmp_path / "padron.csv", ROWS), as_of=CUT_OFF)
    assert summary.created == 3
    assert constraints() == keys
    assert enabled_history_triggers() == triggers

    accounts = RegistryHistory.objects.filter(table_name="registry_account")
    assert [(h.row_id, h.action) for h in accounts] == [("*", "I")]
    ids = sorted(Account.objects.values_list("id", flat=True))
    assert accounts[0].new == {
        "carga_inicial": "padron.csv",
        "filas": 3,
        "id_desde": ids[0],
        "id_hasta": ids[-1],
    }
    assert accounts[0].changed_by
    assert accounts[0].db_role == connection.settings_dict["USER"]
    for table, rows in (
        ("registry_holder", 3),
        ("registry_meter", 2),
        ("registry_collectionsnapshot", 2),
    ):
        (entry,) = RegistryHistory.objects.filter(table_name=table)
        assert (entry.row_id, entry.action) == ("*", "I")
        assert entry.new is not None and entry.new["filas"] == rows


@pytest.mark.usefixtures("bulk_from_one_row")
def test_after_a_first_load_changes_are_recorded_row_by_row(tmp_path: Path) -> None:
    import_padron(write_csv(tmp_path / "a.csv", ROWS), as_of=CUT_OFF)
    entries = RegistryHistory.objects.count()
    again = import_padron(write_csv(tmp_path / "b.csv", ROWS), as_of=CUT_OFF)
    assert (again.created, again.updated) == (0, 0)
    assert RegistryHistory.objects.count() == entries

    update = import_padron(
        write_csv(tmp_path / "c.csv", changed(1, "Estatus", "Activo")), as_of=CUT_OFF
    )
    assert update.updated == 1
    account = Account.objects.get(number="1002")
    (entry,) = RegistryHistory.objects.filter(
        table_name="registry_account", row_id=str(account.pk), action="U"
    )
    assert (entry.old, entry.new) == ({"status": "suspendido"}, {"status": "activo"})


@pytest.mark.usefixtures("bulk_from_one_row")
def test_a_table_that_has_rows_is_recorded_row_by_row(tmp_path: Path) -> None:
    import_padron(write_csv(tmp_path / "a.csv", ROWS[:1]), as_of=CUT_OFF)
    import_padron(write_csv(tmp_path / "b.csv", ROWS), as_of=CUT_OFF)
    inserted = RegistryHistory.objects.filter(table_name="registry_account", action="I")
    assert sorted(h.row_id for h in inserted) == sorted(
        [
            "*",
            *(
                str(pk)
                for pk in Account.objects.exclude(number="1001").values_list("pk", flat=True)
            ),
        ]
    )


@pytest.mark.usefixtures("bulk_from_one_row")
def test_first_linking_in_bulk_is_one_history_entry(town: Path) -> None:  # noqa: F811
    keys = constraints()
    summary = link_registry()
    assert summary.written == AccountLink.objects.count() == Account.objects.count()
    assert constraints() == keys
    (entry,) = RegistryHistory.objects.filter(table_name="registry_accountlink")
    assert entry.row_id == "*" and entry.new is not None
    assert (entry.new["carga_inicial"], entry.new["filas"]) == ("link_registry", summary.written)
    # A second run compares and updates row by row: nothing changed, nothing recorded.
    assert link_registry().written == 0
    assert RegistryHistory.objects.filter(table_name="registry_accountlink").count() == 1


@pytest.mark.usefixtures("bulk_from_one_row")
def test_history_paused_by_the_caller_stays_paused(tmp_path: Path) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE registry_account DISABLE TRIGGER history_insert")
    triggers = enabled_history_triggers()
    import_padron(write_csv(tmp_path / "padron.csv", ROWS), as_of=CUT_OFF)
    assert enabled_history_triggers() == triggers
    assert not RegistryHistory.objects.filter(table_name="registry_account").exists()
    assert RegistryHistory.objects.filter(table_name="registry_holder", row_id="*").exists()
