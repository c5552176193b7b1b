"""Street segments (tramos) from any line source GDAL reads.

A segment is keyed by the source's own identifier column when it has one (``id_tramo``,
``tramo_id``, ``id``), otherwise by a fingerprint of its geometry at centimetre precision, so
re-importing the same file changes nothing."""

import hashlib
from typing import Any, ClassVar

import shapely

from gis_backend.imports import naming
from gis_backend.imports.engine import CleanRow, VectorImporter, upsert_staged
from gis_backend.imports.problems import Problem
from gis_backend.imports.values import clean_text, parse_int
from gis_backend.linking import address

ID_COLUMNS = ("id_tramo", "tramo_id", "id")
RANGE_COLUMNS = {
    "num_izq_ini": "left_from",
    "num_izq_fin": "left_to",
    "num_der_ini": "right_from",
    "num_der_fin": "right_to",
}


def geometry_fingerprint(geometry: Any) -> str:
    rounded = shapely.set_precision(geometry, 0.01)
    return "geom:" + hashlib.sha1(shapely.to_wkb(rounded), usedforsecurity=False).hexdigest()


class StreetImporter(VectorImporter):
    label = "tramos"
    accepted_geometry: ClassVar[set[str]] = {"LineString", "MultiLineString"}
    geometry_label = "líneas"
    required = ("nombre",)
    known = ("nombre", "tipo", "colonia", *ID_COLUMNS, *RANGE_COLUMNS)
    key_field = "id_tramo"

    def key(self, out: CleanRow) -> str | None:
        key = out.values.get("source_key", "")
        return key if key and not key.startswith("geom:") else None

    def clean(self, row: dict[str, Any], out: CleanRow, file: str) -> None:
        values = out.values
        name = self.parse_into(out, file, "nombre", clean_text, row.get("nombre"))
        if not name and not any(p.field == "nombre" for p in out.problems):
            out.problems.append(Problem(file, out.line, "nombre", "vacío; es obligatorio"))
        street = address.parse_street(f"{clean_text(row.get('tipo'))} {name or ''}")
        values["name"] = name or ""
        values["name_normalized"] = street.match_key
        values["street_type"] = street.street_type
        values["colonia"] = (
            self.parse_into(out, file, "colonia", clean_text, row.get("colonia")) or ""
        )
        for column, target in RANGE_COLUMNS.items():
            values[target] = self.parse_into(out, file, column, parse_int, row.get(column))
        for side in ("left", "right"):
            ends = (values[f"{side}_from"], values[f"{side}_to"])
            if (ends[0] is None) != (ends[1] is None):
                column = "num_izq_ini" if side == "left" else "num_der_ini"
                out.problems.append(
                    Problem(file, out.line, column, "rango de numeración incompleto (inicio y fin)")
                )
        values["attributes"] = self.extra_attributes(row)
        geom = values.get("geom")
        if geom is not None and geom.geom_type == "MultiLineString":
            merged = shapely.line_merge(geom)
            if merged.geom_type != "LineString":
                out.problems.append(
                    Problem(
                        file,
                        out.line,
                        "geometría",
                        "línea con partes separadas; divídala en tramos",
                    )
                )
            values["geom"] = merged
        source_id = next(
            (clean_text(row[c]) for c in ID_COLUMNS if c in row and clean_text(row[c])), ""
        )
        if source_id:
            values["source_key"] = source_id
        elif values.get("geom") is not None:
            values["source_key"] = geometry_fingerprint(values["geom"])
        else:
            values["source_key"] = ""

    def upsert(self, rows: list[CleanRow]) -> tuple[int, int]:
        naming.ensure_colonias({r.values["colonia"] for r in rows})
        columns = {
            "source_key": "text",
            "geom": "text",
            "name": "text",
            "name_normalized": "text",
            "street_type": "text",
            "colonia_key": "text",
            "left_from": "int",
            "left_to": "int",
            "right_from": "int",
            "right_to": "int",
            "attributes": "jsonb",
        }
        return upsert_staged(
            "registry_streetsegment", "source_key", columns, self.records(rows, columns)
        )
