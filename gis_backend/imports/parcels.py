"""Parcels (predios) from any polygon source GDAL reads, keyed by cadastral key."""

import re
from functools import partial
from typing import Any, ClassVar

import numpy as np
import shapely
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gis_backend.imports import naming
from gis_backend.imports.columns import field_width, mark_values, mark_where
from gis_backend.imports.engine import (
    CheckedRows,
    CleanRow,
    VectorImporter,
    parse_field,
    stage_cells,
    upsert_staged,
)
from gis_backend.imports.problems import REQUIRED_EMPTY, Problem
from gis_backend.imports.values import ValueProblem, clean_text, parse_decimal, parse_int
from gis_backend.imports.vector import VectorSource
from gis_backend.registry.choices import LandUse
from gis_backend.registry.models import Colonia, Parcel

MIN_PARCEL_AREA = 1.0  # m²: anything smaller is a digitising error, not a parcel
AGEB = re.compile(r"^\d{3}[0-9A-Z]$")

# Optional block columns: file column, model field, parser. A file without one leaves the
# stored value alone (a cadastral layer that lacks INEGI keys does not erase them).
BLOCK_FIELDS = (
    ("manzana", "block_key", lambda value: clean_text(value, max_length=20)),
    ("ageb", "inegi_ageb", lambda value: parse_ageb(value)),
    ("manzana_inegi", "inegi_block", lambda value: parse_inegi_block(value)),
)
POLYGON_TYPE = 3  # shapely.get_type_id

LAND_USE_VALUES = frozenset(LandUse.values)
LAND_USE_WORDS = {
    "HABITACIONAL": LandUse.RESIDENTIAL,
    "H": LandUse.RESIDENTIAL,
    "CASA HABITACION": LandUse.RESIDENTIAL,
    "VIVIENDA": LandUse.RESIDENTIAL,
    "RESIDENCIAL": LandUse.RESIDENTIAL,
    "COMERCIAL": LandUse.COMMERCIAL,
    "COMERCIO": LandUse.COMMERCIAL,
    "C": LandUse.COMMERCIAL,
    "SERVICIOS": LandUse.COMMERCIAL,
    "INDUSTRIAL": LandUse.INDUSTRIAL,
    "I": LandUse.INDUSTRIAL,
    "MIXTO": LandUse.MIXED,
    "M": LandUse.MIXED,
    "EQUIPAMIENTO": LandUse.PUBLIC,
    "PUBLICO": LandUse.PUBLIC,
    "EQUIPAMIENTO PUBLICO": LandUse.PUBLIC,
    "BALDIO": LandUse.VACANT,
    "TERRENO BALDIO": LandUse.VACANT,
    "B": LandUse.VACANT,
}


# The longest value each text field stores.
MAX_LENGTHS = {
    "clave_catastral": field_width(Parcel, "cadastral_key"),
    "calle": field_width(Parcel, "street"),
    "numero": field_width(Parcel, "number"),
    "colonia": field_width(Colonia, "name"),
}
TEXT_PARSERS = {
    column: partial(clean_text, max_length=length) for column, length in MAX_LENGTHS.items()
}


def parse_ageb(value: Any) -> str:
    """INEGI AGEB key: three digits and a digit or letter ('0366', '012A'); leading zeros that
    a spreadsheet dropped are put back ('366' → '0366')."""
    text = clean_text(value).upper()
    if text.isdigit() and len(text) < 4:
        text = text.zfill(4)
    if text and not AGEB.match(text):
        raise ValueProblem(
            gettext("«%(value)s» no es una clave AGEB (cuatro caracteres, p. ej. 0366 o 012A)")
            % {"value": text}
        )
    return text


def parse_inegi_block(value: Any) -> str:
    """INEGI block number within its AGEB: up to three digits ('7' → '007')."""
    text = clean_text(value)
    if text and not (text.isdigit() and len(text) <= 3):
        raise ValueProblem(
            gettext("«%(value)s» no es una manzana INEGI (hasta tres dígitos)") % {"value": text}
        )
    return text.zfill(3) if text else ""


def parse_land_use(value: Any) -> tuple[str, bool]:
    """(slug, recognised). Unrecognised values are kept in the parcel's attributes."""
    text = naming.normalize_text(clean_text(value))
    if not text:
        return "", True
    if text.lower() in LAND_USE_VALUES:
        return text.lower(), True
    slug = LAND_USE_WORDS.get(text)
    return (str(slug), True) if slug else ("", False)


