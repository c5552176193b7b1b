"""Query parameters of the map API, validated by django-filter FilterSets.

The FilterSets only validate and clean (``form.cleaned_data``); the SQL that applies each
parameter lives beside the layer's query (``maps.geojson`` and ``maps.aggregates``). A value that
does not validate, or a parameter the endpoint does not know, is an HTTP 400 with a message in
Spanish, never a 500 and never silently ignored.
"""

from typing import Any

import django_filters as df
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from pyproj import CRS
from rest_framework.exceptions import ValidationError

from gis_backend.registry import choices

MAX_PAGE_SIZE = 10_000
DEFAULT_PAGE_SIZE = 1_000
DEFAULT_PRECISION = 6  # decimal places of lon/lat: 6 ≈ 0.1 m


# -- fields --------------------------------------------------------------------------------------
class BBoxField(forms.Field):
    """``minlon,minlat,maxlon,maxlat`` in EPSG:4326 (the order of RFC 7946's bbox)."""

    def to_python(self, value: Any) -> tuple[float, float, float, float] | None:
        value = str(value or "").strip()
        if not value:
            return None
        parts = value.split(",")
        if len(parts) != 4:
            raise forms.ValidationError(
                _("Use cuatro números separados por comas: lon_min,lat_min,lon_max,lat_max.")
            )
        try:
            west, south, east, north = (float(part) for part in parts)
        except ValueError:
            raise forms.ValidationError(
                _("Las coordenadas del bbox deben ser números (grados decimales).")
            ) from None
        if not all(-180 <= lon <= 180 for lon in (west, east)):
            raise forms.ValidationError(_("La longitud debe estar entre -180 y 180 grados."))
        if not all(-90 <= lat <= 90 for lat in (south, north)):
            raise forms.ValidationError(_("La latitud debe estar entre -90 y 90 grados."))
        if west >= east or south >= north:
            raise forms.ValidationError(
                _("El bbox debe ir de suroeste a noreste: lon_min < lon_max y lat_min < lat_max.")
            )
        return west, south, east, north


class BBoxFilter(df.Filter):
    field_class = BBoxField


class IntegerFilter(df.Filter):
    field_class = forms.IntegerField


class DecimalFilter(df.Filter):
    field_class = forms.DecimalField


class ChoiceInFilter(df.BaseInFilter, df.ChoiceFilter):
    """Comma-separated values, each one of the choices: ``status=activo,suspendido``."""


class IntegerInFilter(df.BaseInFilter, IntegerFilter):
    """Comma-separated ids: ``colonia=3,8``."""


