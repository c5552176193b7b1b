"""Reading a vector source through GDAL (pyogrio) into storage-CRS geometries, row by row."""

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import pyogrio.errors
import shapely
from django.utils.functional import Promise
from django.utils.translation import gettext
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from gis_backend.imports.problems import ImportFileError, Problem
from gis_backend.imports.tabular import field_key

POLYGONAL = {"Polygon", "MultiPolygon"}
LINEAR = {"LineString", "MultiLineString"}


@dataclass
class VectorSource:
    path: Path
    layer: str
    fields: dict[str, np.ndarray]  # our lower-case field name -> values (renamed, mapped)
    field_names: list[str]  # as written in the file
    file_fields: list[np.ndarray]  # the values as read, in the order of field_names (rejects)
    source_geometries: np.ndarray  # shapely geometries in the source CRS
    geometries: np.ndarray  # shapely geometries in the storage CRS (None where missing)
    source_crs: CRS
    fids: np.ndarray

    def __len__(self) -> int:
        return len(self.geometries)

    def written_name(self, key: str) -> str:
        """The name the file writes a field under, given ours for it (``field_key``)."""
        return next((name for name in self.field_names if field_key(name) == key), key)

    def row(self, index: int) -> dict[str, Any]:
        return {name: values[index] for name, values in self.fields.items()}


def file_error(path: Path, message: str, field: str = "") -> ImportFileError:
    return ImportFileError([Problem(path.name, None, field, message)])


# What a vector file inside a .zip may be (a Shapefile is named by its .shp).
ARCHIVED_VECTORS = (".shp", ".gpkg", ".geojson", ".json", ".kml", ".gml", ".fgb", ".tab")


def gdal_path(path: Path) -> str:
    """What GDAL opens for ``path``: the path itself, or for a .zip the one vector file inside
    it, in a folder or not (GDAL alone finds it only at the top)."""
    if path.suffix.lower() != ".zip":
        return str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile as exc:
        raise file_error(
            path, gettext("no es un .zip válido (%(error)s)") % {"error": exc}
        ) from exc
    inside = [name for name in names if name.lower().endswith(ARCHIVED_VECTORS)]
    if len(inside) != 1:
        message = (
            gettext("el .zip no contiene ninguna capa (.shp, .gpkg, .geojson…)")
            if not inside
            else gettext("el .zip contiene varias capas (%(names)s): descomprímalo e importe una")
            % {"names": ", ".join(inside)}
        )
        raise file_error(path, message)
    return f"/vsizip/{path}/{inside[0]}"


def choose_layer(path: Path, layer: str | None, opened: str) -> str:
    """The layer to read of ``path`` (which GDAL opens as ``opened``, ``gdal_path``)."""
    try:
        layers = pyogrio.list_layers(opened)
    except (pyogrio.errors.DataSourceError, OSError) as exc:
        raise file_error(
            path, gettext("GDAL no puede leer el archivo (%(error)s)") % {"error": exc}
        ) from exc
    names = [str(name) for name, _geometry_type in layers]
    if layer:
        if layer not in names:
            raise file_error(
                path,
                gettext("no hay capa «%(layer)s»; capas: %(layers)s")
                % {"layer": layer, "layers": ", ".join(names)},
            )
        return layer
    if len(names) != 1:
        raise file_error(
            path,
            gettext("el archivo tiene %(count)s capas; elija una con --layer: %(layers)s")
            % {"count": len(names), "layers": ", ".join(names)},
        )
    return names[0]


# Floats that stand for integers exactly (2^53 and beyond are not all representable).
EXACT_INTEGER = 2.0**53


def plain_values(values: np.ndarray) -> np.ndarray:
    """A field's values as Python objects, as a person reads them. GDAL gives a Real field, and
    an Integer field with empty values, as floats with NaN where empty: a number 12 would read
    '12.0' and a key 11011001001001 '11011001001001.0', which name no parcel and no house
    number, and an empty value 'nan'. Integral floats become integers, NaN None."""
    if values.dtype.kind != "f":
        return np.asarray(values, dtype=object)
    plain = values.astype(object)
    empty = np.isnan(values)
    integral = ~empty & (np.floor(values) == values) & (np.abs(values) < EXACT_INTEGER)
    plain[integral] = values[integral].astype(np.int64).tolist()
    plain[empty] = None
    return plain


def transform_geometries(geometries: np.ndarray, source: CRS, target_srid: int) -> np.ndarray:
    transformer = Transformer.from_crs(source, CRS.from_epsg(target_srid), always_xy=True)

    def apply(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometries, apply)


