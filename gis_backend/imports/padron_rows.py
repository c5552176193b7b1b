"""Padrón rows checked one by one: every problem named with file, line and field.

The import checks the file column by column (``padron_columns``) and comes here only for the
rows that break a rule, so that each problem is reported exactly as written below."""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import shapely
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pyproj import Transformer

from gis_backend.imports import naming
from gis_backend.imports.columns import field_width
from gis_backend.imports.problems import (
    OUTSIDE_SERVICE_AREA,
    REJECT_REASON,
    REQUIRED_EMPTY,
    Problem,
)
from gis_backend.imports.service_area import service_area
from gis_backend.imports.values import (
    MAX_FIELD_LENGTH,
    ValueProblem,
    check_range,
    clean_text,
    parse_date,
    parse_decimal,
    parse_int,
)
from gis_backend.registry.choices import AccountStatus, MeterDiameter, Tariff
from gis_backend.registry.models import (
    Account,
    CollectionSnapshot,
    Holder,
    Meter,
    ReadingRoute,
    Sector,
)

KNOWN = (
    "cuenta", "titular", "calle", "numero_ext", "numero_int", "colonia", "codigo_postal",
    "clave_catastral", "tarifa", "giro", "estatus", "num_viviendas", "fecha_alta",
    "medidor_serie", "medidor_marca", "medidor_diametro", "sector", "ruta", "saldo",
    "meses_adeudo", "ultimo_pago", "lat", "lon",
)  # fmt: skip
# The columns not kept as attributes: ours, and the reason a rejects file gives each row (the
# file is fixed and imported again as it is; problems.REJECT_REASON).
NOT_ATTRIBUTES = frozenset({*KNOWN, REJECT_REASON})
# Other names billing systems give our columns (as ``tabular.field_key`` writes them), read as
# ours when the file has no column of that name and no other column with a name for it.
ALIASES = {
    "cuenta": ("contrato", "num_contrato", "no_contrato", "no_cuenta", "num_cuenta"),
    "titular": ("nombre", "nombre_usuario", "usuario", "nombre_titular", "propietario"),
    "calle": ("domicilio", "direccion"),
    "numero_ext": ("num_ext", "no_ext", "numero", "numero_exterior", "no_exterior"),
    "numero_int": ("num_int", "no_int", "numero_interior", "no_interior"),
    "codigo_postal": ("cp", "c_p"),
    "lat": ("latitud",),
    "lon": ("longitud",),
}


# The widest value each text column may have: its registry column's. (The postal code has its
# own rule, five digits.)
TEXT_WIDTHS = {
    "cuenta": field_width(Account, "number"),
    "titular": field_width(Holder, "full_name"),
    "calle": field_width(Account, "billing_street"),
    "numero_ext": field_width(Account, "billing_ext_number"),
    "numero_int": field_width(Account, "billing_int_number"),
    "colonia": field_width(Account, "billing_colonia"),
    "clave_catastral": field_width(Account, "billing_cadastral_key"),
    "giro": field_width(Account, "giro"),
    "sector": field_width(Sector, "code"),
    "ruta": field_width(ReadingRoute, "code"),
    "medidor_serie": field_width(Meter, "serial"),
    "medidor_marca": field_width(Meter, "brand"),
}
# The registry's integer columns; days of arrears are stored as 30 per month.
MAX_INT = 2**31 - 1
MAX_MONTHS = MAX_INT // 30
_BALANCE = CollectionSnapshot._meta.get_field("balance")
MAX_BALANCE = (
    Decimal(10) ** (_BALANCE.max_digits - _BALANCE.decimal_places)
    - Decimal(10) ** -_BALANCE.decimal_places
)
# What an Excel sheet's closing row writes where the account goes (as ``total_row`` compares).
TOTAL_WORDS = {"TOTAL", "TOTALES", "SUMA", "SUMAS", "GRAN TOTAL", "TOTAL GENERAL", "SUMA TOTAL"}
# Where the account number may be one of them: cheap to search a whole column for.
TOTAL_HINT = re.compile(r"[Tt][OoÓóÒò][Tt]|[Ss][UuÚúÙùÜü][Mm]")
TOTAL_ROW = _("renglón de totales, no es una cuenta")

