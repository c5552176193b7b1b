"""GeoJSON layers: valid RFC 7946 in EPSG:4326, every filter, ordering, paging, precision."""

import json
from datetime import timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.backend.api_factories import (
    AS_OF,
    Town,
    by_key,
    check_feature_collection,
    lonlat,
    lonlat_bbox,
    snapshot,
    token_client,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> APIClient:
    return token_client("jefe")


def get(client: APIClient, url: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/geo+json"
    return check_feature_collection(json.loads(response.content))


def numbers(features: list[dict[str, Any]]) -> list[str]:
    return [feature["properties"]["number"] for feature in features]


# -- accounts ------------------------------------------------------------------------------------
def test_accounts_are_located_at_their_connection_point_or_their_parcel(
    client: APIClient, town: Town
) -> None:
    features = by_key(get(client, "/api/v1/accounts/"), "number")
    # A6 has neither a connection point nor a parcel: not on the map.
    assert sorted(features) == ["A1", "A2", "A3", "A4", "A5", "A7"]
    a1 = features["A1"]
    assert a1["properties"]["located_at"] == "toma"
    assert a1["geometry"]["type"] == "Point"
    point = town.accounts["A1"].connection_point
    assert point is not None
    assert a1["geometry"]["coordinates"] == pytest.approx(list(lonlat(point)), abs=1e-6)
    a2 = features["A2"]
    assert a2["properties"]["located_at"] == "predio"
    lon, lat = a2["geometry"]["coordinates"]
    parcel = town.parcels["P2"].geom.transform(4326, clone=True)
    assert parcel.extent[0] < lon < parcel.extent[2] and parcel.extent[1] < lat < parcel.extent[3]


def test_account_properties_carry_link_balance_and_map_class(client: APIClient, town: Town) -> None:
    a2 = by_key(get(client, "/api/v1/accounts/"), "number")["A2"]["properties"]
    assert a2["status"] == "activo"
    assert a2["tariff"] == "comercial"
    assert a2["parcel_id"] == town.parcels["P2"].pk
    assert a2["parcel_method"] == "direccion"
    assert a2["segment_id"] == town.segments["hidalgo"].pk
    assert a2["colonia"] == "Zona Centro"
    assert a2["sector"] == "01" and a2["route"] == "101"
    # the newest snapshot, not the earlier one
    assert a2["balance"] == 1500.5 and a2["balance_as_of"] == "2026-09-30"
    assert a2["months_overdue"] == 2 and a2["days_overdue"] == 45
    assert a2["aging"] == "31_90" and a2["map_class"] == "31_90"
    classes = {n: f["properties"]["map_class"] for n, f in
               by_key(get(client, "/api/v1/accounts/"), "number").items()}  # fmt: skip
    assert classes == {"A1": "al_corriente", "A2": "31_90", "A3": "suspendido",
                       "A4": "restringido", "A5": "al_corriente", "A7": "baja"}  # fmt: skip


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "suspendido,restringido"}, ["A3", "A4"]),
        ({"tariff": "comercial"}, ["A2"]),
        ({"tariff": "domestico", "status": "activo"}, ["A1"]),
        ({"months_overdue_min": 2}, ["A2", "A3"]),
        ({"months_overdue_max": 1}, ["A1", "A4", "A5", "A7"]),
        ({"months_overdue_min": 1, "months_overdue_max": 2}, ["A2", "A4"]),
        ({"balance_min": "1000"}, ["A2", "A3"]),
        ({"balance_max": "0"}, ["A1", "A5", "A7"]),
        ({"balance_min": "100", "balance_max": "2000"}, ["A2", "A4"]),
        ({"aging": "181_mas,0_30"}, ["A3", "A4"]),
        ({"map_class": "al_corriente"}, ["A1", "A5"]),
        ({"link_method": "clave_catastral"}, ["A1", "A5"]),
        ({"link_method": "manual,interpolacion"}, ["A4", "A7"]),
        ({"number": "A3"}, ["A3"]),
    ],
)
def test_account_filters(
    client: APIClient, town: Town, params: dict[str, Any], expected: list[str]
) -> None:
    assert numbers(get(client, "/api/v1/accounts/", **params)) == expected


