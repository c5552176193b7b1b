"""Reading CSV exports of billing systems as they come: UTF-8 with or without BOM, CP1252 or
Latin-1, comma or semicolon separated, headers in any case, accents, spacing and order, and an
optional YAML mapping file that renames another system's columns and values."""

import codecs
import csv
import heapq
import io
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import compress
from pathlib import Path
from typing import Any, cast

import numpy as np
import yaml
from django.utils.translation import gettext, ngettext

from gis_backend.imports.problems import MISSING_COLUMN, REJECT_REASON, ImportFileError, Problem

MAX_RECORD_BYTES = 1_000_000
DELIMITERS = (",", ";", "\t", "|")
NOT_A_NAME = re.compile(r"[^0-9a-z]+")
# What splitlines()[0] gives, without splitting the whole file (0.3 s for a million lines).
FIRST_LINE = re.compile(r"[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]*")


def field_key(name: str) -> str:
    """A column or field name as compared with ours: case, accents, spaces and punctuation aside
    ('Número Ext.' and 'NUMERO_EXT' are numero_ext, 'Núm. Viviendas' is num_viviendas)."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    return NOT_A_NAME.sub("_", text).strip("_")


# A mapping file's scalars are codes as written: YAML 1.1 would read 01 as 1, 010 as 8 (octal), NO
# as false and 1.0 as 1.0, so every key and value is read as text (BaseLoader).
YAML_NULLS = ("", "~", "null", "Null", "NULL")


def yaml_entries(
    node: yaml.Node, file: str, where: str, message: str, *, tables: bool = False
) -> list[tuple[yaml.ScalarNode, Any]]:
    """The ``key: value`` entries of a mapping node, keys as text and values as text (or as
    nodes, with ``tables``); an empty section (``values:`` alone) has none."""
    if isinstance(node, yaml.ScalarNode) and node.style is None and node.value in YAML_NULLS:
        return []
    if not isinstance(node, yaml.MappingNode):
        raise ImportFileError([Problem(file, node.start_mark.line + 1, where, message)])
    entries = []
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            bad, name = key, where
        elif not tables and not isinstance(value, yaml.ScalarNode):
            bad, name = value, f"{where}.{key.value}".lstrip(".")
        else:
            entries.append((key, value))
            continue
        raise ImportFileError(
            [
                Problem(
                    file,
                    bad.start_mark.line + 1,
                    name,
                    gettext("se esperaba un texto, no una lista ni una tabla"),
                )
            ]
        )
    return entries


def yaml_text(node: yaml.ScalarNode, file: str, where: str) -> str:
    """A key's or value's text, which must not be empty."""
    if not node.value.strip() or (node.style is None and node.value in YAML_NULLS):
        raise ImportFileError(
            [Problem(file, node.start_mark.line + 1, where, gettext("sin valor"))]
        )
    return node.value


def no_repeats(
    seen: dict[str, int], key: str, node: yaml.ScalarNode, file: str, where: str
) -> None:
    line = node.start_mark.line + 1
    if key in seen:
        raise ImportFileError(
            [
                Problem(
                    file,
                    line,
                    where,
                    gettext("repetida (ya está en la línea %(line)s)") % {"line": seen[key]},
                )
            ]
        )
    seen[key] = line


@dataclass
class Mapping:
    """``columns``: their name → ours. ``values``: per our column, their value → ours."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "Mapping":
        file = path.name
        try:
            root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ImportFileError(
                [
                    Problem(
                        file,
                        None,
                        "",
                        gettext("no se pudo leer el mapeo: %(error)s") % {"error": exc},
                    )
                ]
            ) from exc
        only_keys = gettext("el mapeo debe tener solo las claves «%(columns)s» y «%(values)s»") % {
            "columns": "columns",
            "values": "values",
        }
        if root is None:
            return cls()
        sections = yaml_entries(root, file, "", only_keys, tables=True)
        if not {key.value for key, _node in sections} <= {"columns", "values"}:
            raise ImportFileError([Problem(file, None, "", only_keys)])
        mapping = cls()
        seen: dict[str, int] = {}
        for key, node in sections:
            no_repeats(seen, key.value, key, file, key.value)
            if key.value == "columns":
                mapping.columns = mapping_columns(node, file)
            else:
                mapping.values = mapping_values(node, file)
        return mapping