TARIFF_WORDS = {
    Tariff.DOMESTIC: ("DOMESTICO", "DOM", "D", "HABITACIONAL", "DOMESTICA"),
    Tariff.DOMESTIC_POPULAR: (
        "DOMESTICO POPULAR",
        "POPULAR",
        "DOM POPULAR",
        "DP",
        "INTERES SOCIAL",
    ),
    Tariff.DOMESTIC_MEDIUM: ("DOMESTICO MEDIO", "MEDIO", "DOM MEDIO", "DM"),
    Tariff.DOMESTIC_RESIDENTIAL: ("DOMESTICO RESIDENCIAL", "RESIDENCIAL", "DOM RESIDENCIAL", "DR"),
    Tariff.COMMERCIAL: ("COMERCIAL", "COM", "C", "COMERCIO"),
    Tariff.INDUSTRIAL: ("INDUSTRIAL", "IND", "I"),
    Tariff.MIXED: ("MIXTO", "MIXTA", "M"),
    Tariff.PUBLIC_SERVICE: ("SERVICIOS PUBLICOS", "SERVICIO PUBLICO", "PUBLICO", "GOBIERNO", "SP"),
}
STATUS_WORDS = {
    AccountStatus.ACTIVE: ("ACTIVO", "ACTIVA", "A", "VIGENTE", "NORMAL"),
    AccountStatus.RESTRICTED: ("RESTRINGIDO", "RESTRINGIDA", "R", "REDUCIDO", "LIMITADO"),
    AccountStatus.SUSPENDED: ("SUSPENDIDO", "SUSPENDIDA", "CORTADO", "CORTADA", "CORTE", "S"),
    AccountStatus.TEMPORARILY_CLOSED: ("BAJA TEMPORAL", "BT", "INACTIVO TEMPORAL"),
    AccountStatus.CLOSED: ("BAJA DEFINITIVA", "BAJA", "BD", "CANCELADO", "CANCELADA"),
}
DIAMETER_WORDS = {
    MeterDiameter.HALF: ("1/2", "½", "0.5", "13", "13 MM", "1/2 PULG", "MEDIA"),
    MeterDiameter.THREE_QUARTERS: ("3/4", "¾", "0.75", "19", "19 MM"),
    MeterDiameter.ONE: ("1", "25", "25 MM", "1 PULG"),
    MeterDiameter.ONE_AND_HALF: ("1 1/2", "1.5", "38", "38 MM"),
    MeterDiameter.TWO: ("2", "50", "51", "50 MM"),
    MeterDiameter.THREE: ("3", "75", "76", "75 MM"),
    MeterDiameter.FOUR: ("4", "100", "101", "100 MM"),
}


def vocabulary(words: dict[Any, tuple[str, ...]]) -> dict[str, str]:
    table = {}
    for slug, spellings in words.items():
        table[naming.normalize_text(str(slug).replace("_", " "))] = str(slug)
        for spelling in spellings:
            table[spelling if spelling[0].isdigit() else naming.normalize_text(spelling)] = str(
                slug
            )
    return table


TARIFFS = vocabulary(TARIFF_WORDS)
STATUSES = vocabulary(STATUS_WORDS)
DIAMETERS = vocabulary(DIAMETER_WORDS)
# What a value outside each vocabulary is told (whole sentences, for translators).
UNKNOWN_TARIFF = _("«%(value)s» no es una tarifa conocida")
UNKNOWN_STATUS = _("«%(value)s» no es un estatus conocido")
UNKNOWN_DIAMETER = _("«%(value)s» no es un diámetro conocido")
SWAPPED_LAT_LON = _("lat y lon invertidas")


def parse_choice(value: object, table: dict[str, str], unknown: str | Promise) -> str:
    """The vocabulary's value for ``value``; ``unknown`` is the problem of a value outside it,
    with a ``%(value)s`` placeholder."""
    text = clean_text(value)
    if not text:
        return ""
    key = text.replace('"', "").replace("PULGADAS", "PULG").strip()
    found = table.get(key) or table.get(naming.normalize_text(text)) or table.get(measure(text))
    if found is None:
        raise ValueProblem(str(unknown) % {"value": text})
    return found