def test_account_filters_by_colonia_sector_and_route_ids(client: APIClient, town: Town) -> None:
    fuentes, sector, route = town.colonias["fuentes"], town.sectors["01"], town.routes["201"]
    assert numbers(get(client, "/api/v1/accounts/", colonia=fuentes.pk)) == ["A4", "A5", "A7"]
    assert numbers(get(client, "/api/v1/accounts/", sector=sector.pk)) == ["A1", "A2", "A3"]
    assert numbers(get(client, "/api/v1/accounts/", route=route.pk)) == ["A4", "A5", "A7"]
    both = f"{town.colonias['centro'].pk},{fuentes.pk}"
    assert len(get(client, "/api/v1/accounts/", colonia=both)) == 6


def test_accounts_carry_the_score_of_their_links(client: APIClient, town: Town) -> None:
    from gis_backend.registry.models import AccountLink

    AccountLink.objects.filter(account=town.accounts["A1"]).update(
        parcel_score=0.97125, segment_score=0.8
    )
    AccountLink.objects.filter(account=town.accounts["A2"]).update(parcel_score=0.55)
    features = by_key(get(client, "/api/v1/accounts/"), "number")
    assert features["A1"]["properties"]["parcel_score"] == 0.971
    assert features["A1"]["properties"]["segment_score"] == 0.8
    assert features["A2"]["properties"]["parcel_score"] == 0.55
    assert features["A2"]["properties"]["segment_score"] is None
    assert features["A3"]["properties"]["parcel_score"] is None  # linked, no score stored
    # the scores travel in the properties, in the order of the other link columns
    keys = list(features["A1"]["properties"])
    assert keys.index("parcel_method") + 1 == keys.index("parcel_score")


def test_accounts_and_meters_filter_by_linked_parcel(client: APIClient, town: Town) -> None:
    p1, p2, p4 = (town.parcels[k].pk for k in ("P1", "P2", "P4"))
    assert numbers(get(client, "/api/v1/accounts/", parcel=p4)) == ["A4", "A5"]
    assert numbers(get(client, "/api/v1/accounts/", parcel=f"{p1},{p2}")) == ["A1", "A2"]
    assert get(client, "/api/v1/accounts/", parcel=town.parcels["P6"].pk) == []
    serials = lambda **p: [f["properties"]["serial"] for f in get(client, "/api/v1/meters/", **p)]  # noqa: E731
    assert serials(parcel=p2) == ["M2"]
    assert serials(parcel=f"{p1},{p2}") == ["M1", "M2"]
    assert serials(parcel=p4) == []  # A4 and A5 have no meter
    # an account drawn far from its parcel (its connection point) is still the parcel's
    a4 = town.accounts["A4"]
    a4.connection_point = town.accounts["A3"].connection_point
    a4.save()
    assert numbers(get(client, "/api/v1/accounts/", parcel=p4)) == ["A4", "A5"]
    # with other filters and a bbox
    centro = lonlat_bbox(-1, -1, 120, 25)
    assert numbers(get(client, "/api/v1/accounts/", parcel=p1, bbox=centro, status="activo")) == [
        "A1"
    ]


def test_account_without_parcel_link_filters_as_sin_vinculo(client: APIClient, town: Town) -> None:
    # A6 is not on the map; an account located by its connection point only is.
    a6 = town.accounts["A6"]
    a6.connection_point = town.accounts["A1"].connection_point
    a6.save()
    assert numbers(get(client, "/api/v1/accounts/", link_method="sin_vinculo")) == ["A6"]


