"""Every insert, update and delete of registry rows is recorded by database triggers.

Edits are made the way each client makes them: plain SQL as QGIS or psql would send it, the ORM,
and the admin through the full middleware stack (which tells the database who the user is).
"""

import datetime
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission, User
from django.contrib.gis.geos import GEOSGeometry
from django.core.management import call_command
from django.db import ProgrammingError, connection, transaction
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from gis_backend.access.models import PersonalDataAccess
from gis_backend.core.middleware import DatabaseActorMiddleware
from gis_backend.core.sqlfiles import render_sql
from gis_backend.registry import choices
from gis_backend.registry.models import Account, RegistryHistory, Sector
from tests.backend.factories import (
    SRID,
    AccountFactory,
    AccountLinkFactory,
    HolderFactory,
    MeterFactory,
    ParcelFactory,
    ReadingFactory,
    SectorFactory,
    square,
)

pytestmark = pytest.mark.django_db

Sql = Callable[..., list[tuple[Any, ...]]]

RECORDED_TABLES = [
    "registry_colonia",
    "registry_sector",
    "registry_readingroute",
    "registry_parcel",
    "registry_streetsegment",
    "registry_holder",
    "registry_account",
    "registry_accountlink",
    "registry_meter",
    "registry_suspensionevent",
    "registry_collectionsnapshot",
]


History = Callable[..., list[RegistryHistory]]


@pytest.fixture
def history() -> History:
    """History rows written since the test started, oldest first, filtered as asked."""
    start = RegistryHistory.objects.aggregate(last=Max("id"))["last"] or 0

    def rows(
        table: str, row_id: object | None = None, action: str | None = None
    ) -> list[RegistryHistory]:
        found = RegistryHistory.objects.filter(id__gt=start, table_name=table).order_by("id")
        if row_id is not None:
            found = found.filter(row_id=str(row_id))
        if action is not None:
            found = found.filter(action=action)
        return list(found)

    return rows


def database_role(sql: Sql) -> str:
    return str(sql("SELECT session_user")[0][0])


# --- what is recorded -------------------------------------------------------------------------


