"""Vector tiles: decodable MVT per layer, grid summaries at low zoom, ETag/304, cache that
follows data changes, TileJSON."""

from io import StringIO
from typing import Any

import mapbox_vector_tile
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from gis_backend.maps import summaries
from gis_backend.registry.models import Account, SuspensionEvent
from tests.backend.api_factories import (
    TODAY,
    Town,
    tile_for,
    token_client,
    user_with_role,
)

pytestmark = pytest.mark.django_db
MVT = "application/vnd.mapbox-vector-tile"


@pytest.fixture
def client() -> APIClient:
    return token_client("supervisor")


def tile_urls(layer: str, z: int) -> list[str]:
    """The tiles covering the test town (x 0–400 m, y −5–20 m) at zoom z."""
    _z, x0, y0 = tile_for(0, 20, z)
    _z, x1, y1 = tile_for(400, -5, z)
    return [
        f"/api/v1/tiles/{layer}/{z}/{x}/{y}.pbf"
        for x in range(x0, x1 + 1)
        for y in range(y0, y1 + 1)
    ]


def fetch(client: APIClient, url: str, **params: Any) -> dict[str, Any]:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == MVT
    assert len(response.content) < 500_000
    decoded: dict[str, Any] = mapbox_vector_tile.decode(response.content)
    return decoded


def features(client: APIClient, layer: str, z: int, mvt_layer: str, **params: Any) -> dict:
    """Features of one MVT layer over the whole town, by feature id."""
    result: dict[int, dict[str, Any]] = {}
    for url in tile_urls(layer, z):
        decoded = fetch(client, url, **params)
        assert set(decoded) <= {mvt_layer}, decoded.keys()
        for feature in decoded.get(mvt_layer, {}).get("features", []):
            result[feature["id"]] = feature
    return result


def test_parcel_tiles_carry_status_and_arrears(client: APIClient, town: Town) -> None:
    parcels = features(client, "parcels", 16, "parcels")
    assert set(parcels) == {p.pk for p in town.parcels.values()}
    p4 = parcels[town.parcels["P4"].pk]
    assert p4["geometry"]["type"] == "Polygon"
    assert p4["properties"]["map_class"] == "restringido"
    assert p4["properties"]["accounts"] == 2
    p2 = parcels[town.parcels["P2"].pk]["properties"]
    assert p2["map_class"] == "31_90" and p2["balance"] == pytest.approx(1500.5)
    assert parcels[town.parcels["P6"].pk]["properties"]["map_class"] == "sin_cuenta"


def test_account_tiles_hold_located_accounts_without_personal_data(
    client: APIClient, town: Town
) -> None:
    accounts = features(client, "accounts", 17, "accounts")
    located = {town.accounts[n].pk for n in ("A1", "A2", "A3", "A4", "A5", "A7")}
    assert set(accounts) == located
    a3 = accounts[town.accounts["A3"].pk]
    assert a3["geometry"]["type"] == "Point"
    assert a3["properties"]["map_class"] == "suspendido"
    assert a3["properties"]["number"] == "A3"
    assert not any(key.startswith("holder") for key in a3["properties"])


def test_segment_tiles_carry_arrears_aggregates(client: APIClient, town: Town) -> None:
    segments = features(client, "segments", 16, "segments")
    hidalgo = segments[town.segments["hidalgo"].pk]
    assert hidalgo["geometry"]["type"] == "LineString"
    props = hidalgo["properties"]
    assert props["accounts"] == 3 and props["arrears_count"] == 2
    assert props["arrears_amount"] == pytest.approx(6500.5)
    assert props["aging_181_mas"] == 1 and props["aging"] == "181_mas"
    # Low zoom: generalised, only segments with arrears, fewer attributes.
    low = features(client, "segments", 13, "segments")
    assert set(low) == {town.segments["hidalgo"].pk, town.segments["morelos"].pk}
    assert set(low[town.segments["morelos"].pk]["properties"]) == {
        "arrears_count",
        "arrears_amount",
        "aging",
    }
    assert fetch(client, tile_urls("segments", 12)[0]) == {}  # below the layer's minzoom


def test_suspension_tiles_default_to_the_last_year(client: APIClient, town: Town) -> None:
    events = features(client, "suspensions", 16, "suspensions")
    expected = {town.events[k].pk for k in ("restriction_a3", "cut_a3", "restriction_a4")}
    assert set(events) == expected
    cut = events[town.events["cut_a3"].pk]["properties"]
    assert cut["kind"] == "corte" and cut["account_number"] == "A3"
    everything = features(client, "suspensions", 16, "suspensions", date_from="2020-01-01")
    assert set(everything) == {event.pk for event in town.events.values()}
    cuts = features(client, "suspensions", 16, "suspensions", kind="corte", date_from="2020-01-01")
    assert set(cuts) == {town.events["cut_a3"].pk, town.events["old_cut_a2"].pk}
    recent = features(client, "suspensions", 16, "suspensions", date_from=TODAY.isoformat())
    assert recent == {}


