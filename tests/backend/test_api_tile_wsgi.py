"""Token tile requests answered ahead of Django's request handling (gis_backend/maps/tile_wsgi.py):
the same status, headers (in the same order) and bytes as the whole stack gives, for every kind
of tile answer; everything else is handed to Django and answered as before."""

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, connection
from django.test import RequestFactory, override_settings
from rest_framework.authtoken.models import Token

from gis_backend.maps import tile_wsgi, views
from gis_backend.maps.tile_wsgi import TileShortcut
from tests.backend.api_factories import Town, tile_for, user_with_role

pytestmark = pytest.mark.django_db

Answer = tuple[str, list[tuple[str, str]], bytes]


@pytest.fixture
def token() -> str:
    return Token.objects.create(user=user_with_role("supervisor")).key


@pytest.fixture(autouse=True)
def requests_inside_the_test_transaction() -> Iterator[None]:
    """As Django's test client does: no connection closed around a request (the test's
    transaction holds it)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def environ(path: str, method: str = "GET", **headers: Any) -> dict[str, Any]:
    request = RequestFactory().generic(method, path, **headers)
    env = dict(request.environ)
    env["wsgi.input"] = io.BytesIO(b"")
    return env


def call(app: Callable[..., Any], env: dict[str, Any]) -> Answer:
    started: list[Any] = []
    result = app(dict(env), lambda status, headers: started.append((status, headers)))
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    [(status, headers)] = started
    return status, list(headers), body


def empty_cache() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM maps_tile_cache")


def django_only(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    raise AssertionError("the shortcut handed the request to Django")


def tile_url(layer: str, z: int, dx: float = 100, dy: float = 10) -> str:
    _z, x, y = tile_for(dx, dy, z)
    return f"/api/v1/tiles/{layer}/{z}/{x}/{y}.pbf"


def both(env: dict[str, Any], *, cold: bool = False) -> tuple[Answer, Answer]:
    """The answer of the shortcut (which must not hand the request over) and of Django, from the
    same cache state."""
    if cold:
        empty_cache()
    shortcut = call(TileShortcut(django_only), env)
    if cold:
        empty_cache()
    return shortcut, call(WSGIHandler(), env)


def test_the_shortcut_applies_to_the_project_settings() -> None:
    assert tile_wsgi.applies()
    assert TileShortcut(django_only).enabled
    with override_settings(MIDDLEWARE=[*tile_wsgi.STACK, "django.middleware.gzip.GZipMiddleware"]):
        assert not tile_wsgi.applies()  # another stack: everything goes through Django


@pytest.mark.parametrize(
    ("layer", "z"),
    [("parcels", 17), ("accounts", 18), ("segments", 16), ("suspensions", 15), ("parcels", 13)],
)
def test_cold_and_cached_tiles_are_the_same_answer(
    town: Town, token: str, layer: str, z: int
) -> None:
    env = environ(tile_url(layer, z), HTTP_AUTHORIZATION=f"Token {token}")
    shortcut, django = both(env, cold=True)
    assert shortcut == django
    assert shortcut[0] == "200 OK" and shortcut[2]
    assert dict(shortcut[1])["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert both(env) == (django, django)  # cached, by either path


def test_conditional_gzip_and_head_requests_are_the_same_answer(
    town: Town, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = tile_url("parcels", 16)
    auth = f"Token {token}"
    plain = call(WSGIHandler(), environ(url, HTTP_AUTHORIZATION=auth))
    etag = dict(plain[1])["ETag"]
    cases = [
        {"HTTP_IF_NONE_MATCH": etag},
        {"HTTP_IF_NONE_MATCH": f"W/{etag}"},
        {"HTTP_IF_NONE_MATCH": '"otra"'},
        {"HTTP_ACCEPT_ENCODING": "gzip, deflate"},  # small: sent as it is
        {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.8"},
        {"HTTP_ACCEPT_LANGUAGE": "es"},
        {"HTTP_USER_AGENT": "QGIS/33400"},
    ]
    for headers in cases:
        shortcut, django = both(environ(url, HTTP_AUTHORIZATION=auth, **headers))
        assert shortcut == django, headers
    not_modified, _ = both(environ(url, HTTP_AUTHORIZATION=auth, HTTP_IF_NONE_MATCH=etag))
    assert not_modified[0] == "304 Not Modified" and not_modified[2] == b""
    head, _ = both(environ(url, "HEAD", HTTP_AUTHORIZATION=auth))
    assert head[0] == "200 OK"
    # gzipped: compressed and stored by the first request, sent as stored by the next
    monkeypatch.setattr(views, "TILE_GZIP_MIN_BYTES", 0)
    packed = environ(url, HTTP_AUTHORIZATION=auth, HTTP_ACCEPT_ENCODING="gzip")
    shortcut, django = both(packed, cold=True)
    assert shortcut == django and dict(shortcut[1])["Content-Encoding"] == "gzip"
    assert both(packed) == (django, django)


@pytest.mark.parametrize(
    "overrides",
    [
        {"SECURE_HSTS_SECONDS": 3600, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True},
        {"SECURE_HSTS_SECONDS": 60, "SECURE_HSTS_PRELOAD": True, "X_FRAME_OPTIONS": "sameorigin"},
        {
            "SECURE_REFERRER_POLICY": ["no-referrer", "strict-origin"],
            "SECURE_CROSS_ORIGIN_OPENER_POLICY": None,
            "SECURE_CONTENT_TYPE_NOSNIFF": False,
            "DEFAULT_CHARSET": "latin-1",
        },
    ],
)
@pytest.mark.parametrize("secure", [True, False])
def test_security_settings_give_the_same_headers(
    town: Town, token: str, overrides: dict[str, Any], secure: bool
) -> None:
    url = tile_url("accounts", 17)
    auth = f"Token {token}"
    with override_settings(**overrides):
        plain, django = both(environ(url, HTTP_AUTHORIZATION=auth, secure=secure))
        assert plain == django
        etag = dict(plain[1])["ETag"]
        for if_none_match in ('"otra"', etag, f"W/{etag}"):
            env = environ(
                url, HTTP_AUTHORIZATION=auth, secure=secure, HTTP_IF_NONE_MATCH=if_none_match
            )
            shortcut, django = both(env)
            assert shortcut == django
    assert shortcut[0] == "304 Not Modified"
    hsts = "SECURE_HSTS_SECONDS" in overrides and secure
    assert ("Strict-Transport-Security" in dict(plain[1])) == hsts


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/api/v1/tiles/parcels/16/1/1.pbf", {"HTTP_AUTHORIZATION": "Token desconocido"}, "401"),
        ("/api/v1/tiles/predios/16/1/1.pbf", {}, "404"),
        ("/api/v1/tiles/parcels/99/1/1.pbf", {}, "400"),
        ("/api/v1/tiles/suspensions/16/1/1.pbf?kind=corte", {}, "200"),
        ("/api/v1/tiles/parcels/16/1/1.pbf", {"HTTP_COOKIE": "tema=oscuro"}, "200"),
        ("/api/v1/tiles/parcels/16/1/1.pbf", {"HTTP_HOST": "malicioso.example"}, "400"),
        ("/api/v1/tiles/parcels.json", {}, "200"),
        ("/api/v1/lookups/", {}, "200"),
    ],
)
def test_everything_else_is_answered_by_django_as_before(
    town: Town, token: str, path: str, headers: dict[str, str], status: str
) -> None:
    env = environ(path, **{"HTTP_AUTHORIZATION": f"Token {token}", **headers})
    handed: list[dict[str, Any]] = []

    def django(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        handed.append(environ)
        return WSGIHandler()(environ, start_response)

    shortcut = call(TileShortcut(django), env)
    assert len(handed) == 1
    assert shortcut == call(WSGIHandler(), env)
    assert shortcut[0].startswith(status)


def test_a_user_without_role_is_refused_as_before(town: Town) -> None:
    token = Token.objects.create(user=user_with_role(None)).key
    env = environ(tile_url("parcels", 16), HTTP_AUTHORIZATION=f"Token {token}")
    answer = call(TileShortcut(WSGIHandler()), env)
    assert answer == call(WSGIHandler(), env)
    assert answer[0].startswith("403") and b"rol" in answer[2]


def test_requests_with_cookies_go_through_the_whole_stack(town: Town, token: str) -> None:
    """A malformed CSRF cookie is replaced by Django's CSRF middleware even on a tile: the
    reason cookie-carrying requests (sessions, the web map) are left to Django."""
    env = environ(tile_url("parcels", 16), HTTP_AUTHORIZATION=f"Token {token}",
                  HTTP_COOKIE="csrftoken=x")  # fmt: skip
    status, headers, body = call(TileShortcut(WSGIHandler()), env)
    django = call(WSGIHandler(), env)
    assert (status, [name for name, _ in headers], body) == (
        django[0],
        [name for name, _ in django[1]],
        django[2],
    )
    assert "Set-Cookie" in dict(headers)
