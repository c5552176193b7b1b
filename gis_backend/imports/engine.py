"""Runs a declarative vector importer: read, check every row, upsert in one transaction,
write rejected rows to a file in the source's own layout, summarise."""

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pyogrio
import shapely
from django.conf import settings
from django.db import connection, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from tqdm import tqdm

from gis_backend.core.progress import Phases
from gis_backend.imports import naming
from gis_backend.imports.bulk import first_load
from gis_backend.imports.columns import ROWS_UNIT, aliased, gc_paused, parse_distinct
from gis_backend.imports.problems import (
    MISSING_COLUMN,
    OUTSIDE_SERVICE_AREA,
    REJECT_REASON,
    ImportFileError,
    Problem,
    Summary,
)
from gis_backend.imports.service_area import service_area
from gis_backend.imports.tabular import Mapping
from gis_backend.imports.values import ValueProblem
from gis_backend.imports.vector import (
    VectorSource,
    file_error,
    geometry_type_problem,
    of_kind,
    read_vector,
    repair,
    transform_geometries,
)
from gis_backend.linking.workspace import wait_for_linking


@dataclass
class CleanRow:
    index: int  # position in the source
    line: int  # what the user sees: feature number, 1-based
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class CheckedRows:
    """Every feature's database values by column, and the problems of those that have any."""

    values: dict[str, list[Any]]
    problems: dict[int, list[Problem]] = field(default_factory=dict)
    file_columns: frozenset[str] = frozenset()  # the file's fields, by our names

    def add_problem(self, index: int, problem: Problem) -> None:
        self.problems.setdefault(index, []).append(problem)

    def good(self, total: int) -> list[int]:
        return [index for index in range(total) if index not in self.problems]


class VectorImporter:
    """Subclasses declare the fields and how one row becomes database values.

    ``clean`` checks one row and names its problems. ``clean_columns`` may compute the same
    values for every row at once, column by column, flagging the rows it cannot vouch for:
    only those are cleaned one by one. Both must agree on every row they both accept."""

    label: ClassVar[str | Promise]  # of its progress bar
    accepted_geometry: ClassVar[set[str]]
    geometry_label: ClassVar[str | Promise]
    required: ClassVar[tuple[str, ...]]
    known: ClassVar[tuple[str, ...]]
    key_field: ClassVar[str | None] = None  # column whose value must be unique in the file
    bulk_tables: ClassVar[tuple[str, ...]] = ()  # filled in bulk on a large first load
    # Optional file column -> the stored columns it fills. A file without the column leaves
    # them as they are stored (a new row takes their defaults): a layer re-exported with fewer
    # fields does not erase what an earlier one gave.
    optional: ClassVar[dict[str, tuple[str, ...]]] = {}
    # Known columns whose values may also be kept in ``attributes`` (a land use not recognised).
    kept_in_attributes: ClassVar[tuple[str, ...]] = ()
    # Our field -> the names other systems give it (as ``field_key`` writes them): read as ours
    # where the layer has no field of ours by that name and exactly one by those.
    aliases: ClassVar[dict[str, tuple[str, ...]]] = {}

    def left_alone(self, checked: "CheckedRows") -> set[str]:
        """The stored columns the file gives no values for, which an update leaves as they are:
        those of the optional columns it lacks, and ``attributes`` when it has no column to
        keep there. (A new row takes the values ``clean`` gives them: their defaults.)"""
        absent = {
            stored
            for column, targets in self.optional.items()
            if column not in checked.file_columns
            for stored in targets
        }
        keeps = any(map(self.kept_as_attribute, checked.file_columns)) or (
            checked.file_columns & set(self.kept_in_attributes)
        )
        if not keeps:
            absent.add("attributes")
        return absent

    def prepare(self, source: VectorSource, summary: Summary) -> None:
        """Look at the whole file before its rows are checked (its fields renamed as the
        mapping says); a warning for the user goes to ``summary``."""

    def clean(self, row: dict[str, Any], out: CleanRow, file: str) -> None:
        raise NotImplementedError

    def clean_columns(
        self, source: VectorSource, geometries: np.ndarray
    ) -> tuple[dict[str, list[Any]], np.ndarray]:
        """Values of every row by column, given the valid geometries inside the service area
        (None elsewhere), and the rows to clean one by one. By default, all of them."""
        return {}, np.ones(len(source), dtype=bool)

    def keys(self, values: dict[str, list[Any]]) -> list[str | None]:
        """The value of ``key_field`` of every row (None when it has none)."""
        return [None] * len(values["geom"])

    def upsert(self, checked: CheckedRows, good: list[int]) -> tuple[int, int]:
        """Write the good rows; return (created, updated)."""
        raise NotImplementedError

    # Helpers shared by subclasses -------------------------------------------------------
    @staticmethod
    def parse_into(out: CleanRow, file: str, name: str, parser: Any, value: Any) -> Any:
        try:
            return parser(value)
        except ValueProblem as exc:
            out.problems.append(Problem(file, out.line, name, str(exc)))
            return None

    def kept_as_attribute(self, name: str) -> bool:
        """Whether a field of the file is kept in ``attributes``: one the importer does not know,
        but the reason a rejects file gives each row (the file fixed and imported again)."""
        return name not in self.known and name != REJECT_REASON

    def extra_attributes(self, row: dict[str, Any]) -> dict[str, Any]:
        """Columns the importer does not know are kept, as text."""
        return {
            name: str(value)
            for name, value in row.items()
            if self.kept_as_attribute(name) and value is not None and str(value) != ""
        }

    def extra_attribute_columns(self, source: VectorSource) -> list[dict[str, Any]]:
        """``extra_attributes`` of every row."""
        extra = {
            name: cells for name, cells in source.fields.items() if self.kept_as_attribute(name)
        }
        if not extra:
            return [{} for _index in range(len(source))]
        names = list(extra)
        return [
            {
                name: str(value)
                for name, value in zip(names, values, strict=True)
                if value is not None and str(value) != ""
            }
            for values in zip(*extra.values(), strict=True)
        ]