class ParcelImporter(VectorImporter):
    label = _("predios")
    accepted_geometry: ClassVar[set[str]] = {"Polygon", "MultiPolygon"}
    geometry_label = _("polígonos")
    required = ("clave_catastral",)
    known = (
        "clave_catastral",
        "calle",
        "numero",
        "colonia",
        "sup_construida",
        "uso_suelo",
        "num_viviendas",
        *(column for column, _field, _parse in BLOCK_FIELDS),
    )
    key_field = "clave_catastral"
    bulk_tables = ("registry_parcel",)
    optional: ClassVar[dict[str, tuple[str, ...]]] = {
        "calle": ("street",),
        "numero": ("number",),
        "colonia": ("colonia_key",),
        "sup_construida": ("built_area",),
        "uso_suelo": ("land_use",),
        "num_viviendas": ("dwellings",),
    }
    kept_in_attributes = ("uso_suelo",)
    # What cadastral offices' layers usually call our fields.
    aliases: ClassVar[dict[str, tuple[str, ...]]] = {
        "clave_catastral": ("clave", "cve_cat", "cvecat", "clave_cat", "cve_catastral"),
        "calle": ("nom_calle", "nombre_calle", "vialidad", "nom_vial"),
        "numero": ("num_oficial", "no_oficial", "numero_oficial", "num_ext", "no_ext"),
        "colonia": ("col", "nom_col", "nombre_colonia", "asentamiento", "nom_asen"),
        "sup_construida": ("sup_const", "superficie_construida", "area_construida"),
        "uso_suelo": ("uso", "uso_de_suelo"),
        "num_viviendas": ("viviendas", "num_viv", "no_viviendas"),
    }

    def keys(self, values: dict[str, list[Any]]) -> list[str | None]:
        return [key or None for key in values["cadastral_key"]]

    def clean(self, row: dict[str, Any], out: CleanRow, file: str) -> None:
        values = out.values
        text = TEXT_PARSERS
        key = self.parse_into(
            out, file, "clave_catastral", text["clave_catastral"], row.get("clave_catastral")
        )
        if not key and not any(p.field == "clave_catastral" for p in out.problems):
            out.problems.append(Problem(file, out.line, "clave_catastral", str(REQUIRED_EMPTY)))
        values["cadastral_key"] = key or ""
        for name, column in (("street", "calle"), ("number", "numero"), ("colonia", "colonia")):
            values[name] = self.parse_into(out, file, column, text[column], row.get(column)) or ""
        area = self.parse_into(
            out, file, "sup_construida", parse_decimal, row.get("sup_construida")
        )
        if area is not None and area < 0:
            message = gettext("«%(value)s» es negativa") % {"value": area}
            out.problems.append(Problem(file, out.line, "sup_construida", message))
        values["built_area"] = area or 0
        values["dwellings"] = (
            self.parse_into(out, file, "num_viviendas", parse_int, row.get("num_viviendas")) or 0
        )
        land_use, recognised = parse_land_use(row.get("uso_suelo"))
        values["land_use"] = land_use
        for column, name, parse in BLOCK_FIELDS:
            if column in row:
                values[name] = self.parse_into(out, file, column, parse, row[column]) or ""
        values["attributes"] = self.extra_attributes(row)
        if not recognised:
            values["attributes"]["uso_suelo"] = clean_text(row.get("uso_suelo"))
        geom = values.get("geom")
        if geom is not None and geom.area < MIN_PARCEL_AREA:
            message = gettext("polígono degenerado de %(area).2f m²") % {"area": geom.area}
            out.problems.append(Problem(file, out.line, "geometría", message))
        if geom is not None and geom.geom_type == "Polygon":
            values["geom"] = shapely.multipolygons([geom])

    def clean_columns(
        self, source: VectorSource, geometries: np.ndarray
    ) -> tuple[dict[str, list[Any]], np.ndarray]:
        """``clean`` for every row at once; rows it would report on are flagged."""
        flags = np.zeros(len(source), dtype=bool)
        values: dict[str, list[Any]] = {}
        for name, column in (
            ("cadastral_key", "clave_catastral"),
            ("street", "calle"),
            ("number", "numero"),
            ("colonia", "colonia"),
        ):
            parsed = parse_field(source, column, TEXT_PARSERS[column], flags)
            values[name] = [text or "" for text in parsed]
        mark_values(flags, values["cadastral_key"], {""})
        area = parse_field(source, "sup_construida", parse_decimal, flags)
        mark_where(flags, area, lambda value: value is not None and value < 0)
        values["built_area"] = [value or 0 for value in area]
        dwellings = parse_field(source, "num_viviendas", parse_int, flags)
        values["dwellings"] = [count or 0 for count in dwellings]
        uses = parse_field(source, "uso_suelo", parse_land_use, flags)
        values["land_use"] = [use[0] if use else "" for use in uses]
        for column, name, parse in BLOCK_FIELDS:
            if column in source.fields:
                values[name] = [text or "" for text in parse_field(source, column, parse, flags)]
        values["attributes"] = self.extra_attribute_columns(source)
        for index, use in enumerate(uses):
            if use and not use[1]:
                values["attributes"][index]["uso_suelo"] = clean_text(
                    source.fields["uso_suelo"][index]
                )
        values["geom"] = list(self.multipolygons(geometries, flags))
        return values, flags

    @staticmethod
    def multipolygons(geometries: np.ndarray, flags: np.ndarray) -> np.ndarray:
        """Polygons as one-part multipolygons; polygons too small to be a parcel flagged."""
        flags |= shapely.area(geometries) < MIN_PARCEL_AREA
        polygons = np.flatnonzero(shapely.get_type_id(geometries) == POLYGON_TYPE)
        result = geometries.copy()
        result[polygons] = shapely.multipolygons(
            geometries[polygons], indices=np.arange(len(polygons))
        )
        return result

    def upsert(self, checked: CheckedRows, good: list[int]) -> tuple[int, int]:
        colonias = checked.values["colonia"]
        naming.ensure_colonias({colonias[index] for index in good})
        columns = {
            "cadastral_key": "text",
            "geom": "text",
            "built_area": "numeric",
            "land_use": "text",
            "street": "text",
            "number": "text",
            "colonia_key": "text",
            "dwellings": "int",
            "attributes": "jsonb",
        }
        columns.update(
            {name: "text" for _column, name, _parse in BLOCK_FIELDS if name in checked.values}
        )
        return upsert_staged(
            "registry_parcel",
            "cadastral_key",
            columns,
            stage_cells(checked.values, good, columns),
            self.left_alone(checked),
        )