class IsoDateFilter(df.DateFilter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(*args, **kwargs)


class OrderingField(forms.Field):
    """``ordering=-balance,number``: allowed columns, ``-`` for descending order."""

    def __init__(self, *args: Any, allowed: tuple[str, ...] = (), **kwargs: Any) -> None:
        self.allowed = allowed
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> list[tuple[str, bool]]:
        value = str(value or "")
        result: list[tuple[str, bool]] = []
        for item in filter(None, (part.strip() for part in (value or "").split(","))):
            name = item.removeprefix("-")
            if name not in self.allowed:
                raise forms.ValidationError(
                    _("No se puede ordenar por «%(name)s». Opciones: %(allowed)s."),
                    params={"name": name, "allowed": ", ".join(self.allowed)},
                )
            result.append((name, item.startswith("-")))
        return result


class OrderingParam(df.Filter):
    field_class = OrderingField


def ordering_param(allowed: tuple[str, ...]) -> OrderingParam:
    return OrderingParam(
        label=_("Orden: %(fields)s; «-» delante para orden descendente")
        % {"fields": ", ".join(allowed)},
        allowed=allowed,
    )


class StrictBooleanField(forms.Field):
    """true/false/1/0; anything else is an error (Django's NullBooleanField ignores it)."""

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in {"true", "1"}:
            return True
        if text in {"false", "0"}:
            return False
        raise forms.ValidationError(_("Use true o false."))


class StrictBooleanFilter(df.Filter):
    field_class = StrictBooleanField


# -- choices ---------------------------------------------------------------------------------------
AGING_CHOICES = [
    ("sin_adeudo", _("Sin adeudo")),
    ("0_30", _("0 a 30 días")),
    ("31_90", _("31 a 90 días")),
    ("91_180", _("91 a 180 días")),
    ("181_mas", _("Más de 180 días")),
]
MAP_CLASS_CHOICES = [
    ("sin_cuenta", _("Sin cuenta")),
    ("al_corriente", _("Activa, al corriente")),
    *AGING_CHOICES[1:],
    ("restringido", _("Restringida")),
    ("suspendido", _("Suspendida / cortada")),
    ("baja", _("Baja")),
]
LINK_METHOD_CHOICES = [*choices.LinkMethod.choices, ("sin_vinculo", _("Sin vínculo"))]
PARCEL_STATUS_CHOICES = [*choices.AccountStatus.choices, ("sin_cuenta", _("Sin cuenta"))]


# -- filter sets -----------------------------------------------------------------------------------
class RangeForm(forms.Form):
    """Refuses a range whose minimum is greater than its maximum (``balance_min > balance_max``)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in list(data):
            if not name.endswith("_min"):
                continue
            stem = name.removesuffix("_min")
            low, high = data.get(name), data.get(f"{stem}_max")
            if low is not None and high is not None and low > high:
                self.add_error(
                    f"{stem}_max",
                    _("El máximo no puede ser menor que el mínimo."),
                )
        low_date, high_date = data.get("date_from"), data.get("date_to")
        if low_date and high_date and low_date > high_date:
            self.add_error("date_to", _("La fecha final no puede ser anterior a la inicial."))
        return data


class MapFilterSet(df.FilterSet):
    """Parameters every GeoJSON endpoint takes: bbox, paging, precision."""

    bbox = BBoxFilter(label=_("Rectángulo lon_min,lat_min,lon_max,lat_max (EPSG:4326)"))
    limit = IntegerFilter(
        label=_("Número máximo de elementos (por omisión %(default)s, máximo %(max)s)")
        % {"default": DEFAULT_PAGE_SIZE, "max": MAX_PAGE_SIZE},
        min_value=1,
        max_value=MAX_PAGE_SIZE,
    )
    offset = IntegerFilter(label=_("Elementos a saltar (paginación)"), min_value=0)
    precision = IntegerFilter(
        label=_("Decimales de las coordenadas (1 a 9; por omisión 6, unos 10 cm)"),
        min_value=1,
        max_value=9,
    )

    class Meta:
        form = RangeForm

    def cleaned(self) -> dict[str, Any]:
        """The validated parameters, absent ones left out; raises a DRF ValidationError."""
        unknown = sorted(set(self.data) - set(self.filters) - {"format"})
        if unknown:
            raise ValidationError(
                {
                    name: [_("Parámetro desconocido. Admitidos: %s.") % ", ".join(self.filters)]
                    for name in unknown
                }
            )
        if not self.is_valid():
            raise ValidationError(self.errors)
        return {
            key: value
            for key, value in self.form.cleaned_data.items()
            if value is not None and value != "" and value != []
        }


class AccountFilterSet(MapFilterSet):
    number = df.CharFilter(label=_("Número de cuenta (exacto)"))
    parcel = IntegerInFilter(label=_("Id de predio al que está vinculada la cuenta"))
    status = ChoiceInFilter(choices=choices.AccountStatus.choices, label=_("Estatus"))
    tariff = ChoiceInFilter(choices=choices.Tariff.choices, label=_("Tarifa"))
    colonia = IntegerInFilter(label=_("Id de colonia (del predio o del tramo)"))
    sector = IntegerInFilter(label=_("Id de sector"))
    route = IntegerInFilter(label=_("Id de ruta de lectura"))
    months_overdue_min = IntegerFilter(label=_("Meses de adeudo, mínimo"), min_value=0)
    months_overdue_max = IntegerFilter(label=_("Meses de adeudo, máximo"), min_value=0)
    balance_min = DecimalFilter(label=_("Saldo mínimo (MXN)"))
    balance_max = DecimalFilter(label=_("Saldo máximo (MXN)"))
    aging = ChoiceInFilter(choices=AGING_CHOICES, label=_("Antigüedad del adeudo"))
    map_class = ChoiceInFilter(choices=MAP_CLASS_CHOICES, label=_("Clase del mapa"))
    link_method = ChoiceInFilter(
        choices=LINK_METHOD_CHOICES, label=_("Método de vinculación al predio")
    )
    ordering = ordering_param(
        (
            "id",
            "number",
            "status",
            "tariff",
            "colonia",
            "balance",
            "months_overdue",
            "days_overdue",
        )
    )


class ParcelFilterSet(MapFilterSet):
    cadastral_key = df.CharFilter(label=_("Clave catastral (exacta)"))
    colonia = IntegerInFilter(label=_("Id de colonia"))
    land_use = ChoiceInFilter(choices=choices.LandUse.choices, label=_("Uso de suelo"))
    status = ChoiceInFilter(
        choices=PARCEL_STATUS_CHOICES, label=_("Estatus más grave de sus cuentas")
    )
    months_overdue_min = IntegerFilter(label=_("Meses de adeudo, mínimo"), min_value=0)
    months_overdue_max = IntegerFilter(label=_("Meses de adeudo, máximo"), min_value=0)
    balance_min = DecimalFilter(label=_("Saldo mínimo de sus cuentas (MXN)"))
    balance_max = DecimalFilter(label=_("Saldo máximo de sus cuentas (MXN)"))
    aging = ChoiceInFilter(choices=AGING_CHOICES, label=_("Antigüedad del adeudo"))
    map_class = ChoiceInFilter(choices=MAP_CLASS_CHOICES, label=_("Clase del mapa"))
    ordering = ordering_param(
        ("id", "cadastral_key", "colonia", "accounts", "balance", "days_overdue")
    )


class SegmentFilterSet(MapFilterSet):
    name = df.CharFilter(label=_("Parte del nombre de la calle (sin distinguir acentos)"))
    street_type = ChoiceInFilter(choices=choices.StreetType.choices, label=_("Tipo de vialidad"))
    colonia = IntegerInFilter(label=_("Id de colonia"))
    ordering = ordering_param(("id", "name", "colonia", "arrears_count"))


class MeterFilterSet(MapFilterSet):
    serial = df.CharFilter(label=_("Número de serie (exacto)"))
    parcel = IntegerInFilter(label=_("Id de predio al que está vinculada la cuenta del medidor"))
    state = ChoiceInFilter(choices=choices.MeterState.choices, label=_("Estado del medidor"))
    diameter = ChoiceInFilter(choices=choices.MeterDiameter.choices, label=_("Diámetro"))
    status = ChoiceInFilter(choices=choices.AccountStatus.choices, label=_("Estatus de la cuenta"))
    tariff = ChoiceInFilter(choices=choices.Tariff.choices, label=_("Tarifa de la cuenta"))
    sector = IntegerInFilter(label=_("Id de sector de la cuenta"))
    route = IntegerInFilter(label=_("Id de ruta de la cuenta"))
    ordering = ordering_param(("id", "serial", "state", "installed_on"))


class AggregateFilterSet(MapFilterSet):
    date_from = IsoDateFilter(label=_("Desde (AAAA-MM-DD)"))
    date_to = IsoDateFilter(label=_("Hasta (AAAA-MM-DD)"))
    status = ChoiceInFilter(
        choices=choices.AccountStatus.choices, label=_("Contar solo cuentas con estos estatus")
    )
    tariff = ChoiceInFilter(
        choices=choices.Tariff.choices, label=_("Contar solo cuentas con estas tarifas")
    )
    geometry = StrictBooleanFilter(
        label=_("Incluir la geometría (por omisión sí; false para solo los números)")
    )
    ordering = ordering_param(
        (
            "id",
            "name",
            "accounts",
            "arrears_count",
            "arrears_amount",
            "arrears_share",
            "cuts",
        )
    )


class SuspensionTileFilterSet(df.FilterSet):
    date_from = IsoDateFilter(label=_("Desde (AAAA-MM-DD); por omisión, un año antes de hoy"))
    date_to = IsoDateFilter(label=_("Hasta (AAAA-MM-DD); por omisión, hoy"))
    kind = ChoiceInFilter(choices=choices.SuspensionKind.choices, label=_("Tipo de evento"))

    class Meta:
        form = RangeForm

    cleaned = MapFilterSet.cleaned


class NoParamsFilterSet(df.FilterSet):
    cleaned = MapFilterSet.cleaned


def storage_area_of_use() -> tuple[float, float, float, float]:
    """West, south, east, north (degrees) where the storage CRS is valid."""
    area = CRS.from_epsg(settings.STORAGE_SRID).area_of_use
    if area is None:
        return -180.0, -90.0, 180.0, 90.0
    return area.west, area.south, area.east, area.north


def clip_bbox(
    bbox: tuple[float, float, float, float],
) -> tuple[float, float, float, float] | None:
    """The part of a lon/lat bbox where the storage CRS is valid, or None if they do not meet.

    Transforming far-away coordinates into a UTM zone fails or gives nonsense, and nothing
    stored lies there anyway."""
    west, south, east, north = storage_area_of_use()
    clipped = (max(bbox[0], west), max(bbox[1], south), min(bbox[2], east), min(bbox[3], north))
    if clipped[0] >= clipped[2] or clipped[1] >= clipped[3]:
        return None
    return clipped