def test_plain_sql_update_records_only_the_changed_columns_and_the_database_role(
    sql: Sql, history: History
) -> None:
    account = AccountFactory.create(billing_street="C. Hidalgo", billing_ext_number="12")

    # As QGIS saves an edited feature: every attribute written back, one of them changed.
    sql(
        "UPDATE registry_account SET billing_street = %s, billing_ext_number = %s, status = %s "
        "WHERE id = %s",
        ["Calle Miguel Hidalgo", "12", choices.AccountStatus.ACTIVE, account.pk],
    )

    [entry] = history("registry_account", account.pk, "U")
    assert entry.old == {"billing_street": "C. Hidalgo"}
    assert entry.new == {"billing_street": "Calle Miguel Hidalgo"}
    assert entry.changed_by == database_role(sql)
    assert abs(entry.changed_at - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(
        minutes=5
    )


def test_update_made_inside_a_request_records_the_application_user(
    sql: Sql, rf: RequestFactory, django_user_model: type[User], history: History
) -> None:
    account = AccountFactory.create(status=choices.AccountStatus.ACTIVE)
    request = rf.get("/")
    request.user = django_user_model.objects.create_user(username="ana.lopez")

    def view(request: HttpRequest) -> HttpResponse:
        Account.objects.filter(pk=account.pk).update(status=choices.AccountStatus.RESTRICTED)
        return HttpResponse("ok")

    DatabaseActorMiddleware(view)(request)
    # After the request, the same connection is a plain database session again.
    sql("UPDATE registry_account SET giro = '461110' WHERE id = %s", [account.pk])

    first, second = history("registry_account", account.pk, "U")
    assert (first.changed_by, first.old, first.new) == (
        "ana.lopez",
        {"status": "activo"},
        {"status": "restringido"},
    )
    assert (second.changed_by, second.new) == (database_role(sql), {"giro": "461110"})


def test_qgis_role_without_rights_on_history_is_recorded_and_cannot_write_history(
    sql: Sql, history: History
) -> None:
    """A QGIS editor's role may edit accounts; the history row is written for it, by the trigger
    (as the table owner), and the role itself cannot add or forge history rows."""
    account = AccountFactory.create(billing_street="C. Morelos")
    role = f"qgis_editor_{uuid.uuid4().hex[:8]}"
    sql(f'CREATE ROLE "{role}"')  # rolled back with the test
    sql(f'GRANT SELECT, UPDATE ON registry_account TO "{role}"')

    sql(f'SET LOCAL SESSION AUTHORIZATION "{role}"')  # as if QGIS had logged in as this role
    try:
        sql(
            "UPDATE registry_account SET billing_street = 'Calle Morelos' WHERE id = %s",
            [account.pk],
        )
        with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
            sql(
                "INSERT INTO registry_registryhistory "
                "(table_name, row_id, action, changed_at, changed_by) "
                "VALUES ('registry_account', '1', 'U', now(), 'someone else')"
            )
    finally:
        sql("RESET SESSION AUTHORIZATION")

    [entry] = history("registry_account", account.pk, "U")
    assert entry.changed_by == role
    assert entry.new == {"billing_street": "Calle Morelos"}


def test_padron_actor_setting_names_the_user(sql: Sql, history: History) -> None:
    sector = SectorFactory.create(name="Norte")

    sql("SELECT set_config('padron.actor', 'jefe.comercial', true)")
    sql("UPDATE registry_sector SET name = 'Norte alto' WHERE id = %s", [sector.pk])

    [entry] = history("registry_sector", sector.pk, "U")
    assert entry.changed_by == "jefe.comercial"
    # Any session may set padron.actor; the role PostgreSQL authenticated is recorded beside
    # it, so a change made under someone else's name still names the login that made it.
    assert entry.db_role == database_role(sql)


SECTOR_OUTLINE = square(296000, 2266000, size=500)


def insert_sector(sql: Sql, code: str, name: str) -> int:
    """A sector inserted by plain SQL, as a QGIS or psql user would."""
    [(sector_id,)] = sql(
        "INSERT INTO registry_sector (code, name, geom) "
        "VALUES (%s, %s, ST_GeomFromText(%s, %s)) RETURNING id",
        [code, name, SECTOR_OUTLINE.wkt, SRID],
    )
    return int(sector_id)


def test_every_action_records_the_database_role(sql: Sql, history: History) -> None:
    sector_id = insert_sector(sql, "S-ROL", "Rol")
    sql("UPDATE registry_sector SET name = 'Rol 2' WHERE id = %s", [sector_id])
    sql("DELETE FROM registry_sector WHERE id = %s", [sector_id])
    entries = [entry for action in "IUD" for entry in history("registry_sector", sector_id, action)]
    assert [entry.action for entry in entries] == ["I", "U", "D"]
    assert {entry.db_role for entry in entries} == {database_role(sql)}


def test_insert_and_delete_record_the_whole_row(sql: Sql, history: History) -> None:
    sector_id = insert_sector(sql, "S-NTE", "Norte")
    sql("DELETE FROM registry_sector WHERE id = %s", [sector_id])

    [inserted] = history("registry_sector", sector_id, "I")
    [deleted] = history("registry_sector", sector_id, "D")
    columns = {field.column for field in Sector._meta.concrete_fields}
    assert inserted.old is None
    assert inserted.new is not None
    assert set(inserted.new) == columns
    assert inserted.new["code"] == "S-NTE"
    assert inserted.new["name"] == "Norte"
    assert GEOSGeometry(inserted.new["geom"]).equals_exact(SECTOR_OUTLINE, tolerance=0.001)
    assert deleted.new is None
    assert deleted.old == inserted.new


def test_moving_a_parcel_in_qgis_keeps_its_previous_outline(sql: Sql, history: History) -> None:
    parcel = ParcelFactory.create(geom=square(295600, 2265850))
    moved = square(295602, 2265850)

    sql(
        "UPDATE registry_parcel SET geom = ST_GeomFromText(%s, %s) WHERE id = %s",
        [moved.wkt, SRID, parcel.pk],
    )

    [entry] = history("registry_parcel", parcel.pk, "U")
    assert entry.old is not None
    assert entry.new is not None
    assert set(entry.old) == {"geom"}
    previous = GEOSGeometry(entry.old["geom"])
    assert previous.srid == SRID
    assert previous.equals_exact(square(295600, 2265850), tolerance=0.001)
    assert GEOSGeometry(entry.new["geom"]).equals_exact(moved, tolerance=0.001)


def test_update_that_changes_nothing_writes_no_history(sql: Sql) -> None:
    account = AccountFactory.create()
    before = RegistryHistory.objects.count()

    sql("UPDATE registry_account SET status = status, billing_street = billing_street")
    account.save()  # Django writes every column back, unchanged.

    assert RegistryHistory.objects.count() == before


def test_multi_row_statement_records_one_entry_per_changed_row(sql: Sql, history: History) -> None:
    parcels = [ParcelFactory.create(land_use=choices.LandUse.RESIDENTIAL) for _ in range(3)]
    already = ParcelFactory.create(land_use=choices.LandUse.COMMERCIAL)
    ids = [parcel.pk for parcel in [*parcels, already]]

    sql("UPDATE registry_parcel SET land_use = 'comercial' WHERE id = ANY(%s)", [ids])

    entries = history("registry_parcel", action="U")
    assert sorted(int(entry.row_id) for entry in entries) == sorted(p.pk for p in parcels)
    assert [(entry.old, entry.new) for entry in entries] == [
        ({"land_use": "habitacional"}, {"land_use": "comercial"})
    ] * 3
    assert len({entry.changed_at for entry in entries}) == 1  # one statement, one moment


def test_bulk_insert_select_and_copy_are_recorded_row_by_row(sql: Sql, history: History) -> None:
    sql(
        "INSERT INTO registry_sector (code, name) "
        "SELECT 'B' || g, 'Bulk ' || g FROM generate_series(1, 250) AS g"
    )
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor, for COPY
        with raw.copy("COPY registry_sector (code, name) FROM STDIN") as copy:
            for n in range(1, 4):
                copy.write_row([f"C{n}", f"Copiado {n}"])

    inserted = history("registry_sector", action="I")
    assert len(inserted) == 253
    assert {(entry.new or {}).get("code") for entry in inserted} >= {"B1", "B250", "C1", "C3"}
    ids = Sector.objects.filter(code__regex=r"^[BC][0-9]+$").values_list("id", flat=True)
    assert {int(entry.row_id) for entry in inserted} == set(ids)


def test_account_link_history_is_keyed_by_the_account(sql: Sql, history: History) -> None:
    link = AccountLinkFactory.create(parcel_score=0.72)

    sql(
        "UPDATE registry_accountlink SET parcel_score = 0.95, parcel_verified = true "
        "WHERE account_id = %s",
        [link.pk],
    )

    [entry] = history("registry_accountlink", link.account_id, "U")
    assert entry.old == {"parcel_score": 0.72, "parcel_verified": False}
    assert entry.new == {"parcel_score": 0.95, "parcel_verified": True}


def test_changing_a_row_id_records_the_row_under_both_ids(sql: Sql, history: History) -> None:
    sector = SectorFactory.create(code="S-MOVE")

    sql("UPDATE registry_sector SET id = id + 100000 WHERE id = %s", [sector.pk])

    [before] = history("registry_sector", sector.pk, "U")
    [after] = history("registry_sector", sector.pk + 100000, "U")
    assert before.old is not None
    assert before.old["code"] == "S-MOVE"
    assert before.new is None
    assert after.old is None
    assert after.new is not None
    assert after.new["code"] == "S-MOVE"


def test_a_large_load_of_one_cut_off_is_one_entry_and_what_follows_is_row_by_row(
    sql: Sql, history: History
) -> None:
    """A month's balances (one cut-off, many rows) are recorded as one entry naming the cut-off,
    the rows and their ids: the rows are the record. A smaller load, a statement mixing
    cut-offs, and every later change are recorded row by row. (The threshold, 50,000 rows, is
    lowered to 3.)"""
    sql("SELECT set_config('padron.history_load_rows', '3', true)")
    accounts = [AccountFactory.create().pk for _ in range(4)]

    def load(cut_offs: list[str], ids: list[int]) -> list[int]:
        rows = sql(
            "INSERT INTO registry_collectionsnapshot (account_id, as_of, balance) "
            "SELECT a, c::date, 120 FROM unnest(%s::bigint[]) a, unnest(%s::text[]) c "
            "RETURNING id",
            [ids, cut_offs],
        )
        return sorted(row[0] for row in rows)

    month = load(["2026-11-30"], accounts)
    [entry] = history("registry_collectionsnapshot", action="I")
    assert entry.row_id == "*" and entry.changed_by
    assert entry.new == {
        "corte": "2026-11-30",
        "filas": 4,
        "id_desde": month[0],
        "id_hasta": month[-1],
    }

    few = load(["2026-12-31"], accounts[:2])
    mixed = load(["2027-01-31", "2027-02-28"], accounts[2:])
    sql("UPDATE registry_collectionsnapshot SET balance = 80 WHERE id = %s", [month[0]])
    recorded = history("registry_collectionsnapshot", action="I")[1:]
    assert sorted(int(e.row_id) for e in recorded) == sorted(few + mixed)
    [changed] = history("registry_collectionsnapshot", month[0], "U")
    assert changed.old == {"balance": 120.0} and changed.new == {"balance": 80.0}


def test_readings_are_not_recorded(history: History) -> None:
    """Readings are append-only monthly facts (millions of rows): deliberately left out."""
    reading = ReadingFactory.create()

    assert history("registry_reading") == []
    assert history("registry_meter", reading.meter_id, "I") != []


def test_migrate_installs_the_history_triggers(sql: Sql) -> None:
    pre = Path(apps.get_app_config("registry").path) / "sql" / "pre_10_history.sql"
    sql(render_sql(pre))  # what a database without the SQL files looks like: no triggers
    assert sql("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'history_%%'") == [(0,)]

    call_command("migrate", verbosity=0, interactive=False)

    installed = sql(
        "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE tgname LIKE 'history_%%'"
    )
    expected = {
        (table, f"history_{event}")
        for table in RECORDED_TABLES
        for event in ("insert", "update", "delete")
    }
    assert set(installed) == expected


# --- the admin --------------------------------------------------------------------------------


def test_admin_edit_is_recorded_with_the_admin_user(
    admin_client: Client, admin_user: User, history: History
) -> None:
    sector = SectorFactory.create(code="S07", name="Poniente", geom=None)

    response = admin_client.post(
        f"/admin/registry/sector/{sector.pk}/change/",
        {"code": "S07", "name": "Poniente Centro", "geom": ""},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    [entry] = history("registry_sector", sector.pk, "U")
    assert entry.changed_by == admin_user.get_username()
    assert (entry.old, entry.new) == ({"name": "Poniente"}, {"name": "Poniente Centro"})


def test_admin_delete_is_recorded_with_the_admin_user(
    admin_client: Client, admin_user: User, history: History
) -> None:
    sector = SectorFactory.create(code="S09")

    response = admin_client.post(f"/admin/registry/sector/{sector.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    [entry] = history("registry_sector", sector.pk, "D")
    assert entry.changed_by == admin_user.get_username()
    assert entry.old is not None
    assert entry.old["code"] == "S09"


def test_history_admin_lists_and_shows_entries_read_only(
    admin_client: Client, sql: Sql, history: History
) -> None:
    account = AccountFactory.create(number="01-004321", billing_street="C. Juárez")
    sql("UPDATE registry_account SET billing_street = 'Av. Juárez' WHERE id = %s", [account.pk])
    [entry] = history("registry_account", account.pk, "U")

    listing = admin_client.get("/admin/registry/registryhistory/")
    detail = admin_client.get(f"/admin/registry/registryhistory/{entry.pk}/change/")
    add = admin_client.get("/admin/registry/registryhistory/add/")
    delete = admin_client.get(f"/admin/registry/registryhistory/{entry.pk}/delete/")
    edit = admin_client.post(
        f"/admin/registry/registryhistory/{entry.pk}/change/", {"changed_by": "someone"}
    )

    assert listing.status_code == 200
    assert "billing_street" in listing.content.decode()
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "C. Juárez" in page
    assert "Av. Juárez" in page
    assert 'name="_save"' not in page
    assert add.status_code == 403
    assert delete.status_code == 403
    assert edit.status_code == 403
    entry.refresh_from_db()
    assert entry.changed_by != "someone"


def test_history_of_holders_hides_personal_data_from_roles_without_access(
    client: Client, django_user_model: type[User], sql: Sql, history: History
) -> None:
    holder = HolderFactory.create(full_name="María Guadalupe Ramírez Soto")
    sql("UPDATE registry_holder SET phone = '4111234567' WHERE id = %s", [holder.pk])
    [entry] = history("registry_holder", holder.pk, "U")
    supervisor = django_user_model.objects.create_user(username="supervisor1", is_staff=True)
    supervisor.user_permissions.add(
        Permission.objects.get(codename="view_registryhistory"),
        Permission.objects.get(codename="view_holder"),
    )
    client.force_login(supervisor)

    detail = client.get(f"/admin/registry/registryhistory/{entry.pk}/change/")
    holder_list = client.get("/admin/registry/holder/")

    assert detail.status_code == 200
    page = detail.content.decode()
    assert "4111234567" not in page
    assert "phone" in page  # what changed is visible, not the values
    assert holder_list.status_code == 403


def test_holder_admin_shows_personal_data_to_allowed_roles_and_logs_it(
    admin_client: Client,
) -> None:
    holder = HolderFactory.create(full_name="Rosa Elena Mendoza Cruz")
    account = AccountFactory.create(holder=holder)

    detail = admin_client.get(f"/admin/registry/holder/{holder.pk}/change/")

    assert detail.status_code == 200
    assert "Rosa Elena Mendoza Cruz" in detail.content.decode()
    [access] = PersonalDataAccess.objects.all()
    assert access.username == "admin"
    assert access.account_ids == [account.pk]


def test_account_admin_pages_load_without_showing_holder_names(
    admin_client: Client, django_assert_max_num_queries: Any
) -> None:
    holder = HolderFactory.create(full_name="Juan Pérez Hernández")
    account = AccountFactory.create(number="01-009999", holder=holder)
    AccountLinkFactory.create(account=account)
    MeterFactory.create(account=account, serial="CIC-ADMIN-1")
    for _ in range(20):
        AccountFactory.create()

    with django_assert_max_num_queries(15):
        listing = admin_client.get("/admin/registry/account/")
    detail = admin_client.get(f"/admin/registry/account/{account.pk}/change/")

    assert listing.status_code == 200
    assert "01-009999" in listing.content.decode()
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "CIC-ADMIN-1" in page  # meters inline
    assert 'name="link-0-parcel"' in page  # link inline
    assert "Juan Pérez" not in listing.content.decode()
    assert "Juan Pérez" not in page
    assert f"Titular #{holder.pk}" in page


@pytest.mark.parametrize(
    "model", [m for m in apps.get_app_config("registry").get_models()], ids=lambda m: m.__name__
)
def test_every_registry_table_has_admin_list_and_form_pages(
    admin_client: Client, model: type[Any]
) -> None:
    ReadingFactory.create()  # rows in most tables: reading, meter, account, holder
    AccountLinkFactory.create()  # parcel, colonia
    name = f"admin:registry_{model._meta.model_name}"

    listing = admin_client.get(reverse(f"{name}_changelist"))
    added = admin_client.get(reverse(f"{name}_add"))

    assert listing.status_code == 200
    # History is written by the database only; every other table has an add form.
    assert added.status_code == (403 if model is RegistryHistory else 200)
