"""The padrón checked column by column: the common case of a million clean rows in seconds.

Each column is parsed once per distinct value with the same parsers the row checks use, and the
connection points are transformed and tested against the service area in bulk. Any row that
breaks a rule here is flagged and checked again one by one (``PadronChecker.check``), which
names its problems; so values and messages are those of the row checks, only computed faster."""

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext
from tqdm import tqdm

from gis_backend.imports.columns import (
    ROWS_UNIT,
    mark_values,
    mark_where,
    mostly_distinct,
    parse_distinct,
)
from gis_backend.imports.padron_rows import (
    DIAMETERS,
    KNOWN,
    MAX_INT,
    MAX_MONTHS,
    NOT_ATTRIBUTES,
    STATUSES,
    TARIFFS,
    TEXT_WIDTHS,
    TOTAL_HINT,
    UNKNOWN_DIAMETER,
    UNKNOWN_STATUS,
    UNKNOWN_TARIFF,
    PadronChecker,
    PadronRow,
    meter_serial,
    parse_balance,
    parse_choice,
    total_row,
)
from gis_backend.imports.problems import Problem
from gis_backend.imports.tabular import Table
from gis_backend.imports.values import (
    MAX_FIELD_LENGTH,
    ValueProblem,
    all_clean,
    clean_text,
    parse_date,
    parse_decimal,
    parse_int,
)
from gis_backend.registry.choices import AccountStatus, Tariff

# Account value, file column (its width: TEXT_WIDTHS).
TEXT_VALUES = (
    ("number", "cuenta"),
    ("holder_name", "titular"),
    ("billing_street", "calle"),
    ("billing_ext_number", "numero_ext"),
    ("billing_int_number", "numero_int"),
    ("billing_colonia", "colonia"),
    ("billing_postal_code", "codigo_postal"),
    ("billing_cadastral_key", "clave_catastral"),
    ("giro", "giro"),
    ("sector", "sector"),
    ("route", "ruta"),
    ("meter_serial", "medidor_serie"),
    ("meter_brand", "medidor_marca"),
)
# Account value, file column, vocabulary, the problem of a value outside it, default.
CHOICE_VALUES: tuple[tuple[str, str, dict[str, str], str | Promise, str], ...] = (
    ("tariff", "tarifa", TARIFFS, UNKNOWN_TARIFF, Tariff.DOMESTIC),
    ("status", "estatus", STATUSES, UNKNOWN_STATUS, AccountStatus.ACTIVE),
    ("meter_diameter", "medidor_diametro", DIAMETERS, UNKNOWN_DIAMETER, "1/2"),
)
VALUE_NAMES = (
    "number", "holder_name", "billing_street", "billing_ext_number", "billing_int_number",
    "billing_colonia", "billing_postal_code", "billing_cadastral_key", "tariff", "giro",
    "status", "dwellings", "opened_on", "sector", "route", "meter_serial", "meter_brand",
    "meter_diameter", "balance", "months_overdue", "last_payment_on", "point", "attributes",
)  # fmt: skip
# Possessive (++, ?+, *+): a column has one reading, and not keeping the others to backtrack
# into makes the match 8 times faster (0.04 s a million values).
_PLAIN_COLUMN = re.compile(r"(?:-?[0-9]++(?:\.[0-9]++)?+)?+(?:\n(?:-?[0-9]++(?:\.[0-9]++)?+)?+)*+")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
EWKB_POINT = np.dtype(
    [("order", "u1"), ("kind", "<u4"), ("srid", "<u4"), ("x", "<f8"), ("y", "<f8")]
)


@dataclass
class PadronBatch:
    """Every row of the file: account values by column (the point as hex EWKB), and the
    problems of the rows that have any, by row index."""

    table: Table
    values: dict[str, list[Any]]
    problems: dict[int, list[Problem]] = field(default_factory=dict)
    # Rows whose coordinates were 0, 0 (read as no point).
    zero_points: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.table.lines)

    @property
    def lines(self) -> list[int]:
        return self.table.lines

    def add_problem(self, index: int, problem: Problem) -> None:
        self.problems.setdefault(index, []).append(problem)

    def good(self) -> list[int]:
        return [index for index in range(len(self)) if index not in self.problems]


def check_file(table: Table, file: str, progress: bool) -> PadronBatch:
    """Check every row of the file."""
    flags = np.zeros(len(table.lines), dtype=bool)
    flags[table.misshapen()] = True
    file_columns = table.column_values()
    blank = [""] * len(flags)
    cells = {name: file_columns.get(name, blank) for name in KNOWN}
    checker = PadronChecker(file)
    values = text_values(cells, flags)
    values.update(choice_values(cells, flags))
    values.update(number_values(cells, flags))
    values["point"], zero_points = point_values(cells, flags, checker)
    values["attributes"] = attribute_values(file_columns, len(flags))
    batch = PadronBatch(table, values, zero_points=zero_points)
    recheck_flagged(batch, flags, checker, progress)
    return batch


