"""What keeps the map API close to raw PostGIS (bench/api.py measures it; nothing here is timed):
few queries per tile, tiles equal to plain SQL over the registry, gzip for GeoJSON, no
database-actor round trips on API reads, and low-zoom summaries refreshed after imports and
linking without anyone running refresh_map_summaries."""

import gzip
import importlib.util
import uuid
from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import dj_database_url
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import ProgrammingError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from gis_backend.core.middleware import DatabaseActorMiddleware
from gis_backend.maps import summaries, views
from gis_backend.registry.models import Account, AccountLink, CollectionSnapshot, Parcel
from tests.backend.api_factories import (
    AS_OF,
    Town,
    box,
    tile_for,
    token_client,
)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLES = ROOT / "tests" / "samples"


def bench_module() -> Any:
    """bench/api.py, whose reference SQL the benchmark compares the application's tiles with."""
    spec = importlib.util.spec_from_file_location("bench_api", ROOT / "bench" / "api.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def client() -> APIClient:
    return token_client("jefe")


def tile_url(layer: str, z: int) -> tuple[str, int, int]:
    _z, x, y = tile_for(100, 10, z)
    return f"/api/v1/tiles/{layer}/{z}/{x}/{y}.pbf", x, y


def summary_state() -> tuple[int | None, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT data_version FROM maps_summary_state WHERE id = 1), maps_data_version()"
        )
        row = cursor.fetchone()
    return row[0], row[1]


# -- tiles --------------------------------------------------------------------------------------


@pytest.mark.parametrize("layer", ["parcels", "accounts", "segments", "suspensions"])
def test_a_tile_costs_one_query_cold_and_cached(client: APIClient, town: Town, layer: str) -> None:
    # Once per database session and data version, not per tile: the map session's settings,
    # the prepared statement and the summaries (segments at detail zooms read them).
    assert client.get(tile_url(layer, 17)[0]).status_code == 200
    url, _x, _y = tile_url(layer, 16)
    with CaptureQueriesContext(connection) as cold:
        first = client.get(url)
    assert first.status_code == 200
    # token, user and roles, data version and cached body in one, which builds and stores the
    # missing tile
    assert len(cold.captured_queries) == 1, [q["sql"][:80] for q in cold.captured_queries]
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM maps_tile_cache WHERE key LIKE %s", [f"{layer}/16/%"])
        assert bytes(cursor.fetchone()[0]) == first.content
    with CaptureQueriesContext(connection) as cached:
        again = client.get(url)
    assert again.content == first.content
    assert len(cached.captured_queries) == 1, [q["sql"][:80] for q in cached.captured_queries]


@pytest.mark.parametrize("z", [15, 16, 17, 18])
@pytest.mark.parametrize("layer", ["parcels", "accounts", "segments", "suspensions"])
def test_tiles_hold_what_plain_sql_over_the_registry_builds(
    client: APIClient, town: Town, layer: str, z: int
) -> None:
    bench = bench_module()
    reference = bench.ref_sql(settings.STORAGE_SRID)[layer]
    url, x, y = tile_url(layer, z)
    response = client.get(url)
    assert response.status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ST_AsMVT(t, %(name)s, 4096, 'geom', 'id') FROM ({reference}) AS t",
            {"z": z, "x": x, "y": y, "name": layer},
        )
        expected = bytes(cursor.fetchone()[0] or b"")
    assert expected, "the reference finds the test town's features"
    assert bench.same_features(response.content, expected) is None