def mapping_columns(node: yaml.Node, file: str) -> dict[str, str]:
    """``columns``: their column → ours, both as ``field_key`` writes them."""
    not_a_table = gettext("debe listar «su columna: nuestra columna», una por renglón")
    columns: dict[str, str] = {}
    seen: dict[str, int] = {}
    for key, value in yaml_entries(node, file, "columns", not_a_table):
        where = f"columns.{key.value}"
        theirs = field_key(yaml_text(key, file, "columns"))
        ours = field_key(yaml_text(value, file, where))
        if not theirs or not ours:
            raise ImportFileError(
                [
                    Problem(
                        file,
                        key.start_mark.line + 1,
                        where,
                        gettext("no es un nombre de columna (no tiene letras ni números)"),
                    )
                ]
            )
        no_repeats(seen, theirs, key, file, where)
        columns[theirs] = ours
    return columns


def mapping_values(node: yaml.Node, file: str) -> dict[str, dict[str, str]]:
    """``values``: per our column, their value (trimmed, in capitals) → ours."""
    not_a_table = gettext("debe listar, por columna nuestra, «su valor: nuestro valor»")
    values: dict[str, dict[str, str]] = {}
    seen_columns: dict[str, int] = {}
    for column, table in yaml_entries(node, file, "values", not_a_table, tables=True):
        name = field_key(yaml_text(column, file, "values"))
        where = f"values.{column.value}"
        no_repeats(seen_columns, name, column, file, where)
        renames: dict[str, str] = {}
        seen: dict[str, int] = {}
        for key, value in yaml_entries(table, file, where, not_a_table):
            theirs = yaml_text(key, file, where).strip().upper()
            no_repeats(seen, theirs, key, file, f"{where}.{key.value}")
            renames[theirs] = yaml_text(value, file, f"{where}.{key.value}")
        values[name] = renames
    return values


@dataclass
class Table:
    path: Path
    encoding: str
    delimiter: str
    header: list[str]  # as written in the file
    columns: list[str]  # our names (field_key)
    lines: list[int]  # line number of each record (the line it starts on)
    records: list[list[str]]  # cells as in the file, values renamed by the mapping
    # Records that cannot be read as written (an unclosed quote): index → why. Their cells are
    # those of their first line, split at every delimiter.
    broken: dict[int, str] = field(default_factory=dict)
    # The file's own values where the mapping renamed them: index → {position: value}.
    originals: dict[int, dict[int, str]] = field(default_factory=dict)
    # What was read but maybe not as meant (lines in another encoding than the rest), for the
    # import's summary.
    warnings: list[Problem] = field(default_factory=list)

    @cached_property
    def rows(self) -> list[tuple[int, dict[str, str]]]:
        """(line number, our column → value) of every record."""
        return [(line, self.row(index)) for index, line in enumerate(self.lines)]

    def row(self, index: int) -> dict[str, str]:
        """One record by our column names; a record with a wrong number of cells, or that cannot
        be read as written, also has ``__shape__``, saying so."""
        record = self.records[index]
        if len(record) == len(self.columns) and index not in self.broken:
            return dict(zip(self.columns, record, strict=True))
        values = dict(zip(self.columns, record, strict=False))
        values["__shape__"] = self.broken.get(index) or gettext(
            "%(fields)s campos; el encabezado tiene %(columns)s"
        ) % {"fields": len(record), "columns": len(self.columns)}
        return values

    def misshapen(self) -> list[int]:
        """Indexes of the records whose number of cells differs from the header's, or that
        cannot be read as written."""
        width = len(self.columns)
        indexes = [index for index, record in enumerate(self.records) if len(record) != width]
        return sorted({*indexes, *self.broken}) if self.broken else indexes

    def column_values(self) -> dict[str, Sequence[str]]:
        """Every column's values, by our column name (cells missing from a misshapen record
        read as ''; where a name repeats, the last column wins as in ``row``)."""
        try:  # the usual case, every record as wide as the header (one pass fewer: 0.15 s)
            return dict(zip(self.columns, zip(*self.records, strict=True), strict=True))
        except ValueError:
            pass
        width = len(self.columns)
        records = list(self.records)
        for index in self.misshapen():
            records[index] = (records[index] + [""] * width)[:width]
        return dict(zip(self.columns, zip(*records, strict=True), strict=True))

    def index(self, line: int) -> int | None:
        """The index of the record starting on ``line``, if any."""
        index = bisect_left(self.lines, line)
        return index if index < len(self.lines) and self.lines[index] == line else None

    def cells(self, index: int) -> list[str]:
        """A record's cells as read from the file, values as written (not as mapped)."""
        record = list(self.records[index])
        for position, value in self.originals.get(index, {}).items():
            record[position] = value
        return record


