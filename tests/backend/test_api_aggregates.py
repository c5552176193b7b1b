"""Arrears (count, amount, aging buckets) and suspensions per segment, colonia and sector."""

import json
from datetime import timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from gis_backend.maps import summaries
from gis_backend.registry.models import CollectionSnapshot, Colonia
from tests.backend.api_factories import (
    EARLIER,
    TODAY,
    Town,
    check_feature_collection,
    lonlat_bbox,
    token_client,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> APIClient:
    return token_client("jefe")


def aggregate(client: APIClient, unit: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"/api/v1/aggregates/{unit}/", params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/geo+json"
    data: dict[str, Any] = json.loads(response.content)
    check_feature_collection(data)
    return data


def props(data: dict[str, Any], key: str) -> dict[Any, dict[str, Any]]:
    return {f["properties"][key]: f["properties"] for f in data["features"]}


def test_arrears_by_colonia_with_aging_buckets(client: APIClient, town: Town) -> None:
    data = aggregate(client, "colonias")
    centro = props(data, "name")["Zona Centro"]
    # A1 (0), A2 (1500.50, 45 days), A3 (5000, 200 days, suspendido)
    assert centro["accounts"] == 3
    assert centro["arrears_count"] == 2 and centro["arrears_amount"] == 6500.5
    assert centro["arrears_share"] == pytest.approx(2 / 3, abs=1e-4)
    assert centro["share_over_90"] == pytest.approx(1 / 3, abs=1e-4)  # A3, 200 days
    assert centro["aging_31_90_count"] == 1 and centro["aging_31_90_amount"] == 1500.5
    assert centro["aging_181_mas_count"] == 1 and centro["aging_181_mas_amount"] == 5000
    assert centro["aging_0_30_count"] == 0 and centro["aging_91_180_count"] == 0
    assert centro["suspended"] == 1
    # A3: one restriction and one cut; A2: a cut and a reconnection long ago.
    assert (centro["restrictions"], centro["cuts"], centro["reconnections"]) == (1, 2, 1)
    fuentes = props(data, "name")["Las Fuentes"]
    # A4 (300, 20 days, restringido), A5 (0), A7 (0, baja)
    assert fuentes["accounts"] == 3 and fuentes["restricted"] == 1
    assert fuentes["aging_0_30_count"] == 1 and fuentes["aging_0_30_amount"] == 300
    # A6 has no parcel or segment: no colonia.
    assert data["unassigned"]["accounts"] == 1 and data["unassigned"]["arrears_amount"] == 2500
    assert data["totals"]["accounts"] == 7
    assert data["totals"]["arrears_amount"] == pytest.approx(9300.5)
    assert data["totals"]["aging_91_180_count"] == 1
    polygon = data["features"][0]["geometry"]
    assert polygon["type"] == "MultiPolygon"


def test_arrears_by_segment_and_sector(client: APIClient, town: Town) -> None:
    segments = props(aggregate(client, "segments"), "name")
    assert segments["Calle Hidalgo"]["arrears_count"] == 2
    assert segments["Av. Morelos"]["accounts"] == 2  # A4, A5 (A7 has no segment)
    sectors = aggregate(client, "sectors")
    by_code = props(sectors, "code")
    assert by_code["01"]["arrears_amount"] == 6500.5
    assert by_code["02"]["arrears_amount"] == 2800  # A4 300 + A6 2500
    assert sectors["unassigned"]["accounts"] == 0


def test_date_range_picks_snapshots_and_events_in_it(client: APIClient, town: Town) -> None:
    # Up to June 30 only A2's earlier snapshot exists: 800 owed for 20 days.
    early = aggregate(client, "colonias", date_to=EARLIER.isoformat())
    centro = props(early, "name")["Zona Centro"]
    assert centro["arrears_count"] == 1 and centro["arrears_amount"] == 800
    assert centro["aging_0_30_count"] == 1
    assert early["date_to"] == EARLIER.isoformat()
    # Events of the last 90 days: A3's cut (60 days ago), A4's restriction (30 days ago).
    recent = aggregate(client, "sectors", date_from=(TODAY - timedelta(days=90)).isoformat())
    totals = recent["totals"]
    assert (totals["restrictions"], totals["cuts"], totals["reconnections"]) == (1, 1, 0)


def test_status_and_tariff_choose_the_accounts_counted(client: APIClient, town: Town) -> None:
    data = aggregate(client, "sectors", tariff="comercial")
    assert data["totals"]["accounts"] == 1 and data["totals"]["arrears_amount"] == 1500.5
    data = aggregate(client, "sectors", status="suspendido,restringido")
    assert data["totals"]["accounts"] == 2


def test_geometry_false_bbox_ordering_and_paging(client: APIClient, town: Town) -> None:
    data = aggregate(client, "segments", geometry="false")
    assert all(feature["geometry"] is None for feature in data["features"])
    inside = aggregate(client, "colonias", bbox=lonlat_bbox(250, 0, 260, 10))
    assert [f["properties"]["name"] for f in inside["features"]] == ["Las Fuentes"]
    ordered = aggregate(client, "colonias", ordering="-arrears_amount", limit=1)
    assert [f["properties"]["name"] for f in ordered["features"]] == ["Zona Centro"]
    assert ordered["next"] is not None and "offset=1" in ordered["next"]
    second = json.loads(client.get(ordered["next"]).content)
    assert [f["properties"]["name"] for f in second["features"]] == ["Las Fuentes"]
    assert second["next"] is None


def test_units_without_accounts_have_zero_figures(client: APIClient, town: Town) -> None:
    Colonia.objects.create(name="Ejido Vacío", name_normalized="EJIDO VACIO")
    empty = props(aggregate(client, "colonias"), "name")["Ejido Vacío"]
    assert empty["accounts"] == 0 and empty["arrears_amount"] == 0 and empty["cuts"] == 0


def test_aggregates_follow_data_changes(
    client: APIClient, town: Town, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = aggregate(client, "sectors")["totals"]["arrears_amount"]
    CollectionSnapshot.objects.filter(account=town.accounts["A3"]).update(balance=1)
    # Filtered requests read the live tables: at once.
    live = aggregate(client, "sectors", date_to="2030-01-01")["totals"]["arrears_amount"]
    assert live == pytest.approx(before - 4999)
    # Unfiltered ones read the summary, recomputed once it is older than the minimum age.
    monkeypatch.setattr(summaries, "MIN_AGE_SECONDS", 3600.0)
    assert aggregate(client, "sectors")["totals"]["arrears_amount"] == pytest.approx(before)
    monkeypatch.setattr(summaries, "MIN_AGE_SECONDS", 0.0)
    after = aggregate(client, "sectors")["totals"]["arrears_amount"]
    assert after == pytest.approx(before - 4999)


def test_summary_and_live_answers_agree(client: APIClient, town: Town) -> None:
    for unit in ("segments", "colonias", "sectors"):
        summary = aggregate(client, unit)
        live = aggregate(client, unit, date_to="2030-01-01")
        assert summary["features"] == live["features"], unit
        assert summary["totals"] == live["totals"] and summary["unassigned"] == live["unassigned"]