def test_large_tiles_are_gzipped_for_clients_that_accept_it(
    client: APIClient, town: Town, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = tile_url("parcels", 16)[0]
    plain = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in plain  # the test town's tiles are small
    monkeypatch.setattr(views, "TILE_GZIP_MIN_BYTES", 0)
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert packed["Content-Encoding"] == "gzip"
    assert packed["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    assert packed["ETag"] == f"W/{plain['ETag']}"
    with connection.cursor() as cursor:  # kept for the next gzip clients
        cursor.execute("SELECT body_gzip FROM maps_tile_cache WHERE key LIKE 'parcels/16/%%'")
        assert bytes(cursor.fetchone()[0]) == packed.content
    with CaptureQueriesContext(connection) as cached:
        again = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert again.content == packed.content and again["Content-Encoding"] == "gzip"
    assert len(cached.captured_queries) == 1  # served as stored: no compression, no write
    not_modified = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"])
    assert not_modified.status_code == 304 and not_modified["ETag"] == packed["ETag"]
    assert not_modified.content == b"" and "Content-Encoding" not in not_modified
    # A client holding both representations: the one its If-None-Match names.
    strong = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=plain["ETag"])
    assert strong.status_code == 304 and strong["ETag"] == plain["ETag"]
    identity = client.get(url)
    assert "Content-Encoding" not in identity and identity.content == plain.content


def test_refused_tile_does_not_spoil_the_callers_transaction(client: APIClient, town: Town) -> None:
    assert client.get("/api/v1/tiles/predios/16/1/1.pbf").status_code == 404
    assert client.get("/api/v1/tiles/parcels/99/1/1.pbf").status_code == 400
    assert client.get(tile_url("parcels", 16)[0]).status_code == 200


def parcel_tile_rows(sql: Callable[..., list[tuple[Any, ...]]]) -> dict[int, tuple[Any, ...]]:
    """maps_parcel_tile per parcel: is it the parcel's geometry in 3857, is the label inside."""
    rows = sql(
        """
        SELECT t.parcel_id,
               ST_Equals(t.geom, ST_Transform(p.geom, 3857)),
               ST_Intersects(t.label, p.geom),
               ST_DWithin(ST_Transform(t.label, 3857), t.label_3857, 0.001),
               ST_X(t.label)::int
          FROM maps_parcel_tile AS t LEFT JOIN registry_parcel AS p ON p.id = t.parcel_id
        """
    )
    return {row[0]: row[1:] for row in rows}


def test_tile_ready_parcels_follow_every_change_of_the_registry(
    town: Town, sql: Callable[..., list[tuple[Any, ...]]]
) -> None:
    rows = parcel_tile_rows(sql)
    assert set(rows) == {p.pk for p in town.parcels.values()}
    assert all(row[:3] == (True, True, True) for row in rows.values())

    moved = town.parcels["P1"]
    before = rows[moved.pk][3]
    Parcel.objects.filter(pk=moved.pk).update(geom=box(1000, 0, 1020, 20))
    Parcel.objects.filter(pk=town.parcels["P2"].pk).update(street="Otra")  # no geometry change
    rows = parcel_tile_rows(sql)
    assert rows[moved.pk][:3] == (True, True, True) and rows[moved.pk][3] >= before + 990

    new = Parcel.objects.create(cadastral_key="NUEVA", geom=box(500, 0, 520, 20))
    assert parcel_tile_rows(sql)[new.pk][:3] == (True, True, True)
    new.delete()
    assert new.pk not in parcel_tile_rows(sql)
    sql("INSERT INTO registry_parcel (cadastral_key, geom, built_area, land_use) "
        "SELECT 'COPIA-' || cadastral_key, ST_Translate(geom, 0, 500), built_area, land_use "
        "FROM registry_parcel")  # fmt: skip
    assert len(parcel_tile_rows(sql)) == 2 * len(town.parcels)
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending: TRUNCATE refuses them
    sql("TRUNCATE registry_parcel CASCADE")
    assert parcel_tile_rows(sql) == {}


# A parcel's state computed live from the registry, as the tiles did before it was kept ready.
LIVE_STATE = """
SELECT p.id, coalesce(st.accounts, 0), st.status, st.balance, st.days_overdue
  FROM registry_parcel AS p
  LEFT JOIN LATERAL (
      SELECT count(*)::int AS accounts,
             (array_agg(a.status ORDER BY maps_status_rank(a.status) DESC))[1]::text AS status,
             sum(cs.balance) FILTER (WHERE cs.balance > 0) AS balance,
             max(cs.days_overdue) FILTER (WHERE cs.balance > 0) AS days_overdue
        FROM registry_accountlink AS l
        JOIN registry_account AS a ON a.id = l.account_id
        LEFT JOIN LATERAL (
            SELECT c.balance, c.days_overdue FROM registry_collectionsnapshot AS c
             WHERE c.account_id = a.id ORDER BY c.as_of DESC LIMIT 1
        ) AS cs ON true
       WHERE l.parcel_id = p.id
  ) AS st ON true
"""
KEPT_STATE = "SELECT parcel_id, accounts, status, balance, days_overdue FROM maps_parcel_tile"


@pytest.mark.parametrize("restate_all_from", [None, 0], ids=["parcels-touched", "every-parcel"])
def test_parcel_state_follows_accounts_links_and_balances(
    town: Town, sql: Callable[..., list[tuple[Any, ...]]], restate_all_from: int | None
) -> None:
    """Every change of accounts, links and balances restates the parcels it touched; one that
    writes links for a large part of the town (``restate_all_from`` rows, lowered here) every
    parcel."""
    if restate_all_from is not None:
        sql("SELECT set_config('padron.restate_all_from', %s, true)", [str(restate_all_from)])
        every = sql("SELECT maps_restate_source('new_rows', 1)")[0][0]
        assert every == "(SELECT parcel_id FROM maps_parcel_tile)"
    else:
        assert sql("SELECT maps_restate_source('new_rows', 1000)")[0][0] == "new_rows"

    def check() -> dict[int, tuple[Any, ...]]:
        kept = {row[0]: row[1:] for row in sql(KEPT_STATE)}
        assert kept == {row[0]: row[1:] for row in sql(LIVE_STATE)}
        return kept

    p1, p2, p4 = (town.parcels[key].pk for key in ("P1", "P2", "P4"))
    assert check()[p4][:2] == (2, "restringido")
    a1, a2, a5 = (town.accounts[key] for key in ("A1", "A2", "A5"))
    Account.objects.filter(pk=a1.pk).update(status="suspendido")
    assert check()[p1][1] == "suspendido"
    CollectionSnapshot.objects.create(
        account=a1, as_of=AS_OF + timedelta(days=1), balance=700, months_overdue=1,
        days_overdue=31,
    )  # fmt: skip
    assert check()[p1][2:] == (700, 31)
    CollectionSnapshot.objects.filter(account=a2, as_of=AS_OF).update(balance=0, months_overdue=0,
                                                                      days_overdue=0)  # fmt: skip
    assert check()[p2][2] is None
    CollectionSnapshot.objects.filter(account=a2, as_of=AS_OF).delete()
    assert check()[p2][2:] == (800, 20)  # the earlier snapshot is the newest again
    AccountLink.objects.filter(account=a5).update(parcel=town.parcels["P2"])
    kept = check()
    assert (kept[p4][0], kept[p2][0]) == (1, 2)
    AccountLink.objects.filter(account=a5).delete()
    assert check()[p2][0] == 1
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    sql("TRUNCATE registry_collectionsnapshot")
    assert all(row[2] is None for row in check().values())
    sql("TRUNCATE registry_account CASCADE")
    assert all(row == (0, None, None, None) for row in check().values())


# Where an account is drawn and what it shows, computed live from the registry, as the tiles did
# before maps_account_tile kept it ready.
LIVE_ACCOUNTS = """
SELECT a.id, a.number, a.status, a.tariff,
       CASE WHEN a.connection_point IS NOT NULL THEN 'toma'
            WHEN p.id IS NOT NULL THEN 'predio' END,
       ST_AsText(coalesce(ST_Transform(a.connection_point, 3857),
                          ST_Transform(ST_PointOnSurface(p.geom), 3857)), 2)
  FROM registry_account AS a
  LEFT JOIN registry_accountlink AS l ON l.account_id = a.id
  LEFT JOIN registry_parcel AS p ON p.id = l.parcel_id AND a.connection_point IS NULL
"""
KEPT_ACCOUNTS = """
SELECT account_id, number, status, tariff, located_at, ST_AsText(geom, 2)
  FROM maps_account_tile
"""


def test_tile_ready_accounts_follow_accounts_links_and_parcels(
    town: Town, sql: Callable[..., list[tuple[Any, ...]]]
) -> None:
    def check() -> dict[str, tuple[Any, ...]]:
        kept = {row[1]: row for row in sql(KEPT_ACCOUNTS)}
        assert kept == {row[1]: row for row in sql(LIVE_ACCOUNTS)}
        return {number: row[2:] for number, row in kept.items()}

    rows = check()
    assert rows["A1"][2] == "toma" and rows["A2"][2] == "predio"
    assert rows["A6"][2:4] == (None, None)  # neither a connection point nor a parcel
    a1, a2, a5 = (town.accounts[key] for key in ("A1", "A2", "A5"))
    Account.objects.filter(pk=a1.pk).update(status="suspendido", tariff="comercial")
    assert check()["A1"][:2] == ("suspendido", "comercial")
    Account.objects.filter(pk=a2.pk).update(connection_point=a1.connection_point)
    assert check()["A2"][2] == "toma"
    Account.objects.filter(pk=a2.pk).update(connection_point=None)
    assert check()["A2"][2] == "predio"
    before = check()["A5"][3]
    AccountLink.objects.filter(account=a5).update(parcel=town.parcels["P1"])
    at_p1 = check()["A5"][3]
    assert at_p1 != before
    Parcel.objects.filter(pk=town.parcels["P1"].pk).update(geom=box(1000, 0, 1020, 20))
    assert check()["A5"][3] != at_p1
    AccountLink.objects.filter(account=a5).delete()
    assert check()["A5"][2:4] == (None, None)
    sql("DELETE FROM registry_meter WHERE account_id = %s", [a1.pk])
    Account.objects.filter(pk=a1.pk).delete()
    assert "A1" not in check()
    Account.objects.create(number="NUEVA", tariff="domestico")
    assert check()["NUEVA"][:2] == ("activo", "domestico")
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    sql("TRUNCATE registry_parcel CASCADE")
    assert all(row[2] != "predio" for row in check().values())
    sql("TRUNCATE registry_account CASCADE")
    assert check() == {}


def test_emptying_the_links_clears_every_parcel_state_and_the_accounts_drawn_there(
    town: Town, sql: Callable[..., list[tuple[Any, ...]]]
) -> None:
    """A TRUNCATE of the links (as before a re-link from nothing) leaves no parcel showing
    accounts and no account drawn at a parcel; accounts at their connection point stay."""
    states = {row[0]: row[1:] for row in sql(KEPT_STATE)}
    assert any(state[0] > 0 for state in states.values())
    located = {row[1]: row[4] for row in sql(KEPT_ACCOUNTS)}
    assert "predio" in located.values() and "toma" in located.values()
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    sql("TRUNCATE registry_accountlink")
    states = {row[0]: row[1:] for row in sql(KEPT_STATE)}
    assert states == {row[0]: row[1:] for row in sql(LIVE_STATE)}
    assert set(states.values()) == {(0, None, None, None)}
    accounts = {row[1]: row for row in sql(KEPT_ACCOUNTS)}
    assert accounts == {row[1]: row for row in sql(LIVE_ACCOUNTS)}
    assert {row[4] for row in accounts.values()} == {"toma", None}


def test_an_editor_role_without_rights_on_map_tables_still_updates_them(
    town: Town, sql: Callable[..., list[tuple[Any, ...]]]
) -> None:
    """A QGIS editor's role edits the registry; the triggers keep maps_parcel_tile (as its
    owner), and the role itself cannot write there."""
    role = f"qgis_editor_{uuid.uuid4().hex[:8]}"
    sql(f'CREATE ROLE "{role}"')  # rolled back with the test
    sql(f'GRANT SELECT, UPDATE ON registry_account, registry_parcel TO "{role}"')
    a1, p1 = town.accounts["A1"], town.parcels["P1"]
    sql(f'SET LOCAL SESSION AUTHORIZATION "{role}"')
    try:
        sql("UPDATE registry_account SET status = 'suspendido' WHERE id = %s", [a1.pk])
        sql("UPDATE registry_parcel SET geom = ST_Translate(geom, 0, 1) WHERE id = %s", [p1.pk])
        with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
            sql("UPDATE maps_parcel_tile SET status = 'activo'")
    finally:
        sql("RESET SESSION AUTHORIZATION")
    assert sql(
        "SELECT t.status, ST_Equals(t.geom, ST_Transform(p.geom, 3857)) FROM maps_parcel_tile t "
        "JOIN registry_parcel p ON p.id = t.parcel_id WHERE t.parcel_id = %s",
        [p1.pk],
    ) == [("suspendido", True)]


# -- GeoJSON ------------------------------------------------------------------------------------


def test_geojson_is_gzipped_for_clients_that_accept_it(client: APIClient, town: Town) -> None:
    plain = client.get("/api/v1/accounts/")
    assert plain.status_code == 200 and "Content-Encoding" not in plain
    assert "Accept-Encoding" in plain["Vary"]
    packed = client.get("/api/v1/accounts/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed.status_code == 200
    assert packed["Content-Encoding"] == "gzip"
    assert packed["Content-Type"] == "application/geo+json"
    assert len(packed.content) < len(plain.content)
    assert gzip.decompress(packed.content) == plain.content
    # Small answers are not worth compressing.
    small = client.get("/api/v1/accounts/?number=NO-EXISTE", HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in small and small.json()["features"] == []


# -- database actor -----------------------------------------------------------------------------


def actor_seen_by(request: HttpRequest) -> str:
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(current_setting('padron.actor', true), '')")
            seen.append(cursor.fetchone()[0])
        return HttpResponse("ok")

    DatabaseActorMiddleware(view)(request)
    return seen[0]


def test_api_reads_skip_the_database_actor_and_writes_set_it(
    rf: RequestFactory, django_user_model: type[User]
) -> None:
    user = django_user_model.objects.create_user(username="ana.lopez")
    read = rf.get("/api/v1/accounts/")
    read.user = user
    assert actor_seen_by(read) == ""
    write = rf.post("/api/v1/auth/token/")
    write.user = user
    assert actor_seen_by(write) == "ana.lopez"
    page = rf.get("/admin/")
    page.user = user
    assert actor_seen_by(page) == "ana.lopez"


# -- summaries after imports and linking ---------------------------------------------------------


def test_imports_and_linking_refresh_the_summaries_once_committed(
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    monkeypatch.setattr(summaries, "REFRESH_MODE", "inline")
    with django_capture_on_commit_callbacks() as pending:
        call_command("import_parcels", str(SAMPLES / "predios_muestra.geojson"), stdout=StringIO())
    assert len(pending) == 1
    assert summary_state()[0] is None  # nothing refreshed before the commit
    for callback in pending:
        callback()
    summarised, current = summary_state()
    assert summarised == current
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(parcels) FROM maps_grid_cell")
        assert cursor.fetchone()[0] == 4

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_streets", str(SAMPLES / "calles_muestra.geojson"), stdout=StringIO())
        call_command(
            "import_padron",
            str(SAMPLES / "padron_muestra.csv"),
            "--fecha-corte",
            "31/10/2026",
            stdout=StringIO(),
        )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("link_registry", stdout=StringIO())
    summarised, current = summary_state()
    assert summarised == current
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(accounts) FROM maps_segment_summary")
        linked = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM registry_accountlink WHERE segment_id IS NOT NULL")
        assert linked == cursor.fetchone()[0] > 0


def test_the_refresh_runs_in_a_process_of_its_own_by_default(
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    started: list[tuple[list[str], dict[str, Any]]] = []

    def popen(command: list[str], **kwargs: Any) -> None:
        started.append((command, kwargs))

    monkeypatch.setattr(summaries, "REFRESH_MODE", "background")
    monkeypatch.setattr(summaries.subprocess, "Popen", popen)
    with django_capture_on_commit_callbacks(execute=True):
        summaries.refresh_after_commit()
        assert started == []  # not before the commit
    [(command, kwargs)] = started
    assert command[-3:] == ["gis_backend.manage", "refresh_map_summaries", "--if-stale"]
    assert kwargs["start_new_session"] is True
    # The child refreshes the database this process wrote (here the test database), not the
    # one DATABASE_URL names.
    child_database = dj_database_url.parse(kwargs["env"]["DATABASE_URL"])["NAME"]
    assert child_database == connection.settings_dict["NAME"]

    monkeypatch.setattr(summaries, "REFRESH_MODE", "off")
    with django_capture_on_commit_callbacks(execute=True):
        summaries.refresh_after_commit()
    assert len(started) == 1


def test_refresh_command_if_stale(town: Town) -> None:
    out = StringIO()
    call_command("refresh_map_summaries", "--if-stale", stdout=out)
    assert "Resúmenes recalculados" in out.getvalue()
    out = StringIO()
    call_command("refresh_map_summaries", "--if-stale", stdout=out)
    assert "ya estaban al día" in out.getvalue()
    summarised, current = summary_state()
    assert summarised == current


def test_detail_tiles_are_built_by_the_prepared_lookup_and_low_zooms_for_their_address(
    client: APIClient, town: Town
) -> None:
    def statements(url: str, **headers: Any) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, **headers).status_code == 200
        return [
            "lookup" if "allowed" in q["sql"] else "build" if "maps_tile_store" in q["sql"] else ""
            for q in queries.captured_queries
        ]

    statements(tile_url("accounts", 18)[0])  # the session's first tile
    statements(tile_url("parcels", 14)[0])  # computes the summaries
    # every detail zoom: built and stored by the lookup statement
    assert statements(tile_url("accounts", 17)[0]) == ["lookup"]
    assert statements(tile_url("accounts", 15)[0]) == ["lookup"]
    # below detail_minzoom (the summary grid): the build planned for its own address, as before
    assert statements(tile_url("accounts", 14)[0]) == ["lookup", "build"]
    # a client that may hold the tile: its ETag is checked before building
    url = tile_url("accounts", 16)[0]
    assert statements(url, HTTP_IF_NONE_MATCH='"other"') == ["lookup", "build"]
    assert statements(url) == ["lookup"]  # now cached
    with connection.cursor() as cursor:
        # prepared by the database session on their first run (not by an SQL PREPARE): the
        # lookup that builds, and the build of a detail tile alone
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements"
            " WHERE NOT from_sql AND statement LIKE '%%maps_tile_detail%%'"
        )
        assert cursor.fetchone()[0] >= 2
        # maps_tile_detail's statements keep one plan per database session
        cursor.execute("SELECT proconfig FROM pg_proc WHERE proname = 'maps_tile_detail'")
        assert cursor.fetchone()[0] == ["plan_cache_mode=force_generic_plan"]