def test_low_zoom_tiles_draw_the_summary_grid(client: APIClient, town: Town) -> None:
    for z in (10, 12, 14):
        cells = features(client, "parcels", z, "parcels_grid")
        assert sum(c["properties"]["parcels"] for c in cells.values()) == 6, z
        assert sum(c["properties"]["built_without_account"] for c in cells.values()) == 1
        assert all(c["geometry"]["type"] == "Polygon" for c in cells.values())
    cells = features(client, "accounts", 13, "accounts_grid")
    totals = {
        key: sum(c["properties"][key] for c in cells.values())
        for key in ("accounts", "arrears_count", "suspended", "restricted", "aging_181_mas")
    }
    assert totals == {"accounts": 6, "arrears_count": 3, "suspended": 1, "restricted": 1,
                      "aging_181_mas": 1}  # fmt: skip
    for key in ("arrears_share", "share_over_90"):
        assert all(0 <= c["properties"][key] <= 1 for c in cells.values())
    assert max(c["properties"]["share_over_90"] for c in cells.values()) > 0
    grid = features(client, "suspensions", 12, "suspensions_grid")
    assert sum(c["properties"]["suspended"] + c["properties"]["restricted"]
               for c in grid.values()) == 2  # fmt: skip


def test_etag_answers_304_and_data_changes_make_a_new_tile(client: APIClient, town: Town) -> None:
    url = tile_urls("accounts", 16)[0]
    first = client.get(url)
    etag = first["ETag"]
    assert etag.startswith('"') and first["Cache-Control"] == "private, max-age=60"
    not_modified = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified["ETag"] == etag
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM maps_tile_cache WHERE key LIKE 'accounts/16/%%'")
        assert cursor.fetchone()[0] == 1
    assert client.get(url).content == first.content  # served from the cache

    Account.objects.filter(pk=town.accounts["A1"].pk).update(status="suspendido")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    decoded = mapbox_vector_tile.decode(changed.content)["accounts"]["features"]
    a1 = next(f for f in decoded if f["id"] == town.accounts["A1"].pk)
    assert a1["properties"]["map_class"] == "suspendido"


def test_summaries_refresh_when_data_changed_and_not_more_often_than_asked(
    client: APIClient, town: Town, monkeypatch: pytest.MonkeyPatch
) -> None:
    def suspended_cells() -> int:
        cells = features(client, "suspensions", 12, "suspensions_grid")
        return sum(c["properties"]["suspended"] for c in cells.values())

    assert suspended_cells() == 1
    Account.objects.filter(pk=town.accounts["A1"].pk).update(status="suspendido")
    monkeypatch.setattr(summaries, "MIN_AGE_SECONDS", 3600.0)
    assert suspended_cells() == 1  # refreshed less than an hour ago: the previous summary
    monkeypatch.setattr(summaries, "MIN_AGE_SECONDS", 0.0)
    assert suspended_cells() == 2


def test_refresh_command(town: Town) -> None:
    out = StringIO()
    call_command("refresh_map_summaries", stdout=out)
    assert "Resúmenes recalculados" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(parcels), sum(accounts) FROM maps_grid_cell")
        assert cursor.fetchone() == (6, 6)
        cursor.execute("SELECT count(*) FROM maps_segment_summary")
        assert cursor.fetchone()[0] == 2


def test_empty_tile_far_from_town_is_a_valid_empty_mvt(client: APIClient, town: Town) -> None:
    response = client.get("/api/v1/tiles/parcels/16/0/0.pbf")
    assert response.status_code == 200
    assert mapbox_vector_tile.decode(response.content) == {}


def test_tiles_follow_suspension_events(client: APIClient, town: Town) -> None:
    url = tile_urls("suspensions", 16)[0]
    before = client.get(url)
    assert len(features(client, "suspensions", 16, "suspensions")) == 3
    SuspensionEvent.objects.create(account=town.accounts["A1"], kind="corte", occurred_on=TODAY)
    assert client.get(url)["ETag"] != before["ETag"]
    assert len(features(client, "suspensions", 16, "suspensions")) == 4