# A file mostly in UTF-8 with up to this many lines in CP1252 is read line by line (each in its
# own encoding, with a warning each); more, and it is refused as a mix of encodings.
MAX_MIXED_LINES = 1000
DECODE_CHUNK = 1 << 16
NON_ASCII = re.compile(rb"[\x80-\xff]")
# Mojibake of UTF-8 read as CP1252 ('É' read as 'Ã‰'): 'Â' or 'Ã' before a CP1252 character of
# 0x80-0xBF, which Spanish text written in CP1252 does not have.
MOJIBAKE = re.compile(
    "[\u00c2\u00c3][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
    "\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030"
    "\u2039\u203a\u20ac\u2122]"
)


def decode(path: Path, raw: bytes) -> tuple[str, str, list[Problem]]:
    """The file's text, its encoding and warnings about it (each encoding tried once on a file
    in a single encoding: decoding a 190 MB file takes 0.2 s)."""
    bom = raw.startswith(b"\xef\xbb\xbf")
    if bom:
        try:
            return raw.decode("utf-8-sig"), "utf-8-sig", []
        except UnicodeDecodeError:
            return decode_mixed(path.name, raw, bom)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Texto Unicode" (and some billing systems' exports): UTF-16 with its byte-order
        # mark, tab-separated.
        try:
            return raw.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError:
            pass
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4096]:
        raise ImportFileError(
            [
                Problem(
                    path.name,
                    None,
                    "",
                    gettext(
                        "codificación no soportada (¿UTF-16 sin marca de orden o archivo "
                        "binario?); "
                        "guárdelo como CSV UTF-8"
                    ),
                )
            ]
        )
    try:
        return raw.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        return decode_mixed(path.name, raw, bom)


def decode_mixed(file: str, raw: bytes, bom: bool) -> tuple[str, str, list[Problem]]:
    """A file not all in UTF-8: in CP1252 (or Latin-1) as a whole, or in UTF-8 but for a few
    lines (pasted from another system), each line read in its own encoding and named in a
    warning. Per-line work is for the lines that are not UTF-8 only."""
    start = 3 if bom else 0
    bad: list[tuple[int, int]] = []  # the lines that are not UTF-8, as byte spans
    position = start
    # In chunks: the error holds a copy of what it was decoding (the rest of a 190 MB file).
    while position < len(raw) and len(bad) <= MAX_MIXED_LINES:
        chunk = raw[position : position + DECODE_CHUNK]
        try:
            _text, decoded = codecs.utf_8_decode(chunk, "strict", len(chunk) < DECODE_CHUNK)
            position += decoded  # up to a character the chunk cuts, if any
        except UnicodeDecodeError as exc:
            bad.append(byte_line(raw, position + exc.start))
            position = bad[-1][1]
    too_many = len(bad) > MAX_MIXED_LINES
    scanned = position if too_many else len(raw)
    good = zip(
        [start, *(last for _first, last in bad)],
        [first for first, _last in bad] + [scanned],
        strict=True,
    )
    # Where UTF-8 beyond ASCII shows outside those lines, if it does (a byte-order mark too).
    utf8 = next((first for first, last in good if not raw[first:last].isascii()), None)
    numbers = byte_line_numbers(raw, [first for first, _last in bad])
    if too_many and (bom or utf8 is not None):
        found = NON_ASCII.search(raw, utf8) if utf8 is not None else None
        utf8_line = byte_line_numbers(raw, [found.start()])[0] if found else 1
        raise mixed_encodings(file, utf8_line, numbers[0])
    if not bom and utf8 is None:
        text, encoding = legacy_decode(raw)
        mojibake = (
            MOJIBAKE.search(text) if too_many and ("\u00c3" in text or "\u00c2" in text) else None
        )
        if mojibake:
            # UTF-8 lines after more than MAX_MIXED_LINES in CP1252.
            at = mojibake.start()
            count = text.count("\n", 0, at) + text.count("\r", 0, at) - text.count("\r\n", 0, at)
            raise mixed_encodings(file, count + 1, numbers[0])
        return text, encoding, []
    pieces: list[str] = []
    warnings: list[Problem] = []
    previous = start
    for (first, last), number in zip(bad, numbers, strict=True):
        pieces.append(raw[previous:first].decode("utf-8"))
        line = legacy_decode(raw[first:last])[0]
        pieces.append(line)
        shown = line.strip()
        warnings.append(
            Problem(
                file,
                number,
                "",
                gettext(
                    "no está en UTF-8 como el resto del archivo; se leyó como Windows-1252: "
                    "«%(text)s»; revise sus acentos"
                )
                % {"text": shown if len(shown) <= 80 else f"{shown[:79]}…"},
            )
        )
        previous = last
    pieces.append(raw[previous:].decode("utf-8"))
    return "".join(pieces), "utf-8-sig" if bom else "utf-8", warnings