def test_bbox_is_lon_lat_and_transformed_to_the_storage_crs(client: APIClient, town: Town) -> None:
    # Around the Zona Centro parcels only (x 0–120 m, y 0–20 m from the origin).
    centro = lonlat_bbox(-1, -1, 120, 25)
    assert numbers(get(client, "/api/v1/accounts/", bbox=centro)) == ["A1", "A2", "A3"]
    assert len(get(client, "/api/v1/parcels/", bbox=centro)) == 3
    assert [f["properties"]["serial"] for f in get(client, "/api/v1/meters/", bbox=centro)] == [
        "M1",
        "M2",
    ]
    # Far from town (Mérida): nothing, and no error.
    assert get(client, "/api/v1/accounts/", bbox="-89.7,20.9,-89.5,21.1") == []
    # Outside the storage CRS's zone entirely: nothing, and no error either.
    assert get(client, "/api/v1/parcels/", bbox="10,40,11,41") == []
    assert get(client, "/api/v1/segments/", bbox="-180,-90,180,90") != []


def test_ordering_and_paging_with_next_link(client: APIClient, town: Town) -> None:
    params: dict[str, Any] = {"ordering": "-balance,number", "limit": 2}
    response = client.get("/api/v1/accounts/", params)
    data = json.loads(response.content)
    assert numbers(data["features"]) == ["A3", "A2"]
    assert data["numberReturned"] == 2 and data["previous"] is None
    assert "offset=2" in data["next"] and "ordering=-balance%2Cnumber" in data["next"]
    second = json.loads(client.get(data["next"]).content)
    assert numbers(second["features"]) == ["A4", "A1"]
    third = json.loads(client.get(second["next"]).content)
    assert numbers(third["features"]) == ["A5", "A7"]
    assert third["next"] is None and "offset=2" in third["previous"]


def test_precision_rounds_coordinates(client: APIClient, town: Town) -> None:
    coarse = get(client, "/api/v1/accounts/", number="A1", precision=3)[0]
    lon, lat = coarse["geometry"]["coordinates"]
    assert lon == round(lon, 3) and lat == round(lat, 3)
    fine = get(client, "/api/v1/accounts/", number="A1", precision=8)[0]
    assert fine["geometry"]["coordinates"][0] != round(fine["geometry"]["coordinates"][0], 6)


def test_account_detail_is_one_feature(client: APIClient, town: Town) -> None:
    pk = town.accounts["A3"].pk
    response = client.get(f"/api/v1/accounts/{pk}/")
    assert response.status_code == 200
    feature = json.loads(response.content)
    assert feature["type"] == "Feature" and feature["id"] == pk
    assert feature["properties"]["number"] == "A3"
    missing = client.get(f"/api/v1/accounts/{town.accounts['A6'].pk}/")
    assert missing.status_code == 404
    assert "ubicación" in missing.json()["detail"]


# -- parcels ------------------------------------------------------------------------------------
def test_parcels_are_polygons_coloured_by_their_accounts(client: APIClient, town: Town) -> None:
    features = by_key(get(client, "/api/v1/parcels/"), "cadastral_key")
    p4 = features["11-011-001-P4"]
    assert p4["geometry"]["type"] == "MultiPolygon"
    props = p4["properties"]
    # P4: A4 restringido with 300 owed (20 days) and A5 activo al corriente.
    assert props["accounts"] == 2 and props["status"] == "restringido"
    assert props["balance"] == 300 and props["aging"] == "0_30"
    assert props["map_class"] == "restringido"
    p6 = features["11-011-001-P6"]["properties"]
    assert p6["accounts"] == 0 and p6["status"] == "sin_cuenta" and p6["map_class"] == "sin_cuenta"
    assert features["11-011-001-P5"]["properties"]["map_class"] == "baja"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "sin_cuenta"}, ["P6"]),
        ({"status": "suspendido,restringido"}, ["P3", "P4"]),
        ({"map_class": "31_90"}, ["P2"]),
        ({"aging": "sin_adeudo"}, ["P1", "P5", "P6"]),
        ({"balance_min": "301"}, ["P2", "P3"]),
        ({"balance_max": "300"}, ["P1", "P4", "P5", "P6"]),
        ({"months_overdue_min": 3}, ["P3"]),
        ({"months_overdue_max": 1}, ["P1", "P4", "P5", "P6"]),
        ({"land_use": "habitacional"}, ["P1", "P2", "P3", "P4", "P5", "P6"]),
        ({"cadastral_key": "11-011-001-P2"}, ["P2"]),
        ({"ordering": "-balance", "limit": 2}, ["P3", "P2"]),
    ],
)
def test_parcel_filters(
    client: APIClient, town: Town, params: dict[str, Any], expected: list[str]
) -> None:
    features = get(client, "/api/v1/parcels/", **params)
    assert [f["properties"]["cadastral_key"][-2:] for f in features] == expected


