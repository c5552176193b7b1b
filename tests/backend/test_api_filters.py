"""Malformed parameters are refused with HTTP 400 and a message in Spanish, never a 500."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.backend.api_factories import build_town, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> APIClient:
    build_town()
    return token_client("analista")


BAD = [
    # (url, params, parameter named in the answer, words of the message)
    ("/api/v1/accounts/", {"bbox": "1,2,3"}, "bbox", "cuatro números"),
    ("/api/v1/accounts/", {"bbox": "a,b,c,d"}, "bbox", "números"),
    ("/api/v1/accounts/", {"bbox": "-100.9,20.5,-101,20.4"}, "bbox", "suroeste a noreste"),
    ("/api/v1/parcels/", {"bbox": "-200,20,-100,21"}, "bbox", "longitud"),
    ("/api/v1/parcels/", {"bbox": "-101,95,-100,96"}, "bbox", "latitud"),
    # A metric bbox where lon/lat is expected is a mistake worth naming.
    ("/api/v1/parcels/", {"bbox": "295500,2265800,295600,2265900"}, "bbox", "longitud"),
    ("/api/v1/accounts/", {"status": "moroso"}, "status", "opción válida"),
    ("/api/v1/accounts/", {"tariff": "domestico,lujo"}, "tariff", "opción válida"),
    ("/api/v1/accounts/", {"colonia": "centro"}, "colonia", "número entero"),
    ("/api/v1/accounts/", {"sector": "1,x"}, "sector", "número entero"),
    ("/api/v1/accounts/", {"route": "1.5"}, "route", "número entero"),
    ("/api/v1/accounts/", {"months_overdue_min": "-1"}, "months_overdue_min", "mayor o igual"),
    ("/api/v1/accounts/", {"months_overdue_max": "tres"}, "months_overdue_max", "entero"),
    ("/api/v1/accounts/", {"balance_min": "mucho"}, "balance_min", "número"),
    ("/api/v1/accounts/", {"balance_min": "500", "balance_max": "100"}, "balance_max", "mínimo"),
    (
        "/api/v1/parcels/",
        {"months_overdue_min": "5", "months_overdue_max": "2"},
        "months_overdue_max",
        "mínimo",
    ),
    ("/api/v1/accounts/", {"link_method": "gps"}, "link_method", "opción válida"),
    ("/api/v1/accounts/", {"aging": "0-30"}, "aging", "opción válida"),
    ("/api/v1/accounts/", {"ordering": "holder_name"}, "ordering", "No se puede ordenar"),
    ("/api/v1/accounts/", {"limit": "0"}, "limit", "mayor o igual"),
    ("/api/v1/accounts/", {"limit": "100000"}, "limit", "menor o igual"),
    ("/api/v1/accounts/", {"offset": "-5"}, "offset", "mayor o igual"),
    ("/api/v1/accounts/", {"precision": "20"}, "precision", "menor o igual"),
    ("/api/v1/accounts/", {"stauts": "activo"}, "stauts", "Parámetro desconocido"),
    ("/api/v1/parcels/", {"status": "perdido"}, "status", "opción válida"),
    ("/api/v1/parcels/", {"map_class": "rojo"}, "map_class", "opción válida"),
    ("/api/v1/segments/", {"street_type": "vereda"}, "street_type", "opción válida"),
    ("/api/v1/meters/", {"state": "roto"}, "state", "opción válida"),
    ("/api/v1/accounts/", {"parcel": "P1"}, "parcel", "número entero"),
    ("/api/v1/meters/", {"parcel": "3,x"}, "parcel", "número entero"),
    ("/api/v1/parcels/", {"parcel": "3"}, "parcel", "Parámetro desconocido"),
    ("/api/v1/segments/", {"ordering": "arrears"}, "ordering", "No se puede ordenar"),
    ("/api/v1/aggregates/colonias/", {"date_from": "31/12/2025"}, "date_from", "fecha"),
    ("/api/v1/aggregates/colonias/", {"date_to": "2026-02-30"}, "date_to", "fecha"),
    (
        "/api/v1/aggregates/sectors/",
        {"date_from": "2026-06-01", "date_to": "2026-01-01"},
        "date_to",
        "anterior",
    ),
    ("/api/v1/aggregates/segments/", {"geometry": "quizá"}, "geometry", "true o false"),
    ("/api/v1/aggregates/segments/", {"ordering": "holder"}, "ordering", "No se puede ordenar"),
    ("/api/v1/tiles/suspensions/16/1/1.pbf", {"date_from": "ayer"}, "date_from", "fecha"),
    ("/api/v1/tiles/suspensions/16/1/1.pbf", {"kind": "multa"}, "kind", "opción válida"),
    ("/api/v1/tiles/parcels/16/1/1.pbf", {"status": "activo"}, "status", "desconocido"),
    ("/api/v1/tiles/parcels/3/8/1.pbf", {}, "tile", "fuera de rango"),
    ("/api/v1/tiles/parcels/23/0/0.pbf", {}, "tile", "fuera de rango"),
    ("/api/v1/lookups/", {"x": "1"}, "x", "desconocido"),
]


@pytest.mark.parametrize(("url", "params", "parameter", "words"), BAD)
def test_bad_parameter_is_a_400_with_a_spanish_message(
    client: APIClient, url: str, params: dict[str, Any], parameter: str, words: str
) -> None:
    response = client.get(url, params)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    errors = response.json()
    assert parameter in errors, errors
    message = " ".join(errors[parameter])
    assert words.lower() in message.lower(), message


def test_unknown_tile_layer_and_aggregate_unit_are_404(client: APIClient) -> None:
    for url in (
        "/api/v1/tiles/predios/16/1/1.pbf",
        "/api/v1/tiles/meters/16/1/1.pbf",  # GeoJSON only
        "/api/v1/tiles/predios.json",
        "/api/v1/aggregates/municipios/",
        "/api/v1/layers/predios/style.qml",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json"
        assert "desconocid" in response.json()["detail"]


def test_odd_but_valid_values_are_not_errors(client: APIClient) -> None:
    # Repeated commas, spaces around values, uppercase booleans, the smallest page.
    assert client.get("/api/v1/accounts/", {"status": "activo,,suspendido"}).status_code == 200
    assert client.get("/api/v1/aggregates/sectors/", {"geometry": "FALSE"}).status_code == 200
    assert client.get("/api/v1/accounts/", {"limit": "1", "offset": "999"}).status_code == 200
    assert client.get("/api/v1/accounts/", {"balance_min": "-10.5"}).status_code == 200