def legacy_decode(raw: bytes) -> tuple[str, str]:
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # one of the five bytes CP1252 leaves undefined
        return raw.decode("latin-1"), "latin-1"


def byte_line(raw: bytes, position: int) -> tuple[int, int]:
    """The span of the line holding ``position``, without its line break (lines end at '\\n',
    '\\r' or both, as the CSV reader splits them)."""
    first = raw.rfind(b"\n", 0, position) + 1
    first = max(first, raw.rfind(b"\r", first, position) + 1)
    end = raw.find(b"\n", position)
    end = len(raw) if end < 0 else end
    carriage = raw.find(b"\r", position, end)
    return first, end if carriage < 0 else carriage


def byte_line_numbers(raw: bytes, starts: list[int]) -> list[int]:
    """The line numbers of the lines starting at ``starts`` (in order)."""
    numbers = []
    number, previous = 1, 0
    for first in starts:
        number += (
            raw.count(b"\n", previous, first)
            + raw.count(b"\r", previous, first)
            - raw.count(b"\r\n", previous, first)
        )
        numbers.append(number)
        previous = first
    return numbers


def mixed_encodings(file: str, utf8_line: int, legacy_line: int) -> ImportFileError:
    return ImportFileError(
        [
            Problem(
                file,
                None,
                "",
                gettext(
                    "mezcla codificaciones: la línea %(utf8)s está en UTF-8 y la %(legacy)s en "
                    "Windows-1252, y más de %(count)s líneas no están en UTF-8; guárdelo completo "
                    "como CSV UTF-8"
                )
                % {"utf8": utf8_line, "legacy": legacy_line, "count": MAX_MIXED_LINES},
            )
        ]
    )


# The most lines a report's title may take above the header.
TITLE_LINES = 10


def title_lines(text: str) -> tuple[int, str]:
    """How many lines above the header a report exported as CSV writes (the utility's name, the
    report's title and date, blank lines: one value at most each), and the header line. The
    header is the first of the first lines with two values or more; a file none of whose first
    lines has two (a single column) starts with its header."""
    lines: list[str] = []
    position = 0
    while len(lines) <= TITLE_LINES and position <= len(text):
        found = FIRST_LINE.match(text, position)
        line = found[0] if found else ""
        lines.append(line)
        position += len(line) + (2 if text.startswith("\r\n", position + len(line)) else 1)
    for index, line in enumerate(lines):
        delimiter = detect_delimiter(line)
        if sum(1 for cell in line.split(delimiter) if cell.strip(' \t"')) >= 2:
            return index, line
    return 0, lines[0]


def detect_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def is_blank(record: list[str]) -> bool:
    # The first value settles most records without joining them all (0.3 s a million).
    return not (record and record[0].strip()) and not "".join(record).strip()


def unreadable(file: str, line: int, exc: csv.Error) -> ImportFileError:
    return ImportFileError(
        [
            Problem(
                file,
                line,
                "",
                gettext("registro ilegible (%(error)s); ¿un campo enorme o comillas sin cerrar?")
                % {"error": exc},
            )
        ]
    )


