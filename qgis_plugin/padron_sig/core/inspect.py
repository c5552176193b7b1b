"""What the inspect dock shows for a parcel: its accounts and meters, and holder names only when
the server sent them (roles jefe, analista, admin); supervisors see them masked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from .texts import QT_TR_NOOP, same

MASK = QT_TR_NOOP("•••• (oculto para su rol)")
MISSING = "—"

# Labels of the API's values (gis_backend.registry.choices); unknown values are shown as sent.
STATUS_LABELS = {
    "activo": QT_TR_NOOP("Activo"),
    "restringido": QT_TR_NOOP("Restringido"),
    "suspendido": QT_TR_NOOP("Suspendido / cortado"),
    "baja_temporal": QT_TR_NOOP("Baja temporal"),
    "baja_definitiva": QT_TR_NOOP("Baja definitiva"),
}
TARIFF_LABELS = {
    "domestico": QT_TR_NOOP("Doméstico"),
    "domestico_popular": QT_TR_NOOP("Doméstico popular"),
    "domestico_medio": QT_TR_NOOP("Doméstico medio"),
    "domestico_residencial": QT_TR_NOOP("Doméstico residencial"),
    "comercial": QT_TR_NOOP("Comercial"),
    "industrial": QT_TR_NOOP("Industrial"),
    "mixto": QT_TR_NOOP("Mixto"),
    "servicios_publicos": QT_TR_NOOP("Servicios públicos"),
}
METER_STATE_LABELS = {
    "funcionando": QT_TR_NOOP("Funcionando"),
    "danado": QT_TR_NOOP("Dañado"),
    "inaccesible": QT_TR_NOOP("Enterrado / inaccesible"),
    "retirado": QT_TR_NOOP("Retirado"),
}
LINK_METHOD_LABELS = {
    "clave_catastral": QT_TR_NOOP("Clave catastral"),
    "coordenadas": QT_TR_NOOP("Coordenadas de la toma"),
    "direccion": QT_TR_NOOP("Dirección"),
    "interpolacion": QT_TR_NOOP("Interpolación de número"),
    "ruta_lectura": QT_TR_NOOP("Desempate por ruta de lectura"),
    "frente": QT_TR_NOOP("Frente del predio"),
    "manual": QT_TR_NOOP("Asignado por una persona"),
    "sin_vinculo": QT_TR_NOOP("Sin vínculo"),
    None: QT_TR_NOOP("Sin vínculo"),
}


@dataclass(frozen=True)
class AccountRow:
    account_id: Any
    number: str
    holder: str
    status: str
    tariff: str
    balance: str
    months_overdue: str
    link_method: str
    link_score: str


@dataclass(frozen=True)
class MeterRow:
    serial: str
    state: str
    diameter: str
    account_number: str


def holder_display(properties: dict[str, Any], translate: Callable[[str], str] = same) -> str:
    """The holder's name, the mask when the API withheld it, or — when there is none."""
    if properties.get("holder_masked"):
        return translate(MASK)
    name = properties.get("holder_name")
    return str(name) if name else MISSING


def money(value: Any) -> str:
    if value is None or value == "":
        return MISSING
    try:
        amount = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"${amount:,.2f}"


def text(value: Any) -> str:
    return MISSING if value is None or value == "" else str(value)


def score_text(value: Any) -> str:
    if value is None or value == "":
        return MISSING
    try:
        return f"{float(value):.2f}"
    except (TypeError, ValueError):
        return str(value)


def label(labels: dict[Any, str], value: Any, translate: Callable[[str], str] = same) -> str:
    """The (translated) label of an API value; unknown values as sent, none as —."""
    return translate(labels[value]) if value in labels else text(value)


def account_row(feature: dict[str, Any], translate: Callable[[str], str] = same) -> AccountRow:
    p = feature.get("properties") or {}
    return AccountRow(
        account_id=feature.get("id"),
        number=text(p.get("number")),
        holder=holder_display(p, translate),
        status=label(STATUS_LABELS, p.get("status"), translate),
        tariff=label(TARIFF_LABELS, p.get("tariff"), translate),
        balance=money(p.get("balance")),
        months_overdue=text(p.get("months_overdue")),
        link_method=label(LINK_METHOD_LABELS, p.get("parcel_method"), translate),
        link_score=score_text(p.get("parcel_score")),
    )


