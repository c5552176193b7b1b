"""Columns rendered as PostgreSQL COPY text (tab separated, ``\\N`` for NULL), vectorised.

A table is an ordered mapping of column name to a numpy StringDType array of already
formatted cells (compact: no Python object per cell), so the same bytes feed COPY, the
fingerprint of a town and the tests.
"""

import hashlib
from collections.abc import Iterator, Sequence

import numpy as np

NULL = "\\N"
TEXT = np.dtypes.StringDType()

Column = np.ndarray  # of StringDType: one formatted cell per row
Table = dict[str, Column]

EPOCH = np.datetime64("1970-01-01", "D")


def ints(values: np.ndarray, null: np.ndarray | None = None) -> Column:
    text = np.asarray(values, dtype=np.int64).astype(TEXT)
    return _with_nulls(text, null)


def decimals(scaled: np.ndarray, places: int, null: np.ndarray | None = None) -> Column:
    """Fixed-point numbers given as integers scaled by 10**places (cents for places=2)."""
    scaled = np.asarray(scaled, dtype=np.int64)
    if np.any(scaled < 0):
        raise ValueError("negative decimals are not needed by the demo town")
    factor = 10**places
    whole = (scaled // factor).astype(TEXT)
    frac = np.strings.zfill((scaled % factor).astype(TEXT), places)
    return _with_nulls(join(whole, ".", frac), null)


def dates(days: np.ndarray, null: np.ndarray | None = None) -> Column:
    """Dates given as days since 1970-01-01."""
    text = (EPOCH + np.asarray(days, dtype=np.int64)).astype(TEXT)
    return _with_nulls(text, null)


def bools(values: np.ndarray) -> Column:
    return np.where(np.asarray(values, dtype=bool), "t", "f").astype(TEXT)


def strings(values: Sequence[str] | np.ndarray, null: np.ndarray | None = None) -> Column:
    return _with_nulls(np.asarray(values, dtype=TEXT), null)


def geometries(hex_ewkb: np.ndarray, null: np.ndarray | None = None) -> Column:
    return _with_nulls(np.asarray(hex_ewkb, dtype=TEXT), null)


def _with_nulls(text: np.ndarray, null: np.ndarray | None) -> Column:
    if null is None:
        return text
    return np.where(np.asarray(null, dtype=bool), NULL, text).astype(TEXT)


def join(*parts: np.ndarray | str) -> np.ndarray:
    """Element-wise concatenation of string arrays (and constant strings)."""
    out = np.asarray(parts[0], dtype=TEXT)
    for part in parts[1:]:
        out = np.strings.add(out, part)
    return out


def pad(values: np.ndarray, width: int) -> np.ndarray:
    """Integers as zero-padded text."""
    return np.strings.zfill(np.asarray(values, dtype=np.int64).astype(TEXT), width)


def rows(table: Table) -> int:
    lengths = {len(column) for column in table.values()}
    if len(lengths) != 1:
        raise ValueError("columns of different lengths")
    return lengths.pop()


def chunks(table: Table, rows_per_chunk: int = 50_000) -> Iterator[str]:
    """COPY text in pieces, each ending with a newline."""
    columns = list(table.values())
    total = rows(table)
    for start in range(0, total, rows_per_chunk):
        stop = min(start + rows_per_chunk, total)
        lines = _tab_join([column[start:stop] for column in columns])
        piece = "\n".join(lines.tolist()) + "\n"
        if (
            piece.count("\t") != (stop - start) * (len(columns) - 1)
            or piece.count("\n") != stop - start
        ):
            raise ValueError("a generated text cell contains a tab or a newline")
        yield piece


def _tab_join(parts: list[np.ndarray]) -> np.ndarray:
    """Cells joined with tabs, pairwise so that long rows are not copied again and again."""
    while len(parts) > 1:
        paired = [
            np.strings.add(np.strings.add(a, "\t"), b)
            for a, b in zip(parts[::2], parts[1::2], strict=False)
        ]
        parts = paired + ([parts[-1]] if len(parts) % 2 else [])
    return parts[0]


def digest(tables: dict[str, Table]) -> str:
    """SHA-256 of every table's COPY text, in order: equal towns have equal digests."""
    sha = hashlib.sha256()
    for name, table in tables.items():
        sha.update(f"{name}:{','.join(table)}\n".encode())
        for piece in chunks(table):
            sha.update(piece.encode())
    return sha.hexdigest()