def parse_field(
    source: VectorSource, name: str, parse: Callable[[Any], Any], flags: np.ndarray
) -> list[Any]:
    """``parse`` of one field of every row (None where the file lacks the field, as
    ``source.row`` gives it); rows whose value it refuses are flagged and get None."""
    cells = source.fields.get(name)
    parsed, refused = parse_distinct(
        [None] * len(source) if cells is None else cells.tolist(), parse
    )
    flags[refused] = True
    return parsed


def run_vector_import(
    importer: VectorImporter,
    path: Path,
    *,
    layer: str | None = None,
    srid: int | None = None,
    dry_run: bool = False,
    rejects: Path | None = None,
    progress: bool = False,
    mapping: Path | None = None,
) -> Summary:
    # Reading, checking, writing, indexes and keys.
    with Phases(_("Importando %(file)s") % {"file": path.name}, 4, progress) as phases:
        phases.start(_("lectura"))
        source = read_vector(path, layer=layer, srid=srid, storage_srid=settings.STORAGE_SRID)
        phases.done()
        return import_vector_source(
            importer, source, path, dry_run=dry_run, rejects=rejects, mapping=mapping,
            phases=phases,
        )  # fmt: skip


def import_vector_source(
    importer: VectorImporter,
    source: VectorSource,
    path: Path,
    *,
    dry_run: bool,
    rejects: Path | None,
    mapping: Path | None,
    phases: Phases,
) -> Summary:
    file = path.name
    if len(source) == 0:
        raise file_error(path, _("el archivo no tiene registros"))
    renames = Mapping.load(mapping) if mapping is not None else Mapping()
    rename_fields(source, renames)
    restore_shapefile_names(source, importer.known)
    aliased = alias_fields(source, importer.aliases)
    map_field_values(source, renames)
    missing = [name for name in importer.required if name not in source.fields]
    if missing:
        raise ImportFileError([Problem(file, None, name, str(MISSING_COLUMN)) for name in missing])
    problem = geometry_type_problem(source, importer.accepted_geometry, importer.geometry_label)
    if problem:
        raise problem

    summary = Summary(read=len(source), dry_run=dry_run)
    if aliased:
        summary.warnings.append(
            Problem(
                file,
                None,
                "",
                _("Campos reconocidos por su nombre en otros sistemas: %(fields)s")
                % {"fields": ", ".join(f"{theirs} → {ours}" for theirs, ours in aliased)},
            )
        )
    importer.prepare(source, summary)
    with gc_paused():
        phases.start(_("revisión"))
        checked = check_rows(importer, source, summary, phases.enabled)
        reject_duplicate_keys(importer, checked, file)
        good = checked.good(len(source))
        bad = sorted(checked.problems)
        summary.rejected = len(bad)
        summary.errors = [p for index in bad for p in checked.problems[index]]
        phases.done()

        with transaction.atomic():
            wait_for_linking()
            with first_load(importer.bulk_tables, len(good), file):
                phases.start(_("escritura"))
                created, updated = importer.upsert(checked, good) if good else (0, 0)
                phases.done()
                phases.start(_("índices y llaves"))
            phases.done()
            if dry_run:
                transaction.set_rollback(True)
    summary.created, summary.updated = created, updated
    summary.unchanged = len(good) - created - updated
    if bad:
        target = rejects or path.with_name(f"{path.stem}_rechazos.gpkg")
        write_vector_rejects(source, checked, bad, target)
        summary.rejects_path = str(target)
    return summary


