"""A small town for the map API tests, built with the ORM in EPSG:32614 near Cortazar.

Layout (metres east/north of ORIGIN):
- colonia "Zona Centro" (x 0–200) and "Las Fuentes" (x 200–400), sectors 01 and 02;
- street segments Hidalgo (Centro) and Morelos (Las Fuentes) along y = −5;
- parcels P1–P6, 20 m squares along the street; P6 is built and has no account;
- accounts A1–A7 with holders, links, balances, suspensions and meters (see ``build_town``).
"""

import itertools
import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from gis_backend.registry.models import (
    Account,
    AccountLink,
    CollectionSnapshot,
    Colonia,
    Holder,
    Meter,
    Parcel,
    ReadingRoute,
    Sector,
    StreetSegment,
    SuspensionEvent,
)

SRID = 32614
ORIGIN = (295572.0, 2265823.0)  # Cortazar, Guanajuato: about lon −100.96, lat 20.48
TODAY = date.today()
AS_OF = date(2026, 9, 30)
EARLIER = date(2026, 6, 30)


def at(dx: float, dy: float) -> Point:
    return Point(ORIGIN[0] + dx, ORIGIN[1] + dy, srid=SRID)


def box(x0: float, y0: float, x1: float, y1: float) -> MultiPolygon:
    ox, oy = ORIGIN
    ring = ((ox + x0, oy + y0), (ox + x1, oy + y0), (ox + x1, oy + y1), (ox + x0, oy + y1))
    return MultiPolygon(Polygon((*ring, ring[0])), srid=SRID)


def line(x0: float, y0: float, x1: float, y1: float) -> LineString:
    ox, oy = ORIGIN
    return LineString((ox + x0, oy + y0), (ox + x1, oy + y1), srid=SRID)


def lonlat(point: Point) -> tuple[float, float]:
    transformed = cast(Point, point.transform(4326, clone=True))
    return transformed.x, transformed.y


def lonlat_bbox(x0: float, y0: float, x1: float, y1: float) -> str:
    """The lon/lat bbox of a rectangle given in metres from ORIGIN, as the API takes it."""
    (west, south), (east, north) = lonlat(at(x0, y0)), lonlat(at(x1, y1))
    return ",".join(f"{value:.7f}" for value in (west, south, east, north))


@dataclass
class Town:
    colonias: dict[str, Colonia] = field(default_factory=dict)
    sectors: dict[str, Sector] = field(default_factory=dict)
    routes: dict[str, ReadingRoute] = field(default_factory=dict)
    segments: dict[str, StreetSegment] = field(default_factory=dict)
    parcels: dict[str, Parcel] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    meters: dict[str, Meter] = field(default_factory=dict)
    events: dict[str, SuspensionEvent] = field(default_factory=dict)


def snapshot(account: Account, balance: str, months: int, days: int, as_of: date = AS_OF) -> None:
    CollectionSnapshot.objects.create(
        account=account,
        as_of=as_of,
        balance=Decimal(balance),
        months_overdue=months,
        days_overdue=days,
    )