def read_vector(
    path: Path, *, layer: str | None, srid: int | None, storage_srid: int
) -> VectorSource:
    if not path.exists():
        raise file_error(path, gettext("el archivo no existe"))
    if path.suffix.lower() == ".shp" and not any(
        path.with_suffix(suffix).exists() for suffix in (".shx", ".SHX")
    ):
        raise file_error(
            path,
            gettext(
                "al Shapefile le falta su archivo .shx (%(name)s): cópielo junto al .shp, con "
                "el .dbf y el .prj"
            )
            % {"name": path.with_suffix(".shx").name},
        )
    opened = gdal_path(path)
    layer_name = choose_layer(path, layer, opened)
    try:
        meta, fids, wkb, field_data = pyogrio.raw.read(opened, layer=layer_name, return_fids=True)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as exc:
        raise file_error(
            path,
            gettext("GDAL no puede leer la capa «%(layer)s» (%(error)s)")
            % {"layer": layer_name, "error": exc},
        ) from exc
    if meta.get("geometry_type") in (None, "Unknown") and wkb is None:
        raise file_error(path, gettext("la capa no tiene geometría"))
    declared = meta.get("crs")
    try:
        if srid is not None:
            source_crs = CRS.from_epsg(srid)
        elif declared:
            source_crs = CRS.from_user_input(declared)
        else:
            raise file_error(
                path,
                gettext("el archivo no declara su sistema de coordenadas; indíquelo con --srid"),
            )
    except CRSError as exc:
        raise file_error(
            path, gettext("sistema de coordenadas no reconocido: %(error)s") % {"error": exc}
        ) from exc
    names = [str(name) for name in meta["fields"]]
    file_fields = [plain_values(values) for values in field_data]
    fields = {field_key(name): values for name, values in zip(names, file_fields, strict=True)}
    geometries = (
        shapely.from_wkb(wkb, on_invalid="ignore") if wkb is not None else np.full(len(fids), None)
    )
    return VectorSource(
        path=path,
        layer=layer_name,
        fields=fields,
        field_names=names,
        file_fields=file_fields,
        source_geometries=geometries,
        geometries=transform_geometries(geometries, source_crs, storage_srid),
        source_crs=source_crs,
        fids=np.asarray(fids),
    )


TYPE_NAMES = {
    0: "Point",
    1: "LineString",
    2: "LinearRing",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}


def of_kind(geometries: np.ndarray, accepted: set[str]) -> np.ndarray:
    """Whether each geometry is of an accepted kind (False where missing)."""
    ids = [number for number, name in TYPE_NAMES.items() if name in accepted]
    return np.isin(shapely.get_type_id(geometries), ids)


def geometry_type_problem(
    source: VectorSource, accepted: set[str], label: str | Promise
) -> ImportFileError | None:
    """A layer whose geometries are all of another kind (points in a street layer) is refused."""
    kinds = {
        TYPE_NAMES[int(t)] for t in np.unique(shapely.get_type_id(source.geometries)) if t >= 0
    }
    if kinds and not kinds & accepted:
        found = ", ".join(sorted(kinds))
        return file_error(
            source.path,
            gettext("la capa tiene geometrías %(found)s; se esperaban %(expected)s")
            % {"found": found, "expected": label},
        )
    return None


def repair(geometry: Any, accepted: set[str]) -> tuple[Any, str]:
    """Make a geometry valid, keeping only parts of the accepted kind.

    Returns (geometry or None, note): note is '' when nothing was done, a warning when repaired,
    or the reason for rejection when the geometry is None."""
    if geometry is None or shapely.is_empty(geometry):
        return None, gettext("sin geometría")
    valid = shapely.is_valid(geometry)
    if valid and geometry.geom_type in accepted:
        return geometry, ""
    kind = geometry.geom_type
    parts = [
        p
        for p in shapely.get_parts(geometry if valid else shapely.make_valid(geometry))
        if p.geom_type in accepted or p.geom_type.removeprefix("Multi") in accepted
    ]
    parts = [
        p
        for p in parts
        if not p.is_empty and (p.area > 0 if "Polygon" in accepted else p.length > 0)
    ]
    expected = ", ".join(sorted(accepted))
    if valid:
        # A point in a street layer, a line or a collection in a parcel layer (GIS exports mix
        # them): its parts of the accepted kind, if it has any.
        if not parts:
            return None, gettext("geometría %(found)s; se esperaba %(expected)s") % {
                "found": kind,
                "expected": expected,
            }
        return shapely.union_all(parts), gettext(
            "geometría %(found)s: se tomaron sus partes %(expected)s"
        ) % {"found": kind, "expected": expected}
    reason = shapely.is_valid_reason(geometry)
    if not parts:
        return None, gettext("geometría inválida que no se puede reparar (%(reason)s)") % {
            "reason": reason
        }
    return shapely.union_all(parts), gettext("geometría inválida reparada (%(reason)s)") % {
        "reason": reason
    }
