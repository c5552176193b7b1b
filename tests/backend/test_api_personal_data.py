"""Holders' personal data: masked for supervisors, shown to analista/jefe/admin, every read
logged (who, when, which accounts) without the data itself."""

import json
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from gis_backend.access.models import PersonalDataAccess
from tests.backend.api_factories import Town, by_key, tile_for, token_client

pytestmark = pytest.mark.django_db

HOLDER_FIELDS = ("holder_name", "holder_phone", "holder_email", "holder_notification_address")
NAMES = ("Juana", "Pérez", "Pedro", "Gómez", "Rosa", "López", "Luis", "Ramírez", "Carmen")


def test_supervisor_never_receives_a_holder_name_or_contact(town: Town) -> None:
    client = token_client("supervisor")
    for url in (
        "/api/v1/accounts/",
        "/api/v1/accounts/?number=A1",
        f"/api/v1/accounts/{town.accounts['A1'].pk}/",
        "/api/v1/parcels/",
        "/api/v1/meters/",
        "/api/v1/aggregates/colonias/",
        "/api/v1/tiles/accounts/{}/{}/{}.pbf".format(*tile_for(10, 2, 16)),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode("utf-8", errors="replace")
        for name in NAMES:
            assert name not in body, (url, name)
        assert "4111234567" not in body and "@example.mx" not in body
    features = json.loads(client.get("/api/v1/accounts/").content)["features"]
    for feature in features:
        properties = feature["properties"]
        assert all(properties[field] is None for field in HOLDER_FIELDS)
    masked = by_key(features, "number")
    assert masked["A1"]["properties"]["holder_masked"] is True
    assert masked["A5"]["properties"]["holder_masked"] is False  # A5 has no holder at all
    # The supervisor still gets what field work needs: the account, its address, its balance.
    assert masked["A2"]["properties"]["balance"] == 1500.5
    assert PersonalDataAccess.objects.count() == 0


@pytest.mark.parametrize("role", ["analista", "jefe", "admin"])
def test_analista_jefe_and_admin_see_holders(town: Town, role: str) -> None:
    features = by_key(
        json.loads(token_client(role).get("/api/v1/accounts/").content)["features"], "number"
    )
    a1 = features["A1"]["properties"]
    assert a1["holder_name"] == "Juana Pérez Núñez"
    assert a1["holder_phone"] == "4111234567"
    assert a1["holder_email"] == "a1@example.mx"
    assert a1["holder_notification_address"] == "Calle Hidalgo 1, Cortazar"
    assert a1["holder_masked"] is False


def test_every_response_with_personal_data_is_logged_without_the_data(town: Town) -> None:
    client = token_client("analista", "ana")
    response = client.get("/api/v1/accounts/", {"sector": town.sectors["01"].pk})
    assert response["Cache-Control"] == "private, no-store"
    entry = PersonalDataAccess.objects.get()
    assert entry.username == "ana" and entry.user == client.user  # type: ignore[attr-defined]
    ids = {town.accounts[n].pk for n in ("A1", "A2", "A3")}
    assert set(entry.account_ids) == ids and entry.account_count == 3
    assert entry.endpoint.startswith("/api/v1/accounts/?sector=")
    assert entry.accessed_at is not None
    stored = json.dumps([entry.username, entry.endpoint, entry.account_ids])
    for name in NAMES:
        assert name not in stored

    # One more row per response, including the detail endpoint.
    client.get(f"/api/v1/accounts/{town.accounts['A4'].pk}/")
    assert PersonalDataAccess.objects.count() == 2
    assert PersonalDataAccess.objects.first().account_ids == [town.accounts["A4"].pk]  # type: ignore[union-attr]
    # "Who saw A2?" answered by the log.
    seen_a2 = PersonalDataAccess.objects.filter(account_ids__contains=[town.accounts["A2"].pk])
    assert list(seen_a2.values_list("username", flat=True)) == ["ana"]


def test_accounts_without_holder_are_not_logged(town: Town) -> None:
    token_client("jefe").get("/api/v1/accounts/", {"number": "A5"})  # A5 has no holder
    assert PersonalDataAccess.objects.count() == 0
    token_client("jefe", "otro").get("/api/v1/accounts/", {"number": "NO-EXISTE"})
    assert PersonalDataAccess.objects.count() == 0


def test_only_the_returned_page_is_logged(town: Town) -> None:
    params: dict[str, Any] = {"limit": 2, "ordering": "number"}
    token_client("admin").get("/api/v1/accounts/", params)
    entry = PersonalDataAccess.objects.get()
    assert entry.account_ids == [town.accounts["A1"].pk, town.accounts["A2"].pk]


def test_a_user_with_supervisor_and_jefe_roles_sees_the_data(town: Town) -> None:
    user = User.objects.create_user("doble", password="clave-1")
    user.groups.add(Group.objects.get(name="supervisor"), Group.objects.get(name="jefe"))
    client = Client()
    client.login(username="doble", password="clave-1")
    features = json.loads(client.get("/api/v1/accounts/?number=A1").content)["features"]
    assert features[0]["properties"]["holder_name"] == "Juana Pérez Núñez"
    assert PersonalDataAccess.objects.get().username == "doble"


def test_the_log_is_read_only_in_the_admin(town: Town) -> None:
    token_client("jefe").get("/api/v1/accounts/")
    User.objects.create_superuser("root", password="clave-1")
    client = Client()
    client.login(username="root", password="clave-1")
    listing = client.get("/admin/access/personaldataaccess/")
    assert listing.status_code == 200
    entry = PersonalDataAccess.objects.get()
    change = client.post(f"/admin/access/personaldataaccess/{entry.pk}/delete/", {"post": "yes"})
    assert change.status_code == 403
    assert PersonalDataAccess.objects.count() == 1
