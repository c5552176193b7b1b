import pytest
from django.contrib.gis.geos import LineString, MultiPolygon, Polygon
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gis_backend.registry.models import Account, Meter, Parcel, StreetSegment


def square(x: float, y: float, size: float = 10.0) -> MultiPolygon:
    return MultiPolygon(
        Polygon(((x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y))), srid=32614
    )


@pytest.mark.django_db
def test_health_is_public_json_with_registry_counts(client: Client) -> None:
    Parcel.objects.create(cadastral_key="11-011-001-001-001", geom=square(295500, 2265800))
    Parcel.objects.create(cadastral_key="11-011-001-001-002", geom=square(295520, 2265800))
    StreetSegment.objects.create(
        name="Calle Hidalgo",
        name_normalized="HIDALGO",
        geom=LineString((295500, 2265790), (295600, 2265790), srid=32614),
    )
    account = Account.objects.create(number="000123", tariff="domestico_popular")
    Meter.objects.create(serial="M-1", account=account)

    response = client.get("/api/v1/health")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["counts"] == {"parcels": 2, "street_segments": 1, "accounts": 1, "meters": 1}
    assert body["postgis"].startswith("3.")


@pytest.mark.django_db
def test_health_counts_again_only_when_the_registry_changed(client: Client) -> None:
    # Public and polled by monitors: on a million-row registry each count reads a whole table,
    # so an unchanged registry must not be counted again.
    Account.objects.create(number="1", tariff="comercial")
    assert client.get("/api/v1/health").json()["counts"]["accounts"] == 1

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/health").json()["counts"]["accounts"] == 1
    assert not any("count(*)" in query["sql"] for query in queries.captured_queries)

    Account.objects.create(number="2", tariff="comercial")
    assert client.get("/api/v1/health").json()["counts"]["accounts"] == 2


@pytest.mark.django_db
def test_home_page_shows_counts_in_spanish(client: Client) -> None:
    Account.objects.create(number="77", tariff="comercial")
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cuentas" in html
    assert "Administración del padrón" in html
    assert 'href="/mapa/"' in html and 'href="/api/v1/docs/"' in html