def test_parcels_filter_by_colonia(client: APIClient, town: Town) -> None:
    features = get(client, "/api/v1/parcels/", colonia=town.colonias["centro"].pk)
    assert [f["properties"]["colonia"] for f in features] == ["Zona Centro"] * 3


# -- segments and meters ------------------------------------------------------------------------
def test_segments_are_lines_with_their_attributes(client: APIClient, town: Town) -> None:
    features = by_key(get(client, "/api/v1/segments/"), "name")
    hidalgo = features["Calle Hidalgo"]
    assert hidalgo["geometry"]["type"] == "LineString"
    assert hidalgo["properties"]["street_type"] == "calle"
    assert hidalgo["properties"]["left_from"] == 1 and hidalgo["properties"]["left_to"] == 19
    assert hidalgo["properties"]["colonia"] == "Zona Centro"


def test_segments_count_their_accounts_in_arrears(client: APIClient, town: Town) -> None:
    features = by_key(get(client, "/api/v1/segments/"), "name")
    # Hidalgo: A2 (1,500.50) and A3 (5,000) owe, A1 does not; Morelos: A4 (300) owes, A5 not.
    assert features["Calle Hidalgo"]["properties"]["arrears_count"] == 2
    assert features["Av. Morelos"]["properties"]["arrears_count"] == 1
    from gis_backend.registry.models import AccountLink

    # the newest snapshot counts: A4 paid after the cut-off → no account in arrears on Morelos
    snapshot(town.accounts["A4"], "0", 0, 0, as_of=AS_OF + timedelta(days=31))
    AccountLink.objects.filter(account=town.accounts["A3"]).update(segment=None)
    features = by_key(get(client, "/api/v1/segments/", ordering="-arrears_count"), "name")
    assert list(features) == ["Calle Hidalgo", "Av. Morelos"]
    assert features["Calle Hidalgo"]["properties"]["arrears_count"] == 1
    assert features["Av. Morelos"]["properties"]["arrears_count"] == 0


def test_segment_filters(client: APIClient, town: Town) -> None:
    names = lambda **p: [f["properties"]["name"] for f in get(client, "/api/v1/segments/", **p)]  # noqa: E731
    assert names(name="morelos") == ["Av. Morelos"]
    assert names(name="HIDALGO") == ["Calle Hidalgo"]
    assert names(street_type="avenida") == ["Av. Morelos"]
    assert names(colonia=town.colonias["centro"].pk) == ["Calle Hidalgo"]
    assert names(ordering="-name") == ["Calle Hidalgo", "Av. Morelos"]
    assert names(name="100% falsa") == []


def test_meters_are_located_at_their_own_point_or_their_account(
    client: APIClient, town: Town
) -> None:
    features = by_key(get(client, "/api/v1/meters/"), "serial")
    assert sorted(features) == ["M1", "M2"]  # M3 has no location and no account
    assert features["M1"]["properties"]["located_at"] == "medidor"
    assert features["M2"]["properties"]["located_at"] == "predio"
    assert features["M2"]["properties"]["account_number"] == "A2"


def test_meter_filters(client: APIClient, town: Town) -> None:
    serials = lambda **p: [f["properties"]["serial"] for f in get(client, "/api/v1/meters/", **p)]  # noqa: E731
    assert serials(state="danado") == ["M2"]
    assert serials(tariff="domestico") == ["M1"]
    assert serials(status="activo") == ["M1", "M2"]
    assert serials(sector=town.sectors["02"].pk) == []
    assert serials(route=town.routes["101"].pk) == ["M1", "M2"]
    assert serials(diameter="1/2") == ["M1", "M2"]
    assert serials(serial="M2") == ["M2"]
    assert serials(ordering="-serial") == ["M2", "M1"]
