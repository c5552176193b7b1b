"""Checking a file column by column: each distinct value is parsed once.

Billing exports repeat most values (tariffs, statuses, dates, streets, sectors), so parsing the
distinct values of a column and mapping the rows onto them costs a fraction of parsing every
cell. The parsers are the same ones the row-by-row checks use, so the results are identical."""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from gis_backend.imports.values import ValueProblem

T = TypeVar("T")


SAMPLE = 10_000


def parse_distinct(
    values: Sequence[str], parse: Callable[[str], T]
) -> tuple[list[T | None], set[str]]:
    """``parse`` applied to every value, computed once per distinct value.

    Returns the parsed values (None where ``parse`` refused the value) and the refused values.
    Columns of mostly distinct values (account numbers, names) are parsed value by value: a
    cache as large as the column costs more than it saves."""
    if mostly_distinct(values):
        return parse_each(values, parse)
    parsed: dict[str, T | None] = {}
    refused: set[str] = set()
    for value in set(values):
        try:
            parsed[value] = parse(value)
        except ValueProblem:
            parsed[value] = None
            refused.add(value)
    return list(map(parsed.__getitem__, values)), refused


def mostly_distinct(values: Sequence[str]) -> bool:
    sample = values[:SAMPLE]
    return len(set(sample)) > 0.9 * len(sample)


def parse_each(values: Sequence[str], parse: Callable[[str], T]) -> tuple[list[T | None], set[str]]:
    parsed: list[T | None] = []
    refused: set[str] = set()
    append = parsed.append
    for value in values:
        try:
            append(parse(value))
        except ValueProblem:
            append(None)
            refused.add(value)
    return parsed, refused


def mark_values(flags: np.ndarray, values: Sequence[Any], marked: set[Any]) -> None:
    """Set ``flags`` where the value is one of ``marked``."""
    if marked:
        flags[[index for index, value in enumerate(values) if value in marked]] = True


def mark_where(flags: np.ndarray, values: Sequence[T], test: Callable[[T], bool]) -> None:
    """Set ``flags`` where ``test`` holds, testing each distinct value once."""
    mark_values(flags, values, {value for value in set(values) if test(value)})