def read_table(path: Path, *, required: tuple[str, ...], mapping: Mapping | None = None) -> Table:
    file = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(
            [Problem(file, None, "", gettext("no se puede leer: %(error)s") % {"error": exc})]
        ) from exc
    text, encoding, warnings = decode(path, raw)
    if not text or text.isspace():  # as text.strip(), without copying it; a BOM alone too
        raise ImportFileError([Problem(file, None, "", gettext("el archivo está vacío"))])
    titles, header_text = title_lines(text.lstrip("\ufeff"))
    delimiter = detect_delimiter(header_text)
    csv.field_size_limit(MAX_RECORD_BYTES)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for _title in range(titles):
            next(reader)
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise ImportFileError(
            [Problem(file, 1, "", gettext("encabezado ilegible: %(error)s") % {"error": exc})]
        ) from exc
    header_end = reader.line_num
    if titles:
        warnings.insert(
            0,
            Problem(
                file,
                header_end,
                "",
                ngettext(
                    "el encabezado está en la línea %(line)s: se saltó %(count)s renglón de "
                    "título antes de él",
                    "el encabezado está en la línea %(line)s: se saltaron %(count)s renglones de "
                    "título antes de él",
                    titles,
                )
                % {"line": header_end, "count": titles},
            ),
        )
    mapping = mapping or Mapping()
    columns = [mapping.columns.get(field_key(h), field_key(h)) for h in header]
    repeated = sorted({c for c in columns if columns.count(c) > 1 and c})
    repeated_column = gettext("columna repetida en el encabezado")
    problems = [Problem(file, header_end, c, repeated_column) for c in repeated]
    problems += [
        Problem(file, header_end, c, str(MISSING_COLUMN)) for c in required if c not in columns
    ]
    if problems:
        raise ImportFileError(problems)
    lines: list[int] = []
    records: list[list[str]] = []
    blank: list[int] = []  # the lines blank records end on
    try:
        for record in reader:
            if is_blank(record):
                blank.append(reader.line_num)
                continue
            lines.append(reader.line_num)
            records.append(record)
    except csv.Error as exc:
        # Named by the line the record starts on (where an unclosed quote opens).
        start = max(lines[-1] if lines else 0, blank[-1] if blank else 0, header_end) + 1
        raise unreadable(file, start, exc) from exc
    broken: dict[int, str] = {}
    if reader.line_num - header_end != len(records) + len(blank) or (
        records and has_line_break(records[-1])
    ):
        # Some record spans several lines, or the last holds a line break (rare): the slow path.
        lines, records, broken = Multiline(text, delimiter, header, header_end, file).settle(
            lines, records, blank
        )
    if not records:
        raise ImportFileError(
            [Problem(file, None, "", gettext("el archivo solo tiene encabezado, sin registros"))]
        )
    fit_width(records, header)
    originals = map_values(records, columns, mapping)
    return Table(
        path, encoding, delimiter, header, columns, lines, records, broken, originals, warnings
    )


LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as io.StringIO(newline=""), and so csv, splits lines
SEEK_CHUNK = 1 << 20


def has_line_break(record: list[str]) -> bool:
    return any("\n" in cell or "\r" in cell for cell in record)


