"""Street segments (tramos) from any line source GDAL reads.

A segment is keyed by the source's own identifier column when it has one (``id_tramo``,
``tramo_id``, ``id``), otherwise by a fingerprint of its geometry at centimetre precision, so
re-importing the same file changes nothing."""

import hashlib
from typing import Any, ClassVar

import numpy as np
import shapely
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gis_backend.imports import naming
from gis_backend.imports.columns import field_width, mark_where
from gis_backend.imports.engine import (
    CheckedRows,
    CleanRow,
    VectorImporter,
    parse_field,
    stage_cells,
    upsert_staged,
)
from gis_backend.imports.problems import Problem, Summary
from gis_backend.imports.values import ValueProblem, clean_text, parse_int
from gis_backend.imports.vector import VectorSource
from gis_backend.linking import address
from gis_backend.registry.models import Colonia, StreetSegment

ID_COLUMNS = ("id_tramo", "tramo_id", "id")
# What street layers write for a street without a name (INEGI's 'NINGUNO').
NO_NAME = frozenset({"NINGUNO", "SIN NOMBRE", "S/N", "SN", "N/A", "NA"})
# What they write for a side without numbering ('S/N'): no range.
NO_RANGE = frozenset({"S/N", "SN", "S N", "SIN NUMERO", "N/A", "NA", "-"})


# The longest name, colonia and identifier the registry stores.
NAME_WIDTH = field_width(StreetSegment, "name")
COLONIA_WIDTH = field_width(Colonia, "name")
ID_WIDTH = field_width(StreetSegment, "source_key")


def parse_name(value: Any) -> str:
    """The segment's name, no longer than the registry stores; refused where the layer says the
    street has none."""
    name = clean_text(value, max_length=NAME_WIDTH)
    if naming.normalize_text(name) in NO_NAME:
        raise ValueProblem(
            gettext("«%(value)s»: el tramo no tiene nombre; es obligatorio") % {"value": name}
        )
    return name


def parse_range_end(value: Any) -> int | None:
    """One end of a side's numbering; None where the layer says the side has none ('S/N')."""
    if isinstance(value, str) and naming.normalize_text(value) in NO_RANGE:
        return None
    return parse_int(value)


def parse_colonia(value: Any) -> str:
    return clean_text(value, max_length=COLONIA_WIDTH)


def parse_id(value: Any) -> str:
    return clean_text(value, max_length=ID_WIDTH)