# A measure's unit at the end of a number: millimetres, or inches ('"', 'PULGADA', 'PULG.').
_UNIT = re.compile(r'\s*(?:(MM|MIL[IÍ]METROS?)|"|PULGADAS?|PULG|IN)\.?$', re.IGNORECASE)


def measure(text: str) -> str:
    """A measure as the diameters' vocabulary writes it: '13mm' is '13 MM', '3/4 PULGADA' and
    '3/4"' are '3/4'; '' when ``text`` is not a number and a unit."""
    unit = _UNIT.search(text)
    if unit is None:
        return ""
    number = text[: unit.start()].strip()
    if not number or not (number[0].isdigit() or number[0] in "½¾"):
        return ""
    return f"{number} MM" if unit[1] else number


# What billing systems write as the serial of an account without a meter.
NO_METER = frozenset(
    {"S/N", "SN", "S/M", "SM", "SIN MEDIDOR", "SIN", "NA", "N/A", "NO", "NINGUNO", "-", "--"}
)


def meter_serial(text: str) -> str:
    """A meter's serial as written; '' where it says the account has none ('S/N', '0', '000',
    'SIN MEDIDOR'): a placeholder is no meter, never one meter shared by a thousand accounts."""
    folded = " ".join(text.upper().split())
    return "" if folded in NO_METER or not folded.strip("0") else text


def total_row(number: str) -> bool:
    """Whether an account number is the label of a spreadsheet's totals row ('Total', 'GRAN
    TOTAL:', 'Sumas')."""
    if not TOTAL_HINT.search(number):
        return False
    plain = unicodedata.normalize("NFKD", number).encode("ascii", "ignore").decode().upper()
    return " ".join(plain.replace(":", " ").replace(".", " ").split()) in TOTAL_WORDS


def parse_balance(value: object) -> Decimal | None:
    """A balance, within what the registry's column holds."""
    number = parse_decimal(value)
    if number is not None:
        check_range(value, number, -MAX_BALANCE, MAX_BALANCE)
    return number


@dataclass
class PadronRow:
    line: int
    raw: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def zero_point(lat: Decimal | None, lon: Decimal | None) -> bool:
    """Coordinates 0, 0: a billing system's stand-in for "no GPS", read as no point."""
    return lat == 0 and lon == 0