@dataclass
class Multiline:
    """Records that span several lines: a quoted field holding line breaks (an address over
    two lines), or an unclosed quote that swallowed the lines after it as part of its field."""

    text: str
    delimiter: str
    header: list[str]
    header_end: int  # the line the header ends on
    file: str
    # Where lines start, as found: line → offset (line 1 at 0), and those lines in order.
    known: dict[int, int] = field(default_factory=lambda: {1: 0})
    known_lines: list[int] = field(default_factory=lambda: [1])

    def offset(self, line: int) -> int:
        """Where ``line`` starts (the text's end past its last line), counted from the nearest
        line already found: line breaks counted a chunk at a time, then one line at a time."""
        if line in self.known:
            return self.known[line]
        text = self.text
        nearest = self.known_lines[bisect_left(self.known_lines, line) - 1]
        at, position = nearest, self.known[nearest]
        while True:
            end = min(position + SEEK_CHUNK, len(text))
            if end < len(text) and text[end - 1] == "\r" and text[end] == "\n":
                end += 1
            count = (
                text.count("\n", position, end)
                + text.count("\r", position, end)
                - text.count("\r\n", position, end)
            )
            if at + count >= line or end == len(text):
                break
            at, position = at + count, end
        while at < line and position < len(text):
            newline = text.find("\n", position)
            newline = len(text) - 1 if newline < 0 else newline
            carriage = text.find("\r", position, newline)
            if carriage < 0:
                position = newline + 1
            else:
                position = carriage + (2 if text.startswith("\r\n", carriage) else 1)
            at += 1
        position = min(position, len(text))
        self.known[line] = position
        self.known_lines.insert(bisect_left(self.known_lines, line), line)
        return position

    def settle(
        self, lines: list[int], records: list[list[str]], blank: list[int]
    ) -> tuple[list[int], list[list[str]], dict[int, str]]:
        """Each record named by the line it starts on; one that swallowed whole records cut back
        to its own line (to be rejected, saying why) and the lines after it read on their own.
        Per-record work is for the records over several lines only."""
        # Every record in order, blank ones (None) too, with the lines each starts and ends on.
        if blank:
            by_end = dict(zip(lines, records, strict=True))
            ends = sorted(lines + blank)
            cells: list[list[str] | None] = [by_end.get(end) for end in ends]
        else:
            ends, cells = list(lines), list(records)
        end_array = np.array(ends)
        start_array = np.concatenate(([self.header_end + 1], end_array[:-1] + 1))
        starts: list[int] = start_array.tolist()
        pending: list[int] = end_array[start_array != end_array].tolist()  # by the line they end on
        if cells[-1] is not None and has_line_break(cells[-1]):
            pending.append(ends[-1])
        heapq.heapify(pending)
        broken: dict[int, str] = {}  # by the line they start (and now end) on
        done = 0
        while pending:
            end = heapq.heappop(pending)
            index = bisect_left(ends, end)
            if end <= done or index == len(ends) or ends[index] != end:
                continue
            done = end
            record = cells[index]
            if record is None:
                continue
            position = self.swallowing(record, starts[index], end, index == len(ends) - 1)
            if position is None:
                continue
            first = starts[index]
            broken[first], added = self.cut(index, position, starts, ends, cells)
            done = first
            for new in range(index + 1, index + 1 + added):
                multiline = starts[new] != ends[new] or new == len(ends) - 1
                if cells[new] is not None and multiline:
                    heapq.heappush(pending, ends[new])
        if None in cells:
            kept = [index for index, record in enumerate(cells) if record is not None]
            starts = [starts[index] for index in kept]
            cells = [cells[index] for index in kept]
        records = [record or [] for record in cells] if broken else cast(list[list[str]], cells)
        return starts, records, {bisect_left(starts, line): why for line, why in broken.items()}

    def swallowing(self, record: list[str], start: int, end: int, last: bool) -> int | None:
        """The position of the field whose unclosed quote took the lines after it (a field
        holding line breaks, and a delimiter or the end of the file), if the record's lines are
        not well-formed CSV (text after a closing quote, or a quote still open at the end of the
        file) or a line in that field has as many delimiters as a whole record (at least two: a
        legitimate address over two lines in a two-column file may have one)."""
        candidates = [
            position
            for position, cell in enumerate(record)
            if ("\n" in cell or "\r" in cell) and (self.delimiter in cell or last)
        ]
        if not candidates:
            return None
        raw = self.text[self.offset(start) : self.offset(end + 1)]
        try:
            for _record in csv.reader(
                io.StringIO(raw, newline=""), delimiter=self.delimiter, strict=True
            ):
                pass
        except csv.Error:
            return candidates[0]
        enough = max(len(self.header) - 1, 2)
        for position in candidates:
            lines = LINE_BREAK.split(record[position])[1:]
            if any(line.count(self.delimiter) >= enough for line in lines):
                return position
        return None

    def cut(
        self,
        index: int,
        position: int,
        starts: list[int],
        ends: list[int],
        cells: list[list[str] | None],
    ) -> tuple[str, int]:
        """Cut the record at ``index`` back to its first line, split at every delimiter, and read
        the lines after it again, until the reading meets the one before; say why, and how many
        records (blank ones too) now follow it in place of those it had swallowed."""
        first, last = starts[index], ends[index]
        line = self.text[self.offset(first) : self.offset(first + 1)].rstrip("\r\n")
        cells[index] = next(csv.reader([line], delimiter=self.delimiter, quoting=csv.QUOTE_NONE))
        ends[index] = first
        stream = io.StringIO(self.text, newline="")
        stream.seek(self.offset(first + 1))
        reader = csv.reader(stream, delimiter=self.delimiter)
        new_ends: list[int] = []
        new_cells: list[list[str] | None] = []
        stop = len(ends)
        try:
            for record in reader:
                end = first + reader.line_num
                new_ends.append(end)
                new_cells.append(None if is_blank(record) else record)
                again = bisect_left(ends, end, index + 1)
                if again < len(ends) and ends[again] == end:
                    stop = again + 1  # from here on, as read before
                    break
        except csv.Error as exc:
            raise unreadable(self.file, (new_ends[-1] if new_ends else first) + 1, exc) from exc
        ends[index + 1 : stop] = new_ends
        cells[index + 1 : stop] = new_cells
        starts[index + 1 : stop] = [first + 1, *(end + 1 for end in new_ends)][: len(new_ends)]
        return self.unclosed(position, first, last), len(new_ends)

    def unclosed(self, position: int, first: int, last: int) -> str:
        name = self.header[position] if position < len(self.header) else ""
        if last == first:  # a quote still open at the end of the file, on the last line
            if name:
                return gettext(
                    "comillas sin cerrar en el campo «%(field)s»; ciérrelas o quítelas"
                ) % {"field": name}
            return gettext("comillas sin cerrar; ciérrelas o quítelas")
        if name:
            return gettext(
                "comillas sin cerrar en el campo «%(field)s»: el campo seguía hasta la línea "
                "%(last)s; ciérrelas o quítelas (las líneas que tomaba se leyeron como registros "
                "aparte)"
            ) % {"field": name, "last": last}
        return gettext(
            "comillas sin cerrar: el registro seguía hasta la línea %(last)s; ciérrelas o "
            "quítelas (las líneas que tomaba se leyeron como registros aparte)"
        ) % {"last": last}