def rename_fields(source: VectorSource, mapping: Mapping) -> None:
    """Rename fields (their name → ours) as a ``--map`` file says, as the padrón's mapping
    does; the file's own names and values stay for the rejects file."""
    for theirs, ours in mapping.columns.items():
        if theirs in source.fields and theirs != ours:
            source.fields[ours] = source.fields.pop(theirs)


def alias_fields(
    source: VectorSource, aliases: dict[str, tuple[str, ...]]
) -> list[tuple[str, str]]:
    """Rename the fields named as other systems name ours (``VectorImporter.aliases``), where the
    layer has no field of ours by that name and exactly one by those; (the field's name as the
    file writes it, ours) of each."""
    renamed = []
    for theirs, ours in aliased(source.fields, aliases).items():
        source.fields[ours] = source.fields.pop(theirs)
        renamed.append((source.written_name(theirs), ours))
    return renamed


def map_field_values(source: VectorSource, mapping: Mapping) -> None:
    """Rename values (per our field) as a ``--map`` file says."""
    for name, table in mapping.values.items():
        values = source.fields.get(name)
        if values is not None:
            source.fields[name] = np.array(
                # a code in a numeric column (USO 1) as the text the file means ('1')
                [table.get(str(v).strip().upper(), v) if v is not None else v for v in values],
                dtype=object,
            )


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
) -> CheckedRows:
    """Check every row: geometry and fields of all rows at once, then one by one the rows with
    anything to report (missing, invalid or misplaced geometry, a field the importer's column
    check flags), exactly as ``check_row`` says."""
    geometries = source.geometries
    present = ~shapely.is_missing(geometries)
    valid = np.zeros(len(source), dtype=bool)
    valid[present] = shapely.is_valid(geometries[present]) & ~shapely.is_empty(geometries[present])
    inside, outside_swapped = placement(source, present, valid)
    if present.any() and not inside.any() and not outside_swapped.any():
        # Not one feature in the service area: the coordinates are read in the wrong system
        # (a missing or wrong .prj, a wrong --srid), not a file of misplaced parcels.
        raise file_error(
            source.path,
            _(
                "ninguna geometría cae en el área de servicio leyendo sus coordenadas en "
                "%(crs)s; ¿es el sistema de coordenadas del archivo? Indique el correcto con "
                "--srid"
            )
            % {"crs": crs_name(source.source_crs)},
        )
    fast = present & valid & inside & of_kind(geometries, importer.accepted_geometry)
    usable = np.full(len(source), None, dtype=object)
    usable[fast] = geometries[fast]
    values, flags = importer.clean_columns(source, usable)
    flags |= ~fast
    checked = CheckedRows(values, file_columns=frozenset(source.fields))
    flagged = np.flatnonzero(flags).tolist()
    bar = tqdm(flagged, disable=not progress, desc=str(importer.label), unit=f" {ROWS_UNIT}")
    for index in bar:
        out = check_row(
            importer,
            source,
            index,
            summary,
            bool(present[index]),
            bool(inside[index]),
            bool(outside_swapped[index]),
        )
        if out.problems:
            checked.problems[index] = out.problems
        for name, value in out.values.items():
            checked.values.setdefault(name, [None] * len(source))[index] = value
    return checked