MULTILINESTRING_TYPE = 5  # shapely.get_type_id
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
    label = _("tramos")
    accepted_geometry: ClassVar[set[str]] = {"LineString", "MultiLineString"}
    geometry_label = _("líneas")
    required = ("nombre",)
    known = ("nombre", "tipo", "colonia", *ID_COLUMNS, *RANGE_COLUMNS)
    key_field = "id_tramo"
    bulk_tables = ("registry_streetsegment",)
    # What INEGI's street axes (NOMVIAL, TIPOVIAL) and OpenStreetMap exports (name) call ours.
    aliases: ClassVar[dict[str, tuple[str, ...]]] = {
        "nombre": ("nomvial", "nom_vial", "name", "nombre_calle", "nom_calle", "calle"),
        "tipo": ("tipovial", "tipo_vial"),
        "colonia": ("col", "nom_col", "asentamiento", "nom_asen"),
    }
    optional: ClassVar[dict[str, tuple[str, ...]]] = {
        "colonia": ("colonia_key",),
        **{column: (target,) for column, target in RANGE_COLUMNS.items()},
    }

    def prepare(self, source: VectorSource, summary: Summary) -> None:
        """A column named just «id» that repeats its values (ArcGIS writes an «Id» of 0 on
        every feature) identifies nothing: the segments are keyed by their geometry, with a
        warning. «id_tramo» and «tramo_id» are meant as keys: a value repeated there rejects
        its lines."""
        ids = source.fields.get("id")
        if ids is None:
            return
        written = [text for text in (clean_text(value) for value in ids.tolist()) if text]
        if len(set(written)) < len(written):
            del source.fields["id"]
            summary.warnings.append(
                Problem(
                    source.path.name,
                    None,
                    source.written_name("id"),
                    gettext(
                        "repite valores; no identifica los tramos: se identifican por su geometría"
                    ),
                )
            )

    def keys(self, values: dict[str, list[Any]]) -> list[str | None]:
        return [
            key if key and not key.startswith("geom:") else None for key in values["source_key"]
        ]

    def clean(self, row: dict[str, Any], out: CleanRow, file: str) -> None:
        values = out.values
        name = self.parse_into(out, file, "nombre", parse_name, row.get("nombre"))
        if not name and not any(p.field == "nombre" for p in out.problems):
            out.problems.append(Problem(file, out.line, "nombre", gettext("vacío; es obligatorio")))
        street = address.parse_street(f"{clean_text(row.get('tipo'))} {name or ''}")
        values["name"] = name or ""
        values["name_normalized"] = street.match_key
        values["street_type"] = street.street_type
        values["colonia"] = (
            self.parse_into(out, file, "colonia", parse_colonia, row.get("colonia")) or ""
        )
        for column, target in RANGE_COLUMNS.items():
            values[target] = self.parse_into(out, file, column, parse_range_end, row.get(column))
        for side in ("left", "right"):
            ends = (values[f"{side}_from"], values[f"{side}_to"])
            if (ends[0] is None) != (ends[1] is None):
                column = "num_izq_ini" if side == "left" else "num_der_ini"
                out.problems.append(
                    Problem(
                        file,
                        out.line,
                        column,
                        gettext("rango de numeración incompleto (inicio y fin)"),
                    )
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
                        gettext("línea con partes separadas; divídala en tramos"),
                    )
                )
            values["geom"] = merged
        ids = [self.parse_into(out, file, c, parse_id, row[c]) for c in ID_COLUMNS if c in row]
        source_id = next((text for text in ids if text), "")
        if source_id:
            values["source_key"] = source_id
        elif values.get("geom") is not None:
            values["source_key"] = geometry_fingerprint(values["geom"])
        else:
            values["source_key"] = ""

    def clean_columns(
        self, source: VectorSource, geometries: np.ndarray
    ) -> tuple[dict[str, list[Any]], np.ndarray]:
        """``clean`` for every row at once; rows it would report on are flagged."""
        flags = np.zeros(len(source), dtype=bool)
        names = parse_field(source, "nombre", parse_name, flags)
        mark_where(flags, names, lambda name: name == "")
        kinds = parse_field(source, "tipo", clean_text, flags)
        streets = parsed_streets(kinds, names)
        values: dict[str, list[Any]] = {
            "name": [name or "" for name in names],
            "name_normalized": [street.match_key for street in streets],
            "street_type": [street.street_type for street in streets],
            "colonia": [
                text or "" for text in parse_field(source, "colonia", parse_colonia, flags)
            ],
        }
        for column, target in RANGE_COLUMNS.items():
            values[target] = parse_field(source, column, parse_range_end, flags)
        for side in ("left", "right"):
            ends = zip(values[f"{side}_from"], values[f"{side}_to"], strict=True)
            mark_where(flags, list(ends), lambda pair: (pair[0] is None) != (pair[1] is None))
        values["attributes"] = self.extra_attribute_columns(source)
        flags |= shapely.get_type_id(geometries) == MULTILINESTRING_TYPE  # clean merges them
        values["geom"] = list(geometries)
        values["source_key"] = source_keys(source, geometries, flags)
        return values, flags

    def upsert(self, checked: CheckedRows, good: list[int]) -> tuple[int, int]:
        colonias = checked.values["colonia"]
        naming.ensure_colonias({colonias[index] for index in good})
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
            "registry_streetsegment",
            "source_key",
            columns,
            stage_cells(checked.values, good, columns),
            self.left_alone(checked),
        )


def parsed_streets(kinds: list[str | None], names: list[str | None]) -> list[address.StreetName]:
    """``parse_street('<tipo> <nombre>')`` of every row, once per distinct pair."""
    texts = [f"{kind or ''} {name or ''}" for kind, name in zip(kinds, names, strict=True)]
    streets = {text: address.parse_street(text) for text in set(texts)}
    return [streets[text] for text in texts]


def source_keys(source: VectorSource, geometries: np.ndarray, flags: np.ndarray) -> list[str]:
    """The row's identifier from the first identifier column that has one, else the geometry's
    fingerprint (rows without geometry are flagged and keyed one by one)."""
    keys = [""] * len(source)
    for column in ID_COLUMNS:
        if column in source.fields:
            cleaned = parse_field(source, column, parse_id, flags)
            keys = [key or (text or "") for key, text in zip(keys, cleaned, strict=True)]
    unkeyed = [i for i, key in enumerate(keys) if not key and geometries[i] is not None]
    if unkeyed:
        rounded = shapely.set_precision(geometries[unkeyed], 0.01)
        for index, wkb in zip(unkeyed, shapely.to_wkb(rounded).tolist(), strict=True):
            keys[index] = "geom:" + hashlib.sha1(wkb, usedforsecurity=False).hexdigest()
    return keys