def parcel_accounts(
    parcel_id: Any, account_features: list[dict[str, Any]], translate: Callable[[str], str] = same
) -> list[AccountRow]:
    """The accounts linked to the parcel, by account number (the API is asked for the parcel's
    accounts; this keeps only those whose parcel_id is the parcel's all the same)."""
    rows = [
        account_row(f, translate)
        for f in account_features
        if _same_id((f.get("properties") or {}).get("parcel_id"), parcel_id)
    ]
    return sorted(rows, key=lambda r: r.number)


def parcel_meters(
    account_ids: list[Any],
    meter_features: list[dict[str, Any]],
    translate: Callable[[str], str] = same,
) -> list[MeterRow]:
    wanted = {str(a) for a in account_ids if a is not None}
    rows = []
    for f in meter_features:
        p = f.get("properties") or {}
        if str(p.get("account_id")) in wanted:
            rows.append(
                MeterRow(
                    serial=text(p.get("serial")),
                    state=label(METER_STATE_LABELS, p.get("state"), translate),
                    diameter=text(p.get("diameter")),
                    account_number=text(p.get("account_number")),
                )
            )
    return sorted(rows, key=lambda r: (r.account_number, r.serial))


def _same_id(a: Any, b: Any) -> bool:
    return a is not None and b is not None and str(a) == str(b)


# Column headers of the dock's tables (resources/ui/inspect_dock.ui holds them, translated).
ACCOUNT_HEADERS = (
    "Cuenta",
    "Titular",
    "Estatus",
    "Tarifa",
    "Adeudo",
    "Meses de adeudo",
    "Vinculación",
    "Puntaje",
)
METER_HEADERS = ("Serie", "Estado", "Diámetro", "Cuenta")


def account_cells(row: AccountRow) -> tuple[str, ...]:
    return (
        row.number,
        row.holder,
        row.status,
        row.tariff,
        row.balance,
        row.months_overdue,
        row.link_method,
        row.link_score,
    )


def meter_cells(row: MeterRow) -> tuple[str, ...]:
    return (row.serial, row.state, row.diameter, row.account_number)


# -- the parcel under a click -----------------------------------------------------------------
def _in_ring(lon: float, lat: float, ring: list[list[float]]) -> bool:
    """Ray casting: whether the point is inside the closed ring (lon/lat positions)."""
    inside = False
    for (x0, y0), (x1, y1) in pairwise(ring):
        if (y0 > lat) != (y1 > lat):
            x = x0 + (lat - y0) * (x1 - x0) / (y1 - y0)
            if lon < x:
                inside = not inside
    return inside


def geometry_contains(geometry: dict[str, Any] | None, lon: float, lat: float) -> bool:
    """Whether a GeoJSON Polygon or MultiPolygon contains the point (holes excluded)."""
    if not geometry:
        return False
    if geometry.get("type") == "Polygon":
        polygons = [geometry.get("coordinates") or []]
    elif geometry.get("type") == "MultiPolygon":
        polygons = geometry.get("coordinates") or []
    else:
        return False
    for rings in polygons:
        outer, holes = (rings[0], rings[1:]) if rings else ([], [])
        if outer and _in_ring(lon, lat, outer) and not any(_in_ring(lon, lat, h) for h in holes):
            return True
    return False


def parcel_at(features: list[dict[str, Any]], lon: float, lat: float) -> dict[str, Any] | None:
    """The parcel feature (GeoJSON, EPSG:4326) containing the clicked point, if any."""
    for feature in features:
        if geometry_contains(feature.get("geometry"), lon, lat):
            return feature
    return None


def parcel_attributes(feature: dict[str, Any]) -> dict[str, Any]:
    """A parcel feature's properties with its id, as the dock shows them."""
    return {**(feature.get("properties") or {}), "id": feature.get("id")}