def crs_name(crs: Any) -> str:
    """'EPSG:32614 (WGS 84 / UTM zone 14N)', or the CRS's name alone."""
    code = crs.to_epsg()
    return f"EPSG:{code} ({crs.name})" if code else str(crs.name)


def placement(
    source: VectorSource, present: np.ndarray, valid: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Which geometries lie inside the service area (a point on their surface does), and which
    of the others would, once x and y are exchanged (coordinates written the wrong way round)."""
    area = service_area()
    geometries = source.geometries
    probe = np.full(len(source), None, dtype=object)
    probe[valid] = shapely.point_on_surface(geometries[valid])
    repairable = present & ~valid
    probe[repairable] = shapely.point_on_surface(shapely.make_valid(geometries[repairable]))
    inside = np.zeros(len(source), dtype=bool)
    inside[present] = shapely.within(probe[present], area)
    outside = present & ~inside
    source_probe = np.full(len(source), None, dtype=object)
    source_probe[outside] = shapely.point_on_surface(
        shapely.make_valid(source.source_geometries[outside])
    )
    swapped_probe = shapely.transform(source_probe[outside], lambda xy: xy[:, ::-1])
    swapped_probe = transform_geometries(swapped_probe, source.source_crs, settings.STORAGE_SRID)
    outside_swapped = np.zeros(len(source), dtype=bool)
    outside_swapped[outside] = shapely.within(swapped_probe, area)
    return inside, outside_swapped


def check_row(
    importer: VectorImporter,
    source: VectorSource,
    index: int,
    summary: Summary,
    present: bool,
    inside: bool,
    outside_swapped: bool,
) -> CleanRow:
    """One row: its geometry repaired or refused, then its fields cleaned."""
    file = source.path.name
    out = CleanRow(index=index, line=index + 1)
    geometry, note = repair(source.geometries[index], importer.accepted_geometry)
    if present and not inside:
        geometry = None
        reason = (
            _("coordenadas invertidas (x e y intercambiadas)")
            if outside_swapped
            else str(OUTSIDE_SERVICE_AREA)
        )
        out.problems.append(Problem(file, out.line, "geometría", reason))
    elif geometry is None:
        out.problems.append(Problem(file, out.line, "geometría", note))
    elif note:
        summary.warnings.append(Problem(file, out.line, "geometría", note))
    out.values["geom"] = geometry
    importer.clean(source.row(index), out, file)
    return out


def reject_duplicate_keys(importer: VectorImporter, checked: CheckedRows, file: str) -> None:
    keys = importer.keys(checked.values)
    counts = Counter(key for key in keys if key)
    lines_by_key: dict[str, list[int]] = defaultdict(list)
    for index, key in enumerate(keys):
        if key and counts[key] > 1:
            lines_by_key[key].append(index + 1)
    for key, lines in lines_by_key.items():
        listed = ", ".join(str(line) for line in lines)
        message = _("«%(key)s» repetida en las líneas %(lines)s") % {"key": key, "lines": listed}
        for line in lines:
            checked.add_problem(line - 1, Problem(file, line, importer.key_field or "", message))


def write_vector_rejects(
    source: VectorSource, checked: CheckedRows, bad: list[int], target: Path
) -> None:
    """The rejected features, with their original fields and geometry, plus the reason."""
    index = np.array(bad)
    reasons = np.array(
        ["; ".join(f"{p.field}: {p.message}" for p in checked.problems[i]) for i in bad],
        dtype=object,
    )
    names = [*source.field_names, REJECT_REASON]
    arrays = [values[index] for values in source.file_fields] + [reasons]
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


def stage_cells(
    values: dict[str, list[Any]], good: list[int], columns: dict[str, str]
) -> dict[str, list[str]]:
    """The good rows' values as COPY text cells in the order of ``columns``: ``geom`` as hex
    EWKB, ``colonia_key`` from ``colonia``, ``attributes`` as JSON."""
    total = len(values["geom"])

    def pick(name: str) -> list[Any]:
        column = values[name]
        return column if len(good) == total else [column[index] for index in good]

    cells: dict[str, list[str]] = {}
    for name, sql_type in columns.items():
        if name == "geom":
            cells[name] = text_cells(ewkb_all(pick("geom")))
        elif name == "colonia_key":
            colonias = pick("colonia")
            keys = {colonia: naming.colonia_key(colonia) or None for colonia in set(colonias)}
            cells[name] = text_cells([keys[colonia] for colonia in colonias])
        elif name == "attributes":
            cells[name] = [
                naming.to_json(attributes).translate(COPY_ESCAPES) if attributes else "{}"
                for attributes in pick(name)
            ]
        elif sql_type == "text":
            cells[name] = text_cells(pick(name))
        else:
            cells[name] = [COPY_NULL if value is None else str(value) for value in pick(name)]
    return cells


def upsert_staged(
    table: str,
    key: str,
    columns: dict[str, str],
    cells: dict[str, list[str]],
    left_alone: Collection[str] = (),
) -> tuple[int, int]:
    """Insert or update ``table`` from COPY cells, keyed by ``key``; return (created, updated).

    ``columns`` maps each staged column to its SQL type. ``geom`` arrives as EWKB hex, and
    ``colonia_key`` is resolved to ``colonia_id``. Rows whose key is new are inserted; a row
    whose values are all equal to the stored ones is left alone, so re-importing a file changes
    nothing (not even the history). The columns of ``left_alone`` are written to new rows only."""
    stage, known = f"stage_{table}", f"stage_{table}_known"
    with connection.cursor() as cursor:
        definitions = ", ".join(f"{name} {sql_type}" for name, sql_type in columns.items())
        cursor.execute(f"DROP TABLE IF EXISTS {stage}, {known}")
        cursor.execute(f"CREATE TEMP TABLE {stage} ({definitions}) ON COMMIT DROP")
    copy_cells(stage, cells)
    targets = [("colonia_id" if name == "colonia_key" else name) for name in columns]
    sources = [
        "c.id" if name == "colonia_key" else ("s.geom::geometry" if name == "geom" else f"s.{name}")
        for name in columns
    ]
    colonias = f"{stage}_colonia"
    colonia = f"LEFT JOIN {colonias} c ON c.key = s.colonia_key"
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {stage}")
        # One colonia per key: the one without a postal code when there is one.
        cursor.execute(f"DROP TABLE IF EXISTS {colonias}")
        cursor.execute(
            f"CREATE TEMP TABLE {colonias} ON COMMIT DROP AS "
            "SELECT DISTINCT ON (settlement_type, name_normalized) "
            "id, settlement_type || ':' || name_normalized AS key FROM registry_colonia "
            "ORDER BY settlement_type, name_normalized, postal_code <> '', id"
        )
        cursor.execute(f"CREATE UNIQUE INDEX ON {colonias} (key)")
        cursor.execute(f"ANALYZE {colonias}")
        # The keys the table already has, read before writing: the INSERT must not anti-join
        # the table it fills.
        cursor.execute(
            f"CREATE TEMP TABLE {known} ON COMMIT DROP AS "
            f"SELECT t.{key} FROM {table} t JOIN {stage} s ON s.{key} = t.{key}"
        )
        cursor.execute(f"ANALYZE {known}")
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(targets)}) SELECT {', '.join(sources)} "
            f"FROM {stage} s {colonia} "
            f"WHERE NOT EXISTS (SELECT 1 FROM {known} k WHERE k.{key} = s.{key})"
        )
        created = cursor.rowcount
        changed = [
            (t, s)
            for name, t, s in zip(columns, targets, sources, strict=True)
            if t != key and name not in left_alone
        ]
        types = column_types(table)
        cursor.execute(
            f"UPDATE {table} t SET {', '.join(f'{t} = {s}' for t, s in changed)} "
            f"FROM {stage} s JOIN {known} k ON k.{key} = s.{key} {colonia} "
            f"WHERE t.{key} = s.{key} "
            f"AND ({', '.join(f't.{t}' for t, _s in changed)}) IS DISTINCT FROM "
            f"({', '.join(f'CAST({s} AS {types[t]})' for t, s in changed)})"
        )
        updated = cursor.rowcount
    return created, updated


def column_types(table: str) -> dict[str, str]:
    """SQL type of each column of ``table``, with its modifiers (numeric(12,2)): staged values
    are compared with stored ones as the table would store them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [table],
        )
        return dict(cursor.fetchall())