def text_values(cells: dict[str, Sequence[str]], flags: np.ndarray) -> dict[str, list[Any]]:
    values: dict[str, list[Any]] = {}
    for name, source in TEXT_VALUES:
        width = TEXT_WIDTHS.get(source)
        column = cells[source]
        # Checked once per distinct value where values repeat: a million values take 0.2 s, a
        # set of them 0.1 s and then next to nothing when they are a few thousand.
        texts = column if mostly_distinct(column, 0.5) else set(column)
        longest = max(map(len, texts), default=0)
        cleaned: list[str | None]
        if longest <= MAX_FIELD_LENGTH and all_clean(texts):
            # The usual case, where clean_text keeps every value as it is: 0.1 to 0.2 s a column
            # of a million rows, where cleaning its distinct values took 0.3 s and each value 1.5 s.
            cleaned = list(column)
        else:
            cleaned, refused = parse_distinct(column, clean_text)
            flags[refused] = True
        # Cleaning only shortens values, so none is too wide when none was longer than the
        # width; the row checks refuse the others (never cut: the registry would keep another
        # value than the file's).
        if width is not None and longest > width:
            mark_values(flags, cleaned, {text for text in set(cleaned) if len(text or "") > width})
        values[name] = cleaned
        if source == "codigo_postal":
            mark_values(flags, cleaned, {text for text in set(cleaned) if bad_postal_code(text)})
    serials = values["meter_serial"]
    serial_of = {text: meter_serial(text) for text in set(serials) if text}
    if any(text != serial for text, serial in serial_of.items()):
        values["meter_serial"] = [serial_of.get(text, text) if text else text for text in serials]
    mark_values(flags, values["number"], {"", None})
    if TOTAL_HINT.search("\n".join(filter(None, values["number"]))):
        # The closing row of a spreadsheet ('TOTAL'): rare, so the column is searched at once.
        mark_where(flags, values["number"], lambda number: bool(number) and total_row(number))
    return values


def bad_postal_code(text: str | None) -> bool:
    return bool(text) and not (text is not None and text.isdigit() and len(text) == 5)


def choice_values(cells: dict[str, Sequence[str]], flags: np.ndarray) -> dict[str, list[Any]]:
    values: dict[str, list[Any]] = {}
    for name, source, table, unknown, default in CHOICE_VALUES:

        def parse(
            text: str,
            table: dict[str, str] = table,
            unknown: str | Promise = unknown,
            default: str = default,
        ) -> str:
            return parse_choice(text, table, unknown) or default

        values[name], refused = parse_distinct(cells[source], parse)
        flags[refused] = True
    return values


def dwellings(text: str) -> int:
    return parse_int(text, 1, MAX_INT) or 1


def months(text: str) -> int | None:
    return parse_int(text, 0, MAX_MONTHS)


def number_values(cells: dict[str, Sequence[str]], flags: np.ndarray) -> dict[str, list[Any]]:
    values: dict[str, list[Any]] = {}
    for name, source, parser in (
        ("dwellings", "num_viviendas", dwellings),
        ("opened_on", "fecha_alta", parse_date),
        ("balance", "saldo", parse_balance),
        ("months_overdue", "meses_adeudo", months),
        ("last_payment_on", "ultimo_pago", parse_date),
    ):
        values[name], refused = parse_distinct(cells[source], within_limit(parser))
        flags[refused] = True
    overdue = [
        index
        for index, (owed_months, balance) in enumerate(
            zip(values["months_overdue"], values["balance"], strict=True)
        )
        if (owed_months or 0) > 0 and (balance or 0) <= 0
    ]
    flags[overdue] = True
    return values


def within_limit(parser: Callable[[str], Any]) -> Callable[[str], Any]:
    """``parser`` refusing values longer than a field may be: the row checks also pass these
    columns through ``clean_text``, which refuses them. Checking the distinct values here saves
    a pass over each column (0.1 s a million rows)."""

    def parse(text: str) -> Any:
        if len(text) > MAX_FIELD_LENGTH:
            raise ValueProblem("too long")
        return parser(text)

    return parse


