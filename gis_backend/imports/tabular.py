"""Reading CSV exports of billing systems as they come: UTF-8 with or without BOM, CP1252 or
Latin-1, comma or semicolon separated, headers in any case and order, and an optional YAML
mapping file that renames another system's columns and values."""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gis_backend.imports.problems import ImportFileError, Problem

MAX_RECORD_BYTES = 1_000_000
DELIMITERS = (",", ";", "\t", "|")


@dataclass
class Mapping:
    """``columns``: their name → ours. ``values``: per our column, their value → ours."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "Mapping":
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ImportFileError(
                [Problem(path.name, None, "", f"no se pudo leer el mapeo: {exc}")]
            ) from exc
        if not isinstance(data, dict) or not set(data) <= {"columns", "values"}:
            raise ImportFileError(
                [
                    Problem(
                        path.name,
                        None,
                        "",
                        "el mapeo debe tener solo las claves «columns» y «values»",
                    )
                ]
            )
        columns = {
            str(k).strip().lower(): str(v).strip().lower()
            for k, v in (data.get("columns") or {}).items()
        }
        values = {
            str(column).strip().lower(): {
                str(k).strip().upper(): str(v) for k, v in (table or {}).items()
            }
            for column, table in (data.get("values") or {}).items()
        }
        return cls(columns=columns, values=values)


@dataclass
class Table:
    path: Path
    encoding: str
    delimiter: str
    header: list[str]  # as written in the file
    columns: list[str]  # our names, lower case
    rows: list[tuple[int, dict[str, str]]]  # (line number, our column → value)


def detect_encoding(path: Path, raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4096]:
        raise ImportFileError(
            [
                Problem(
                    path.name,
                    None,
                    "",
                    "codificación no soportada (¿UTF-16 o archivo binario?); "
                    "guárdelo como CSV UTF-8",
                )
            ]
        )
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        raw.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def detect_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_table(path: Path, *, required: tuple[str, ...], mapping: Mapping | None = None) -> Table:
    file = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFileError([Problem(file, None, "", f"no se puede leer: {exc}")]) from exc
    if not raw.strip():
        raise ImportFileError([Problem(file, None, "", "el archivo está vacío")])
    encoding = detect_encoding(path, raw)
    text = raw.decode(encoding)
    first_line = text.lstrip("\ufeff").splitlines()[0]
    delimiter = detect_delimiter(first_line)
    csv.field_size_limit(MAX_RECORD_BYTES)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise ImportFileError([Problem(file, 1, "", f"encabezado ilegible: {exc}")]) from exc
    mapping = mapping or Mapping()
    columns = [mapping.columns.get(h.lower(), h.lower()) for h in header]
    repeated = sorted({c for c in columns if columns.count(c) > 1 and c})
    problems = [Problem(file, 1, c, "columna repetida en el encabezado") for c in repeated]
    problems += [
        Problem(file, 1, c, "falta esta columna obligatoria") for c in required if c not in columns
    ]
    if problems:
        raise ImportFileError(problems)
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(columns):
                values = dict(zip(columns, record, strict=False))
                values["__shape__"] = f"{len(record)} campos; el encabezado tiene {len(columns)}"
                rows.append((line, values))
                continue
            values = dict(zip(columns, record, strict=True))
            for column, table in mapping.values.items():
                if column in values:
                    values[column] = table.get(values[column].strip().upper(), values[column])
            rows.append((line, values))
    except csv.Error as exc:
        raise ImportFileError(
            [
                Problem(
                    file,
                    reader.line_num,
                    "",
                    f"registro ilegible ({exc}); ¿un campo enorme o comillas sin cerrar?",
                )
            ]
        ) from exc
    if not rows:
        raise ImportFileError(
            [Problem(file, None, "", "el archivo solo tiene encabezado, sin registros")]
        )
    return Table(path, encoding, delimiter, header, columns, rows)


def write_rejects(
    table: Table, rejected: list[tuple[int, dict[str, Any], str]], target: Path
) -> None:
    """Rejected rows in the file's own layout (header, delimiter), plus the reason, in UTF-8."""
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=table.delimiter)
        writer.writerow([*table.header, "motivo_rechazo"])
        for _line, values, reason in rejected:
            writer.writerow([*(values.get(c, "") for c in table.columns), reason])