def build_town() -> Town:
    town = Town()
    town.colonias["centro"] = Colonia.objects.create(
        name="Zona Centro", name_normalized="ZONA CENTRO", geom=box(0, -50, 200, 100)
    )
    town.colonias["fuentes"] = Colonia.objects.create(
        name="Las Fuentes",
        name_normalized="LAS FUENTES",
        settlement_type="fraccionamiento",
        geom=box(200, -50, 400, 100),
    )
    town.sectors["01"] = Sector.objects.create(code="01", name="Norte", geom=box(0, -50, 200, 100))
    town.sectors["02"] = Sector.objects.create(code="02", name="Sur", geom=box(200, -50, 400, 100))
    town.routes["101"] = ReadingRoute.objects.create(sector=town.sectors["01"], code="101")
    town.routes["201"] = ReadingRoute.objects.create(sector=town.sectors["02"], code="201")
    town.segments["hidalgo"] = StreetSegment.objects.create(
        name="Calle Hidalgo",
        name_normalized="HIDALGO",
        street_type="calle",
        colonia=town.colonias["centro"],
        geom=line(0, -5, 200, -5),
        left_from=1,
        left_to=19,
    )
    town.segments["morelos"] = StreetSegment.objects.create(
        name="Av. Morelos",
        name_normalized="MORELOS",
        street_type="avenida",
        colonia=town.colonias["fuentes"],
        geom=line(200, -5, 400, -5),
    )
    for key, x, colonia, built in (
        ("P1", 0, "centro", "90"),
        ("P2", 40, "centro", "120"),
        ("P3", 80, "centro", "60"),
        ("P4", 200, "fuentes", "150"),
        ("P5", 240, "fuentes", "0"),
        ("P6", 280, "fuentes", "80"),
    ):
        town.parcels[key] = Parcel.objects.create(
            cadastral_key=f"11-011-001-{key}",
            geom=box(x, 0, x + 20, 20),
            built_area=Decimal(built),
            colonia=town.colonias[colonia],
            street="Hidalgo" if colonia == "centro" else "Morelos",
            number=str(x // 20 + 1),
            land_use="habitacional",
        )

    def account(number: str, holder_name: str | None, **fields: Any) -> Account:
        holder = None
        if holder_name:
            holder = Holder.objects.create(
                full_name=holder_name,
                phone="4111234567",
                email=f"{number.lower()}@example.mx",
                notification_address="Calle Hidalgo 1, Cortazar",
            )
        created = Account.objects.create(number=number, holder=holder, **fields)
        town.accounts[number] = created
        return created

    centro = {"sector": town.sectors["01"], "route": town.routes["101"]}
    fuentes = {"sector": town.sectors["02"], "route": town.routes["201"]}
    a1 = account(
        "A1", "Juana Pérez Núñez", tariff="domestico", connection_point=at(10, 2), **centro
    )
    a2 = account("A2", "Pedro Gómez Ruiz", tariff="comercial", **centro)
    a3 = account(
        "A3", "Rosa López", tariff="domestico", status="suspendido", connection_point=at(90, 2),
        **centro,
    )  # fmt: skip
    a4 = account("A4", "Luis Ramírez", tariff="domestico", status="restringido", **fuentes)
    a5 = account("A5", None, tariff="industrial", **fuentes)
    a6 = account("A6", "Sin Ubicación", tariff="domestico", **fuentes)
    a7 = account(
        "A7", "Carmen Baja", tariff="domestico", status="baja_definitiva",
        closed_on=date(2025, 1, 31), **fuentes,
    )  # fmt: skip

    links = (
        (a1, "P1", "clave_catastral", "hidalgo"),
        (a2, "P2", "direccion", "hidalgo"),
        (a3, "P3", "coordenadas", "hidalgo"),
        (a4, "P4", "interpolacion", "morelos"),
        (a5, "P4", "clave_catastral", "morelos"),
        (a7, "P5", "manual", None),
    )
    for acc, parcel, method, segment in links:
        AccountLink.objects.create(
            account=acc,
            parcel=town.parcels[parcel],
            parcel_method=method,
            segment=town.segments[segment] if segment else None,
            segment_method="frente" if segment else "",
        )

    snapshot(a1, "0", 0, 0)
    snapshot(a2, "1500.50", 2, 45)
    snapshot(a2, "800", 1, 20, as_of=EARLIER)
    snapshot(a3, "5000", 7, 200)
    snapshot(a4, "300", 1, 20)
    snapshot(a5, "0", 0, 0)
    snapshot(a6, "2500", 4, 120)
    snapshot(a7, "0", 0, 0)

    for key, acc, kind, days_ago in (
        ("restriction_a3", a3, "restriccion", 100),
        ("cut_a3", a3, "corte", 60),
        ("restriction_a4", a4, "restriccion", 30),
        ("old_cut_a2", a2, "corte", 800),
        ("reconnection_a2", a2, "reconexion", 790),
    ):
        town.events[key] = SuspensionEvent.objects.create(
            account=acc, kind=kind, occurred_on=TODAY - timedelta(days=days_ago), reason="adeudo"
        )

    town.meters["M1"] = Meter.objects.create(serial="M1", account=a1, location=at(12, 1))
    town.meters["M2"] = Meter.objects.create(serial="M2", account=a2, state="danado")
    town.meters["M3"] = Meter.objects.create(serial="M3", state="inaccesible")
    return town


def user_with_role(role: str | None, username: str | None = None) -> User:
    user = User.objects.create_user(username=username or (role or "sinrol"), password="clave-1")
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def token_client(role: str | None, username: str | None = None) -> APIClient:
    """An API client sending ``Authorization: Token …`` for a new user with this role."""
    user = user_with_role(role, username)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    client.user = user  # type: ignore[attr-defined]
    return client


# -- checks shared by the API tests ------------------------------------------------------------
CORTAZAR = (-100.96, 20.48)


def tile_for(dx: float, dy: float, z: int) -> tuple[int, int, int]:
    """The XYZ tile holding the point dx, dy metres from ORIGIN."""
    lon, lat_degrees = lonlat(at(dx, dy))
    n = 2**z
    x = int((lon + 180) / 360 * n)
    lat = math.radians(lat_degrees)
    y = int((1 - math.asinh(math.tan(lat)) / math.pi) / 2 * n)
    return z, x, y


def ring_area(ring: list[list[float]]) -> float:
    """Signed area (shoelace): positive for a counterclockwise ring."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring)) / 2


def check_position(position: list[float]) -> None:
    assert len(position) == 2, position
    lon, lat = position
    # RFC 7946: longitude, latitude in WGS 84, here near Cortazar.
    assert abs(lon - CORTAZAR[0]) < 0.05 and abs(lat - CORTAZAR[1]) < 0.05, position


def check_geometry(geometry: dict[str, Any] | None) -> None:
    if geometry is None:
        return
    kind, coordinates = geometry["type"], geometry["coordinates"]
    assert set(geometry) == {"type", "coordinates"}, geometry  # no "crs" member (RFC 7946 §4)
    if kind == "Point":
        check_position(coordinates)
    elif kind == "LineString":
        assert len(coordinates) >= 2
        for position in coordinates:
            check_position(position)
    elif kind in {"Polygon", "MultiPolygon"}:
        polygons = [coordinates] if kind == "Polygon" else coordinates
        for rings in polygons:
            for index, ring in enumerate(rings):
                assert len(ring) >= 4 and ring[0] == ring[-1], ring
                for position in ring:
                    check_position(position)
                # §3.1.6: exterior rings counterclockwise, holes clockwise.
                assert (ring_area(ring) > 0) == (index == 0), ring
    else:
        raise AssertionError(f"unexpected geometry type {kind}")


def check_feature_collection(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Asserts an RFC 7946 FeatureCollection; returns its features."""
    assert data["type"] == "FeatureCollection"
    assert "crs" not in data
    assert isinstance(data["features"], list)
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        assert isinstance(feature["id"], int)
        assert isinstance(feature["properties"], dict)
        check_geometry(feature["geometry"])
    return list(data["features"])


def by_key(features: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {feature["properties"][key]: feature for feature in features}