class PadronChecker:
    """Turns file rows into account values, collecting every problem with file, line and field."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.to_storage = Transformer.from_crs(4326, settings.STORAGE_SRID, always_xy=True)
        self.area = service_area()

    def field(self, row: PadronRow, name: str, parser: Any, *args: Any) -> Any:
        try:
            return parser(row.raw.get(name, ""), *args)
        except ValueProblem as exc:
            row.problems.append(Problem(self.file, row.line, name, str(exc)))
            return None

    def check(self, row: PadronRow) -> None:
        raw, values = row.raw, row.values
        if "__shape__" in raw:
            row.problems.append(Problem(self.file, row.line, "", raw["__shape__"]))
            return
        text = {
            name: self.field(row, name, clean_text, TEXT_WIDTHS.get(name, MAX_FIELD_LENGTH)) or ""
            for name in KNOWN
            if name not in ("lat", "lon")
        }
        if not text["cuenta"] and not any(p.field == "cuenta" for p in row.problems):
            row.problems.append(Problem(self.file, row.line, "cuenta", str(REQUIRED_EMPTY)))
        elif total_row(text["cuenta"]):
            row.problems.append(Problem(self.file, row.line, "cuenta", str(TOTAL_ROW)))
        values.update(
            number=text["cuenta"],
            holder_name=text["titular"],
            billing_street=text["calle"],
            billing_ext_number=text["numero_ext"],
            billing_int_number=text["numero_int"],
            billing_colonia=text["colonia"],
            billing_postal_code=text["codigo_postal"],
            billing_cadastral_key=text["clave_catastral"],
            giro=text["giro"],
            sector=text["sector"],
            route=text["ruta"],
            meter_serial=meter_serial(text["medidor_serie"]),
            meter_brand=text["medidor_marca"],
        )
        if text["codigo_postal"] and not (
            text["codigo_postal"].isdigit() and len(text["codigo_postal"]) == 5
        ):
            row.problems.append(
                Problem(
                    self.file,
                    row.line,
                    "codigo_postal",
                    gettext("«%(value)s» no tiene 5 dígitos") % {"value": text["codigo_postal"]},
                )
            )
        values["tariff"] = self.field(row, "tarifa", parse_choice, TARIFFS, UNKNOWN_TARIFF)
        if not values["tariff"] and not any(p.field == "tarifa" for p in row.problems):
            values["tariff"] = Tariff.DOMESTIC
        values["status"] = (
            self.field(row, "estatus", parse_choice, STATUSES, UNKNOWN_STATUS)
            or AccountStatus.ACTIVE
        )
        values["meter_diameter"] = (
            self.field(row, "medidor_diametro", parse_choice, DIAMETERS, UNKNOWN_DIAMETER) or "1/2"
        )
        dwellings = self.field(row, "num_viviendas", parse_int, 1, MAX_INT)
        values["dwellings"] = dwellings or 1
        values["opened_on"] = self.field(row, "fecha_alta", parse_date)
        values["balance"] = self.field(row, "saldo", parse_balance)
        values["months_overdue"] = self.field(row, "meses_adeudo", parse_int, 0, MAX_MONTHS)
        values["last_payment_on"] = self.field(row, "ultimo_pago", parse_date)
        if (
            (values["months_overdue"] or 0) > 0
            and (values["balance"] or 0) <= 0
            and not any(p.field == "saldo" for p in row.problems)  # one problem is enough
        ):
            row.problems.append(
                Problem(
                    self.file,
                    row.line,
                    "saldo",
                    gettext("hay meses de adeudo pero el saldo no es positivo"),
                )
            )
        values["point"] = self.point(row)
        values["attributes"] = {
            k: v for k, v in raw.items() if k not in NOT_ATTRIBUTES and v.strip()
        }

    def point(self, row: PadronRow) -> Any:
        lat = self.field(row, "lat", parse_decimal)
        lon = self.field(row, "lon", parse_decimal)
        if (lat is None and lon is None) or zero_point(lat, lon):
            return None
        if lat is None or lon is None:
            row.problems.append(
                Problem(
                    self.file,
                    row.line,
                    "lat" if lat is None else "lon",
                    gettext("falta la otra coordenada"),
                )
            )
            return None
        lat_f, lon_f = float(lat), float(lon)
        if abs(lat_f) > 90 or abs(lon_f) > 180:
            if abs(lon_f) <= 90 and abs(lat_f) <= 180:
                reason = str(SWAPPED_LAT_LON)
            else:
                reason = gettext("coordenadas imposibles (%(lat)s, %(lon)s)") % {
                    "lat": lat_f,
                    "lon": lon_f,
                }
            row.problems.append(Problem(self.file, row.line, "lat", reason))
            return None
        x, y = self.to_storage.transform(lon_f, lat_f)
        point = shapely.Point(x, y)
        if not self.area.contains(point):
            sx, sy = self.to_storage.transform(lat_f, lon_f)
            swapped = abs(lat_f) <= 180 and self.area.contains(shapely.Point(sx, sy))
            field, reason = "lat", str(SWAPPED_LAT_LON if swapped else OUTSIDE_SERVICE_AREA)
            if not swapped and lon_f > 0:
                # A longitude written without its minus sign (every Mexican one is west).
                mx, my = self.to_storage.transform(-lon_f, lat_f)
                if self.area.contains(shapely.Point(mx, my)):
                    field = "lon"
                    reason = gettext("«%(lon)s» sin el signo menos: la longitud es %(west)s") % {
                        "lon": lon,
                        "west": f"-{lon}",
                    }
            row.problems.append(Problem(self.file, row.line, field, reason))
            return None
        return point
