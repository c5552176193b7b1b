"""Authentication and roles: tokens, sessions, anonymous and role-less users refused."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.backend.api_factories import build_town, token_client, user_with_role

pytestmark = pytest.mark.django_db

DATA_ENDPOINTS = [
    "/api/v1/accounts/",
    "/api/v1/accounts/1/",
    "/api/v1/parcels/",
    "/api/v1/segments/",
    "/api/v1/meters/",
    "/api/v1/aggregates/colonias/",
    "/api/v1/aggregates/segments/",
    "/api/v1/aggregates/sectors/",
    "/api/v1/tiles/parcels/16/14388/28958.pbf",
    "/api/v1/tiles/parcels.json",
    "/api/v1/layers/",
    "/api/v1/layers/parcels/style.qml",
    "/api/v1/lookups/",
]


@pytest.mark.parametrize("url", DATA_ENDPOINTS)
def test_anonymous_requests_are_refused_with_401(url: str) -> None:
    response = APIClient().get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "credenciales" in response.json()["detail"]


@pytest.mark.parametrize("url", DATA_ENDPOINTS)
def test_a_user_without_role_is_refused_with_403(url: str) -> None:
    response = token_client(None).get(url)
    assert response.status_code == 403
    assert "rol" in response.json()["detail"]


def test_a_wrong_token_is_refused() -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = client.get("/api/v1/parcels/")
    assert response.status_code == 401
    assert "Token inválido" in response.json()["detail"]


def test_token_endpoint_returns_the_token_the_api_accepts() -> None:
    user_with_role("analista", "ana")
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "ana", "password": "clave-1"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user__username="ana").key
    # The same token again on a second call.
    again = APIClient().post("/api/v1/auth/token/", {"username": "ana", "password": "clave-1"})
    assert again.json()["token"] == token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/parcels/").status_code == 200


def test_token_endpoint_refuses_a_wrong_password_in_spanish() -> None:
    user_with_role("analista", "ana")
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "ana", "password": "otra"}, format="json"
    )
    assert response.status_code == 400
    assert "No puede iniciar sesión" in str(response.json())
    assert "token" not in response.json()


def test_token_endpoint_takes_only_post() -> None:
    assert APIClient().get("/api/v1/auth/token/").status_code == 405


@pytest.mark.parametrize("role", ["supervisor", "analista", "jefe", "admin"])
def test_every_role_reads_the_map_api(role: str) -> None:
    build_town()
    response = token_client(role).get("/api/v1/parcels/")
    assert response.status_code == 200
    assert len(response.json()["features"]) == 6


def test_a_superuser_without_groups_counts_as_admin() -> None:
    User.objects.create_superuser("root", password="clave-1")
    client = Client()
    client.login(username="root", password="clave-1")
    assert client.get("/api/v1/parcels/").status_code == 200


def test_session_authentication_works_for_the_web_map() -> None:
    user = User.objects.create_user("sup", password="clave-1")
    user.groups.add(Group.objects.get(name="supervisor"))
    client = Client()
    assert client.login(username="sup", password="clave-1")
    response = client.get("/api/v1/segments/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"


def test_openapi_schema_documents_every_endpoint() -> None:
    response = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in (
        "/api/v1/accounts/",
        "/api/v1/accounts/{id}/",
        "/api/v1/parcels/",
        "/api/v1/segments/",
        "/api/v1/meters/",
        "/api/v1/aggregates/{unit}/",
        "/api/v1/tiles/{layer}/{z}/{x}/{y}.pbf",
        "/api/v1/tiles/{layer}.json",
        "/api/v1/auth/token/",
        "/api/v1/layers/",
        "/api/v1/lookups/",
    ):
        assert path in paths, path
    parameters = {p["name"] for p in paths["/api/v1/accounts/"]["get"]["parameters"]}
    assert {"bbox", "status", "tariff", "colonia", "sector", "route", "months_overdue_min",
            "months_overdue_max", "balance_min", "balance_max", "link_method", "ordering",
            "limit", "offset", "precision"} <= parameters  # fmt: skip
    tile = paths["/api/v1/tiles/{layer}/{z}/{x}/{y}.pbf"]["get"]["responses"]["200"]
    assert "application/vnd.mapbox-vector-tile" in tile["content"]
    geojson = paths["/api/v1/parcels/"]["get"]["responses"]["200"]["content"]
    assert "application/geo+json" in geojson


def test_swagger_ui_is_served_from_the_project_without_cdn() -> None:
    response = Client().get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    for cdn in ("cdn.", "jsdelivr", "unpkg", "cdnjs"):
        assert cdn not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "/api/v1/schema/" in html


def test_web_map_page_needs_a_role_and_loads_nothing_from_outside() -> None:
    anonymous = Client().get("/mapa/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/mapa/entrar/")
    assert "Contraseña" in Client().get("/mapa/entrar/").content.decode()

    User.objects.create_user("nadie", password="clave-1")
    roleless = Client()
    roleless.login(username="nadie", password="clave-1")
    assert roleless.get("/mapa/").status_code == 403

    user_with_role("supervisor", "sup")
    client = Client()
    response = client.post("/mapa/entrar/", {"username": "sup", "password": "clave-1"})
    assert response.status_code == 302 and response["Location"] == "/mapa/"
    html = client.get("/mapa/").content.decode()
    assert 'id="map-config"' in html and "Predios por estatus y adeudo" in html
    assert "/static/maps/vendor/maplibre-gl/maplibre-gl.css" in html
    for cdn in ("cdn.", "jsdelivr", "unpkg", "cdnjs", "https://"):
        assert cdn not in html
