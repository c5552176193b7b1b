"""Runs a declarative vector importer: read, check every row, upsert in one transaction,
write rejected rows to a file in the source's own layout, summarise."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pyogrio
import shapely
from django.conf import settings
from django.db import connection, transaction
from tqdm import tqdm

from gis_backend.imports import naming
from gis_backend.imports.problems import ImportFileError, Problem, Summary
from gis_backend.imports.service_area import service_area
from gis_backend.imports.values import ValueProblem
from gis_backend.imports.vector import (
    VectorSource,
    file_error,
    geometry_type_problem,
    read_vector,
    repair,
    transform_geometries,
)


@dataclass
class CleanRow:
    index: int  # position in the source
    line: int  # what the user sees: feature number, 1-based
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


class VectorImporter:
    """Subclasses declare the fields and how one row becomes database values."""

    label: ClassVar[str]
    accepted_geometry: ClassVar[set[str]]
    geometry_label: ClassVar[str]
    required: ClassVar[tuple[str, ...]]
    known: ClassVar[tuple[str, ...]]
    key_field: ClassVar[str | None] = None  # column whose value must be unique in the file

    def clean(self, row: dict[str, Any], out: CleanRow, file: str) -> None:
        raise NotImplementedError

    def key(self, out: CleanRow) -> str | None:
        return None

    def upsert(self, rows: list[CleanRow]) -> tuple[int, int]:
        """Write the rows; return (created, updated)."""
        raise NotImplementedError

    @staticmethod
    def records(rows: list[CleanRow], columns: dict[str, str]) -> Iterable[tuple[Any, ...]]:
        """Rows as database records in the order of ``columns``."""
        geometries = ewkb_all([row.values["geom"] for row in rows])
        for row, geometry in zip(rows, geometries, strict=True):
            values = row.values
            yield tuple(
                geometry
                if name == "geom"
                else naming.colonia_key(values["colonia"]) or None
                if name == "colonia_key"
                else naming.to_json(values[name])
                if name == "attributes"
                else values[name]
                for name in columns
            )

    # Helpers shared by subclasses -------------------------------------------------------
    @staticmethod
    def parse_into(out: CleanRow, file: str, name: str, parser: Any, value: Any) -> Any:
        try:
            return parser(value)
        except ValueProblem as exc:
            out.problems.append(Problem(file, out.line, name, str(exc)))
            return None

    def extra_attributes(self, row: dict[str, Any]) -> dict[str, Any]:
        """Columns the importer does not know are kept, as text."""
        return {
            name: str(value)
            for name, value in row.items()
            if name not in self.known and value is not None and str(value) != ""
        }


def run_vector_import(
    importer: VectorImporter,
    path: Path,
    *,
    layer: str | None = None,
    srid: int | None = None,
    dry_run: bool = False,
    rejects: Path | None = None,
    progress: bool = False,
) -> Summary:
    source = read_vector(path, layer=layer, srid=srid, storage_srid=settings.STORAGE_SRID)
    file = path.name
    if len(source) == 0:
        raise file_error(path, "el archivo no tiene registros")
    restore_shapefile_names(source, importer.known)
    missing = [name for name in importer.required if name not in source.fields]
    if missing:
        raise ImportFileError(
            [Problem(file, None, name, "falta esta columna obligatoria") for name in missing]
        )
    problem = geometry_type_problem(source, importer.accepted_geometry, importer.geometry_label)
    if problem:
        raise problem

    summary = Summary(read=len(source), dry_run=dry_run)
    rows = check_rows(importer, source, summary, progress)
    reject_duplicate_keys(importer, rows, file)
    good = [row for row in rows if not row.problems]
    bad = [row for row in rows if row.problems]
    summary.rejected = len(bad)
    summary.errors = [p for row in bad for p in row.problems]

    with transaction.atomic():
        created, updated = importer.upsert(good) if good else (0, 0)
        if dry_run:
            transaction.set_rollback(True)
    summary.created, summary.updated = created, updated
    summary.unchanged = len(good) - created - updated
    if bad:
        target = rejects or path.with_name(f"{path.stem}_rechazos.gpkg")
        write_vector_rejects(source, bad, target)
        summary.rejects_path = str(target)
    return summary


def restore_shapefile_names(source: VectorSource, known: tuple[str, ...]) -> None:
    """Shapefiles cut field names to 10 characters ('clave_cata'): give them back their name
    when exactly one known field starts that way."""
    for name in list(source.fields):
        if len(name) != 10 or name in known:
            continue
        candidates = [k for k in known if k.startswith(name)]
        if len(candidates) == 1 and candidates[0] not in source.fields:
            source.fields[candidates[0]] = source.fields.pop(name)


def check_rows(
    importer: VectorImporter, source: VectorSource, summary: Summary, progress: bool
) -> list[CleanRow]:
    file = source.path.name
    area = service_area()
    present = ~shapely.is_missing(source.geometries)
    probe = np.full(len(source), None, dtype=object)
    probe[present] = shapely.point_on_surface(shapely.make_valid(source.geometries[present]))
    inside = np.zeros(len(source), dtype=bool)
    inside[present] = shapely.within(probe[present], area)
    # Points that fall inside once x and y are exchanged: coordinates written the wrong way round.
    swapped_probe = np.full(len(source), None, dtype=object)
    source_probe = np.full(len(source), None, dtype=object)
    source_probe[present] = shapely.point_on_surface(
        shapely.make_valid(source.source_geometries[present])
    )
    swapped_probe[present] = shapely.transform(source_probe[present], lambda xy: xy[:, ::-1])
    swapped_probe = transform_geometries(swapped_probe, source.source_crs, settings.STORAGE_SRID)
    outside_swapped = np.zeros(len(source), dtype=bool)
    outside_swapped[present] = shapely.within(swapped_probe[present], area)

    rows = []
    for index in tqdm(range(len(source)), disable=not progress, desc=importer.label, unit=" filas"):
        out = CleanRow(index=index, line=index + 1)
        geometry, note = repair(source.geometries[index], importer.accepted_geometry)
        if present[index] and not inside[index]:
            geometry = None
            reason = (
                "coordenadas invertidas (x e y intercambiadas)"
                if outside_swapped[index]
                else "fuera del área de servicio del organismo"
            )
            out.problems.append(Problem(file, out.line, "geometría", reason))
        elif geometry is None:
            out.problems.append(Problem(file, out.line, "geometría", note))
        elif note:
            summary.warnings.append(Problem(file, out.line, "geometría", note))
        out.values["geom"] = geometry
        importer.clean(source.row(index), out, file)
        rows.append(out)
    return rows


def reject_duplicate_keys(importer: VectorImporter, rows: list[CleanRow], file: str) -> None:
    lines_by_key: dict[str, list[CleanRow]] = defaultdict(list)
    for row in rows:
        key = importer.key(row)
        if key:
            lines_by_key[key].append(row)
    for key, duplicates in lines_by_key.items():
        if len(duplicates) < 2:
            continue
        lines = ", ".join(str(r.line) for r in duplicates)
        for row in duplicates:
            row.problems.append(
                Problem(
                    file,
                    row.line,
                    importer.key_field or "",
                    f"«{key}» repetida en las líneas {lines}",
                )
            )


def write_vector_rejects(source: VectorSource, bad: list[CleanRow], target: Path) -> None:
    """The rejected features, with their original fields and geometry, plus the reason."""
    index = np.array([row.index for row in bad])
    reasons = np.array(
        ["; ".join(f"{p.field}: {p.message}" for p in row.problems) for row in bad], dtype=object
    )
    names = [*source.field_names, "motivo_rechazo"]
    arrays = [source.fields[name.lower()][index] for name in source.field_names] + [reasons]
    geometries = shapely.to_wkb(source.source_geometries[index])
    target.unlink(missing_ok=True)
    pyogrio.raw.write(
        target,
        geometry=geometries,
        field_data=arrays,
        fields=names,
        crs=source.source_crs.to_wkt(),
        geometry_type="Unknown",
        driver="GPKG",
        layer=source.layer,
    )


def copy_rows(table: str, columns: Iterable[str], records: Iterable[Iterable[Any]]) -> None:
    """COPY records into a (temporary) table; None is NULL."""
    column_list = ", ".join(columns)
    connection.ensure_connection()
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy,
    ):
        for record in records:
            copy.write_row(tuple(record))


COPY_NULL = "\\N"
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
COPY_CHUNK_ROWS = 50_000


def text_cells(values: Sequence[str | None]) -> list[str]:
    """Text values as COPY text cells: backslash, tab and line breaks escaped, None as NULL."""
    joined = "".join([value for value in values if value is not None])
    if any(special in joined for special in "\\\t\n\r"):
        return [COPY_NULL if value is None else value.translate(COPY_ESCAPES) for value in values]
    return [COPY_NULL if value is None else value for value in values]


def copy_cells(table: str, cells: dict[str, list[str]]) -> None:
    """COPY columns of ready-made COPY text cells (see ``text_cells``) into ``table``.

    Much cheaper than ``copy_rows`` for large tables: no per-value type dispatch, one write per
    chunk of rows."""
    columns = list(cells.values())
    total = len(columns[0]) if columns else 0
    connection.ensure_connection()
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(cells)}) FROM STDIN") as copy,
    ):
        for start in range(0, total, COPY_CHUNK_ROWS):
            end = start + COPY_CHUNK_ROWS
            rows = zip(*(column[start:end] for column in columns), strict=True)
            copy.write("\n".join(map("\t".join, rows)) + "\n")


def ewkb_all(geometries: list[Any]) -> list[str | None]:
    """Hex EWKB in the storage SRID, for COPY (vectorised; None stays None)."""
    array = shapely.set_srid(np.array(geometries, dtype=object), settings.STORAGE_SRID)
    return list(shapely.to_wkb(array, hex=True, include_srid=True))


def upsert_staged(
    table: str, key: str, columns: dict[str, str], records: Iterable[Iterable[Any]]
) -> tuple[int, int]:
    """Insert or update ``table`` from records, keyed by ``key``; return (created, updated).

    ``columns`` maps each record column to its SQL type. ``geom`` arrives as EWKB hex, and
    ``colonia_key`` is resolved to ``colonia_id``: the colonia of that type and key, whatever
    postal code it has been given since (files carry none). A row whose values are all equal to
    the stored ones is left alone, so re-importing a file changes nothing (not even the
    history)."""
    stage = f"stage_{table}"
    with connection.cursor() as cursor:
        definitions = ", ".join(f"{name} {sql_type}" for name, sql_type in columns.items())
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(f"CREATE TEMP TABLE {stage} ({definitions}) ON COMMIT DROP")
    copy_rows(stage, columns, records)
    targets = [("colonia_id" if name == "colonia_key" else name) for name in columns]
    sources = [
        "c.id" if name == "colonia_key" else ("s.geom::geometry" if name == "geom" else f"s.{name}")
        for name in columns
    ]
    updated = [name for name in targets if name != key]
    sql = f"""
        WITH upserted AS (
            INSERT INTO {table} AS t ({", ".join(targets)})
            SELECT {", ".join(sources)}
            FROM {stage} s
            LEFT JOIN (
                SELECT DISTINCT ON (settlement_type, name_normalized)
                       id, settlement_type || ':' || name_normalized AS key
                FROM registry_colonia
                ORDER BY settlement_type, name_normalized, postal_code <> '', id
            ) c ON c.key = s.colonia_key
            ON CONFLICT ({key}) DO UPDATE SET
                {", ".join(f"{name} = EXCLUDED.{name}" for name in updated)}
            WHERE ({", ".join(f"t.{name}" for name in updated)})
                  IS DISTINCT FROM ({", ".join(f"EXCLUDED.{name}" for name in updated)})
            RETURNING (xmax = 0) AS created
        )
        SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM upserted
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        created, changed = cursor.fetchone()
    return created, changed