def fit_width(records: list[list[str]], header: list[str]) -> None:
    """Drop empty cells past the header's width (a separator ending every row, as some systems
    write), and give the cells of the header's trailing unnamed columns to records without them;
    in place. A record with a cell past the header's width that is not empty keeps it, and the
    cells before it (to be rejected for them)."""
    width = len(header)
    if max(map(len, records)) > width:
        # A cell at a time from the end of every wide record, each step a few passes in C (a
        # loop over a million records takes twice as long).
        wide = [record for record in records if len(record) > width]
        while wide:
            cells = list(map(list.pop, wide))
            kept = list(map(str.strip, cells))  # '' for a cell to drop
            if any(kept):
                for record, cell in zip(compress(wide, kept), compress(cells, kept), strict=True):
                    record.append(cell)
                wide = [record for record, cell in zip(wide, kept, strict=True) if not cell]
            wide = [record for record in wide if len(record) > width]
    named = width
    while named and not header[named - 1]:
        named -= 1
    if named < width and min(map(len, records)) < width:
        for record in records:
            if named <= len(record) < width:
                record.extend([""] * (width - len(record)))


def map_values(
    records: list[list[str]], columns: list[str], mapping: Mapping
) -> dict[int, dict[int, str]]:
    """Rename values as the mapping says, in place (not in misshapen records); the values they
    had, by record index and position."""
    originals: dict[int, dict[int, str]] = {}
    width = len(columns)
    for name, table in mapping.values.items():
        if name not in columns:
            continue
        position = width - 1 - columns[::-1].index(name)  # the last, as a dict keeps it
        for index, record in enumerate(records):
            if len(record) == width:
                value = record[position]
                renamed = table.get(value.strip().upper(), value)
                if renamed is not value:
                    record[position] = renamed
                    originals.setdefault(index, {})[position] = value
    return originals


# A reason joined as "field: message" where a whole-row problem has no field (": 6 campos…").
NO_FIELD = re.compile(r"(^|; ): ")


def rejection_reason(problems: Sequence[Problem]) -> str:
    """A row's problems for the rejects file: 'field: message; …' ('message' for a whole-row
    problem)."""
    return "; ".join(f"{p.field}: {p.message}" if p.field else p.message for p in problems)


def write_rejects(
    table: Table,
    rejected: Sequence[tuple[int, dict[str, Any], str | Sequence[Problem]]],
    target: Path,
) -> None:
    """Rejected rows in the file's own layout (header, delimiter), plus the reason, in UTF-8.
    A row is written as read from the file: all its cells, however many (a row with an unquoted
    delimiter too, so that the user can fix it), values as written (not as mapped); ``values``
    is written only for a line that is not a record of ``table``."""
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=table.delimiter)
        writer.writerow([*table.header, REJECT_REASON])
        for line, values, reason in rejected:
            index = table.index(line)
            cells = (
                table.cells(index)
                if index is not None
                else [values.get(c, "") for c in table.columns]
            )
            text = (
                NO_FIELD.sub(r"\1", reason) if isinstance(reason, str) else rejection_reason(reason)
            )
            writer.writerow([*cells, text])
