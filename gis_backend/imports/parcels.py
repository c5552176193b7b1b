"""Parcels (predios) from any polygon source GDAL reads, keyed by cadastral key."""

from typing import Any, ClassVar

import shapely

from gis_backend.imports import naming
from gis_backend.imports.engine import CleanRow, VectorImporter, upsert_staged
from gis_backend.imports.problems import Problem
from gis_backend.imports.values import clean_text, parse_decimal, parse_int
from gis_backend.registry.choices import LandUse

MIN_PARCEL_AREA = 1.0  # m²: anything smaller is a digitising error, not a parcel

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
    label = "predios"
    accepted_geometry: ClassVar[set[str]] = {"Polygon", "MultiPolygon"}
    geometry_label = "polígonos"
    required = ("clave_catastral",)
    known = (
        "clave_catastral",
        "calle",
        "numero",
        "colonia",
        "sup_construida",
        "uso_suelo",
        "num_viviendas",
    )
    key_field = "clave_catastral"

    def key(self, out: CleanRow) -> str | None:
        return out.values.get("cadastral_key") or None

    def clean(self, row: dict[str, Any], out: CleanRow, file: str) -> None:
        values = out.values
        key = self.parse_into(out, file, "clave_catastral", clean_text, row.get("clave_catastral"))
        if not key and not any(p.field == "clave_catastral" for p in out.problems):
            out.problems.append(Problem(file, out.line, "clave_catastral", "vacía; es obligatoria"))
        values["cadastral_key"] = key or ""
        values["street"] = self.parse_into(out, file, "calle", clean_text, row.get("calle")) or ""
        values["number"] = self.parse_into(out, file, "numero", clean_text, row.get("numero")) or ""
        values["colonia"] = (
            self.parse_into(out, file, "colonia", clean_text, row.get("colonia")) or ""
        )
        area = self.parse_into(
            out, file, "sup_construida", parse_decimal, row.get("sup_construida")
        )
        if area is not None and area < 0:
            out.problems.append(Problem(file, out.line, "sup_construida", f"«{area}» es negativa"))
        values["built_area"] = area or 0
        values["dwellings"] = (
            self.parse_into(out, file, "num_viviendas", parse_int, row.get("num_viviendas")) or 0
        )
        land_use, recognised = parse_land_use(row.get("uso_suelo"))
        values["land_use"] = land_use
        values["attributes"] = self.extra_attributes(row)
        if not recognised:
            values["attributes"]["uso_suelo"] = clean_text(row.get("uso_suelo"))
        geom = values.get("geom")
        if geom is not None and geom.area < MIN_PARCEL_AREA:
            message = f"polígono degenerado de {geom.area:.2f} m²"
            out.problems.append(Problem(file, out.line, "geometría", message))
        if geom is not None and geom.geom_type == "Polygon":
            values["geom"] = shapely.multipolygons([geom])

    def upsert(self, rows: list[CleanRow]) -> tuple[int, int]:
        naming.ensure_colonias({r.values["colonia"] for r in rows})
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
        return upsert_staged(
            "registry_parcel", "cadastral_key", columns, self.records(rows, columns)
        )