@pytest.mark.parametrize("layer", ["parcels", "accounts", "segments", "suspensions"])
def test_tilejson_describes_each_layer(client: APIClient, town: Town, layer: str) -> None:
    response = client.get(f"/api/v1/tiles/{layer}.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["tilejson"] == "3.0.0"
    assert doc["tiles"] == [f"http://testserver/api/v1/tiles/{layer}/{{z}}/{{x}}/{{y}}.pbf"]
    assert doc["minzoom"] == (13 if layer == "segments" else 10) and doc["maxzoom"] == 18
    west, south, east, north = doc["bounds"]
    assert -101 < west < east < -100.9 and 20.4 < south < north < 20.5
    ids = [vector_layer["id"] for vector_layer in doc["vector_layers"]]
    assert ids[0] == layer
    for vector_layer in doc["vector_layers"]:
        assert vector_layer["fields"]
    # The layer ids are those inside the tiles.
    z = doc["vector_layers"][0]["minzoom"] + 1
    decoded = features(client, layer, z, ids[0])
    assert decoded


def test_tile_of_an_unauthenticated_request_is_refused(town: Town) -> None:
    response = APIClient().get(tile_urls("parcels", 16)[0])
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"


# -- the plain Django view that serves tiles (views.tile), and what it hands to TileView ---------


def session_client(role: str | None, username: str = "sesion") -> Client:
    user_with_role(role, username)
    client = Client()
    assert client.login(username=username, password="clave-1")
    return client


def test_a_session_user_with_a_role_gets_tiles_as_a_token_does(town: Town) -> None:
    url = tile_urls("parcels", 16)[0]
    by_token = token_client("supervisor").get(url)
    browser = session_client("supervisor")
    browser.get(url)  # the session's and the map's settings, the prepared statement
    with CaptureQueriesContext(connection) as queries:
        by_session = browser.get(url)
    assert by_session.status_code == 200 and by_session["Content-Type"] == MVT
    assert by_session.content == by_token.content and by_session["ETag"] == by_token["ETag"]
    assert by_session["Vary"] == by_token["Vary"]
    # session, user; then roles, data version and cached tile in one statement
    assert len(queries.captured_queries) == 3, [q["sql"][:60] for q in queries.captured_queries]
    not_modified = browser.get(url, HTTP_IF_NONE_MATCH=by_session["ETag"])
    assert not_modified.status_code == 304


@pytest.mark.parametrize(
    ("credentials", "status", "detail"),
    [
        ({}, 401, "Las credenciales de autenticación no se proveyeron."),
        ({"HTTP_AUTHORIZATION": "Token no-existe"}, 401, "Token inválido."),
        ({"HTTP_AUTHORIZATION": "Token"}, 401, None),
        ({"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"}, 401, None),
    ],
)
def test_refusals_keep_drf_status_and_json(
    town: Town, credentials: dict[str, str], status: int, detail: str | None
) -> None:
    response = Client().get(tile_urls("parcels", 16)[0], **credentials)  # type: ignore[arg-type]
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == "Token"
    body = response.json()
    assert set(body) == {"detail"}
    if detail:
        assert body["detail"] == detail


def test_users_without_a_role_or_inactive_are_refused(town: Town) -> None:
    url = tile_urls("parcels", 16)[0]
    no_role = token_client(None)
    response = no_role.get(url)
    assert response.status_code == 403 and response["Content-Type"] == "application/json"
    assert "rol" in response.json()["detail"]
    assert session_client(None, "sin-rol").get(url).status_code == 403
    inactive = token_client("jefe", "inactivo")
    User.objects.filter(username="inactivo").update(is_active=False)
    response = inactive.get(url)
    assert response.status_code == 401 and response.json()["detail"]
    admin = User.objects.create_superuser("raiz", password="clave-1")
    assert (
        Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=admin).key}")
        .get(url)
        .status_code
        == 200
    )


def test_invalid_parameters_and_addresses_answer_as_before(client: APIClient, town: Town) -> None:
    url = tile_urls("suspensions", 16)[0]
    bad_date = client.get(url, {"date_from": "ayer"})
    assert bad_date.status_code == 400 and "date_from" in bad_date.json()
    unknown = client.get(tile_urls("parcels", 16)[0], {"kind": "corte"})
    assert unknown.status_code == 400 and "kind" in unknown.json()
    assert client.get("/api/v1/tiles/parcels/3/8/0.pbf").status_code == 400
    missing = client.get("/api/v1/tiles/predios/16/0/0.pbf")
    assert missing.status_code == 404 and missing.json() == {
        "detail": "Capa de teselas desconocida."
    }
    # Refused before the parameters are looked at, as DRF does.
    assert APIClient().get(url, {"date_from": "ayer"}).status_code == 401
    assert client.post(url).status_code == 405
    assert client.options(url).status_code == 200


def test_tile_headers_are_those_of_the_drf_view(client: APIClient, town: Town) -> None:
    response = client.get(tile_urls("accounts", 16)[0])
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Vary"] == "Authorization, Cookie, Accept-Encoding, Accept, Accept-Language"
    assert response["Cache-Control"] == "private, max-age=60"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.head(tile_urls("accounts", 16)[0])["ETag"] == response["ETag"]


@pytest.mark.django_db(transaction=True)
def test_cache_writes_skip_the_disk_wait_but_registry_writes_never_do() -> None:
    """Storing a tile in a transaction that wrote nothing else commits asynchronously (the
    cache is rebuilt from the registry); one that already wrote registry data keeps the
    server's durable commit."""
    store = "SELECT FROM maps_tile_store('prueba', 1, '\\x00'::bytea)"
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute(store)
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("off",)
        cursor.execute("COMMIT")
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)  # for that transaction only

        cursor.execute("BEGIN")
        cursor.execute("INSERT INTO registry_colonia (name, name_normalized) VALUES ('X', 'X')")
        cursor.execute(store)
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)
        cursor.execute("ROLLBACK")
