"""What the inspect dock shows for a parcel: its accounts and meters, and holder names only when
the server sent them (roles jefe, analista, admin); supervisors see them masked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MASK = "•••• (oculto para su rol)"
MISSING = "—"

# Labels of the API's values (gis_backend.registry.choices); unknown values are shown as sent.
STATUS_LABELS = {
    "activo": "Activo",
    "restringido": "Restringido",
    "suspendido": "Suspendido / cortado",
    "baja_temporal": "Baja temporal",
    "baja_definitiva": "Baja definitiva",
}
TARIFF_LABELS = {
    "domestico": "Doméstico",
    "domestico_popular": "Doméstico popular",
    "domestico_medio": "Doméstico medio",
    "domestico_residencial": "Doméstico residencial",
    "comercial": "Comercial",
    "industrial": "Industrial",
    "mixto": "Mixto",
    "servicios_publicos": "Servicios públicos",
}
LINK_METHOD_LABELS = {
    "clave_catastral": "Clave catastral",
    "coordenadas": "Coordenadas de la toma",
    "direccion": "Dirección",
    "interpolacion": "Interpolación de número",
    "frente": "Frente del predio",
    "manual": "Asignado por una persona",
    "sin_vinculo": "Sin vínculo",
    None: "Sin vínculo",
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


def holder_display(properties: dict[str, Any]) -> str:
    """The holder's name, the mask when the API withheld it, or — when there is none."""
    if properties.get("holder_masked"):
        return MASK
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


def account_row(feature: dict[str, Any]) -> AccountRow:
    p = feature.get("properties") or {}
    method = p.get("parcel_method")
    return AccountRow(
        account_id=feature.get("id"),
        number=text(p.get("number")),
        holder=holder_display(p),
        status=STATUS_LABELS.get(p.get("status"), text(p.get("status"))),
        tariff=TARIFF_LABELS.get(p.get("tariff"), text(p.get("tariff"))),
        balance=money(p.get("balance")),
        months_overdue=text(p.get("months_overdue")),
        link_method=LINK_METHOD_LABELS.get(method, text(method)),
        link_score=score_text(p.get("parcel_score", p.get("link_score"))),
    )


def parcel_accounts(parcel_id: Any, account_features: list[dict[str, Any]]) -> list[AccountRow]:
    """The accounts linked to the parcel, by account number; the API's bbox brings neighbours
    too, so this keeps those whose parcel_id is the parcel's."""
    rows = [
        account_row(f)
        for f in account_features
        if _same_id((f.get("properties") or {}).get("parcel_id"), parcel_id)
    ]
    return sorted(rows, key=lambda r: r.number)


def parcel_meters(account_ids: list[Any], meter_features: list[dict[str, Any]]) -> list[MeterRow]:
    wanted = {str(a) for a in account_ids if a is not None}
    rows = []
    for f in meter_features:
        p = f.get("properties") or {}
        if str(p.get("account_id")) in wanted:
            rows.append(
                MeterRow(
                    serial=text(p.get("serial")),
                    state=text(p.get("state")),
                    diameter=text(p.get("diameter")),
                    account_number=text(p.get("account_number")),
                )
            )
    return sorted(rows, key=lambda r: (r.account_number, r.serial))


def _same_id(a: Any, b: Any) -> bool:
    return a is not None and b is not None and str(a) == str(b)


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