def coordinate(text: str) -> float:
    """``float(parse_decimal(text))``, NaN when empty; plain numbers skip the general parser
    (both round the same decimal to the same float)."""
    if _PLAIN_NUMBER.fullmatch(text):
        return float(text)
    if "." not in text and text.count(",") == 1:
        # A decimal comma, as a semicolon-separated file from a Spanish-language spreadsheet
        # writes it: degrees have no thousands, so '-100,962' is -100.962, not -100962.
        text = text.replace(",", ".")
    number = parse_decimal(text)
    return math.nan if number is None else float(number)


def coordinates(cells: Sequence[str], flags: np.ndarray) -> np.ndarray:
    """A coordinate column as floats (NaN where empty or refused)."""
    joined = "\n".join(cells)
    if joined.count("\n") == len(cells) - 1 and _PLAIN_COLUMN.fullmatch(joined):
        # The usual case: every value a plain decimal number, or empty.
        return np.fromiter(
            (float(text) if text else math.nan for text in cells), dtype=float, count=len(cells)
        )
    parsed, refused = parse_distinct(cells, coordinate)
    flags[refused] = True
    return np.array([math.nan if value is None else value for value in parsed], dtype=float)


def point_values(
    cells: dict[str, Sequence[str]], flags: np.ndarray, checker: PadronChecker
) -> tuple[list[str | None], list[int]]:
    """Connection points as hex EWKB in the storage CRS; rows whose point is incomplete,
    impossible or outside the service area are flagged. Also the rows whose coordinates are
    0, 0, read as no point (``padron_rows.zero_point``)."""
    lat = coordinates(cells["lat"], flags)
    lon = coordinates(cells["lon"], flags)
    zero = (lat == 0) & (lon == 0)
    lat[zero] = lon[zero] = math.nan
    has_lat, has_lon = ~np.isnan(lat), ~np.isnan(lon)
    flags |= has_lat != has_lon
    both = has_lat & has_lon
    flags |= both & ((np.abs(lat) > 90) | (np.abs(lon) > 180))
    located = np.flatnonzero(both & ~flags)
    # Lists, not arrays: pyproj takes a one-element array for a scalar (deprecated in numpy).
    x, y = map(
        np.asarray, checker.to_storage.transform(lon[located].tolist(), lat[located].tolist())
    )
    inside = shapely.contains_xy(checker.area, x, y)
    flags[located[~inside]] = True
    located, x, y = located[inside], x[inside], y[inside]
    values: list[str | None] = [None] * len(lat)
    for index, text in zip(located.tolist(), ewkb_points(x, y, settings.STORAGE_SRID), strict=True):
        values[index] = text
    return values, np.flatnonzero(zero).tolist()


def ewkb_points(x: np.ndarray, y: np.ndarray, srid: int) -> list[str]:
    """Points as hex EWKB, as ``point_ewkb`` writes them on a little-endian machine, built with
    numpy: 0.15 s a million points, where shapely's points and to_wkb took 1.5 s."""
    points = np.empty(len(x), dtype=EWKB_POINT)
    points["order"], points["kind"], points["srid"], points["x"], points["y"] = (
        1, 0x20000001, srid, x, y  # little-endian; a point with an SRID
    )  # fmt: skip
    text = points.tobytes().hex().upper()
    size = 2 * EWKB_POINT.itemsize
    return [text[start : start + size] for start in range(0, len(text), size)]


def point_ewkb(point: Any) -> str | None:
    if point is None:
        return None
    return str(
        shapely.to_wkb(shapely.set_srid(point, settings.STORAGE_SRID), hex=True, include_srid=True)
    )


def attribute_values(file_columns: dict[str, Sequence[str]], rows: int) -> list[dict[str, str]]:
    """The file's columns the importer does not know, kept per row when not blank."""
    extra = {name: cells for name, cells in file_columns.items() if name not in NOT_ATTRIBUTES}
    if not extra:
        return [{} for _row in range(rows)]
    names = list(extra)
    return [
        {name: value for name, value in zip(names, values, strict=True) if value.strip()}
        for values in zip(*extra.values(), strict=True)
    ]


def recheck_flagged(
    batch: PadronBatch, flags: np.ndarray, checker: PadronChecker, progress: bool
) -> None:
    """Check flagged rows one by one: their problems, or their values when they have none."""
    flagged = np.flatnonzero(flags).tolist()
    bar = tqdm(flagged, disable=not progress, desc=gettext("padrón"), unit=f" {ROWS_UNIT}")
    for index in bar:
        row = PadronRow(batch.lines[index], batch.table.row(index))
        checker.check(row)
        if row.problems:
            batch.problems[index] = row.problems
        for name in VALUE_NAMES:
            batch.values[name][index] = row.values.get(name)
        batch.values["point"][index] = point_ewkb(row.values.get("point"))
