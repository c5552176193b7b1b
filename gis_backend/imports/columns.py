"""Checking a file column by column: each distinct value is parsed once.

Billing exports and cadastral layers repeat most values (tariffs, statuses, dates, streets,
colonias), so parsing the distinct values of a column and mapping the rows onto them costs a
fraction of parsing every cell. The parsers are the same ones the row-by-row checks use, so the
results are identical."""

import gc
from collections.abc import Callable, Collection, Hashable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import numpy as np
from django.utils.translation import gettext_lazy as _

from gis_backend.imports.values import ValueProblem

T = TypeVar("T")
SAMPLE = 10_000
ROWS_UNIT = _("filas")  # of the progress bars over rows


def field_width(model: Any, name: str) -> int:
    """The most characters a model's text field stores."""
    return int(model._meta.get_field(name).max_length)


def aliased(names: Collection[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """The names among ``names`` that other systems give our fields (``aliases``: ours → theirs),
    as {their name: ours}: for each of ours that ``names`` lacks and exactly one of its aliases
    is among them (two would be a guess)."""
    found = {}
    for ours, others in aliases.items():
        present = [name for name in others if name in names]
        if ours not in names and len(present) == 1:
            found[present[0]] = ours
    return found


def parse_distinct(
    values: Sequence[Any], parse: Callable[[Any], T]
) -> tuple[list[T | None], list[int]]:
    """``parse`` applied to every value, computed once per distinct value.

    Returns the parsed values (None where ``parse`` refused the value) and the positions of the
    refused values. Columns of mostly distinct values (account numbers, names) are parsed value
    by value: a cache as large as the column costs more than it saves. Unhashable values
    (``set`` raises TypeError) are parsed value by value too: catching that costs nothing, where
    looking at every value's type first took 1 s of the 13 s check of a million-row padrón."""
    try:
        if mostly_distinct(values):
            return parse_each(values, parse)
        distinct = set(values)
    except TypeError:
        return parse_each(values, parse)
    parsed: dict[Hashable, T | None] = {}
    refused: set[Hashable] = set()
    for value in distinct:
        try:
            parsed[value] = parse(value)
        except ValueProblem:
            parsed[value] = None
            refused.add(value)
    positions = [i for i, value in enumerate(values) if value in refused] if refused else []
    return list(map(parsed.__getitem__, values)), positions


def mostly_distinct(values: Sequence[Hashable], share: float = 0.9) -> bool:
    """Whether more than ``share`` of the first values are distinct."""
    sample = values[:SAMPLE]
    return len(set(sample)) > share * len(sample)


def parse_each(
    values: Sequence[Any], parse: Callable[[Any], T]
) -> tuple[list[T | None], list[int]]:
    parsed: list[T | None] = []
    refused: list[int] = []
    append = parsed.append
    for index, value in enumerate(values):
        try:
            append(parse(value))
        except ValueProblem:
            append(None)
            refused.append(index)
    return parsed, refused


def mark_values(flags: np.ndarray, values: Sequence[Any], marked: set[Any]) -> None:
    """Set ``flags`` where the value is one of ``marked``."""
    if marked:
        flags[[index for index, value in enumerate(values) if value in marked]] = True


def mark_where(flags: np.ndarray, values: Sequence[Any], test: Callable[[Any], bool]) -> None:
    """Set ``flags`` where ``test`` holds."""
    flags[[index for index, value in enumerate(values) if test(value)]] = True


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of rows are built: its passes over
    every live object cost more than the parsing itself."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
