"""Street names and street segments of the demo town.

Avenues (every AVENUE_GAP lines) keep one name across the town and number their lots from
the town's west edge; every other street is named per colonia, so "Miguel Hidalgo" exists in
several colonias and its lots are numbered from the colonia's west edge: the realistic
ambiguity a linker has to resolve with the colonia and the number.
Lots on the north side of a west-to-east segment (its left) carry even numbers, those on the
south side (its right) odd numbers; each block column starts a new hundred.
"""

from dataclasses import dataclass

import numpy as np

from gis_backend.demo import names
from gis_backend.demo.grid import Grid
from gis_backend.registry.choices import StreetType

# Street types of streets named per colonia, and their shares.
LOCAL_TYPES: tuple[tuple[str, float], ...] = (
    (StreetType.STREET, 0.895),
    (StreetType.EXTENSION, 0.03),
    (StreetType.PRIVATE, 0.025),
    (StreetType.ALLEY, 0.02),
    (StreetType.CLOSE, 0.015),
    (StreetType.WALKWAY, 0.015),
)
AVENUE_TYPES: tuple[tuple[str, float], ...] = (
    (StreetType.AVENUE, 0.7),
    (StreetType.BOULEVARD, 0.2),
    (StreetType.CAUSEWAY, 0.1),
)
AVENUE_CODE = 1_000_000  # street codes at or above this are avenues
VERTICAL_SLOT = 10  # per-colonia name slots: horizontal lines from 0, vertical from 10
_SUFFIXES = ("", " Norte", " Sur", " Oriente", " Poniente")


@dataclass
class Catalogue:
    """Distinct streets (name and type); segments and parcels refer to them by index."""

    name: list[str]
    short: list[str]
    street_type: list[str]
    avenue: np.ndarray


@dataclass
class Segments:
    street: np.ndarray  # catalogue index
    colonia: np.ndarray
    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    left_from: np.ndarray  # -1 where the side has no lots
    left_to: np.ndarray
    right_from: np.ndarray
    right_to: np.ndarray
    horizontal: int  # the first ``horizontal`` segments run west to east

    def __len__(self) -> int:
        return len(self.street)


@dataclass
class Naming:
    catalogue: Catalogue
    h_street: np.ndarray  # (rows + 1, cols) catalogue index of horizontal segment (L, c)
    v_street: np.ndarray  # (cols + 1, rows) catalogue index of vertical segment (V, r)
    h_base: np.ndarray  # (rows + 1, cols) hundred that numbers lots along (L, c)


def _positions_in_band(avenue: np.ndarray) -> np.ndarray:
    """For each line, its position after the last avenue line at or before it (avenue = -1)."""
    last = np.maximum.accumulate(np.where(avenue, np.arange(len(avenue)), 0))
    return np.arange(len(avenue)) - last - 1


def _draw(
    rng: np.random.Generator, table: tuple[tuple[str, float], ...], size: tuple[int, ...]
) -> np.ndarray:
    weights = np.array([share for _, share in table])
    return rng.choice(len(table), size=size, p=weights / weights.sum())


def name_streets(rng: np.random.Generator, grid: Grid, colonia_grid: np.ndarray) -> Naming:
    """``colonia_grid`` is the (rows, cols) colonia id of every block."""
    rows, cols = grid.rows, grid.cols
    n_colonias = int(colonia_grid.max()) + 1
    pool = np.tile(np.arange(len(names.STREETS)), (n_colonias, 1))
    perm = rng.permuted(pool, axis=1)[:, : 2 * VERTICAL_SLOT]
    local_type = _draw(rng, LOCAL_TYPES, (n_colonias, 2 * VERTICAL_SLOT))
    local_code = perm * 16 + local_type

    n_avenues = int(grid.h_avenue.sum() + grid.v_avenue.sum())
    avenue_code = AVENUE_CODE + np.arange(n_avenues)
    h_avenue_code = np.full(rows + 1, -1)
    h_avenue_code[grid.h_avenue] = avenue_code[: grid.h_avenue.sum()]
    v_avenue_code = np.full(cols + 1, -1)
    v_avenue_code[grid.v_avenue] = avenue_code[grid.h_avenue.sum() :]

    h_pos = _positions_in_band(grid.h_avenue)
    h_rows = np.minimum(np.arange(rows + 1), rows - 1)
    h_col = colonia_grid[h_rows, :]  # (rows + 1, cols)
    h_code = np.where(
        grid.h_avenue[:, None],
        h_avenue_code[:, None],
        local_code[h_col, np.maximum(h_pos, 0)[:, None]],
    )
    v_pos = _positions_in_band(grid.v_avenue)
    v_cols = np.minimum(np.arange(cols + 1), cols - 1)
    v_col = colonia_grid[:, v_cols].T  # (cols + 1, rows)
    v_code = np.where(
        grid.v_avenue[:, None],
        v_avenue_code[:, None],
        local_code[v_col, VERTICAL_SLOT + np.maximum(v_pos, 0)[:, None]],
    )
    codes, inverse = np.unique(
        np.concatenate([h_code.ravel(), v_code.ravel()]), return_inverse=True
    )
    catalogue = _catalogue(rng, codes)
    h_street = inverse[: h_code.size].reshape(h_code.shape)
    v_street = inverse[h_code.size :].reshape(v_code.shape)

    col_rel = np.arange(cols) - np.maximum.accumulate(
        np.where(grid.v_avenue[:-1], np.arange(cols), 0)
    )
    h_base = (
        np.where(grid.h_avenue[:, None], np.arange(cols)[None, :] + 1, col_rel[None, :] + 1) * 100
    )
    return Naming(catalogue, h_street, v_street, h_base)


def _catalogue(rng: np.random.Generator, codes: np.ndarray) -> Catalogue:
    avenue = codes >= AVENUE_CODE
    avenue_types = _draw(rng, AVENUE_TYPES, (int(avenue.sum()),))
    name: list[str] = []
    short: list[str] = []
    street_type: list[str] = []
    avenue_index = 0
    for code in codes.tolist():
        if code >= AVENUE_CODE:
            ordinal = code - AVENUE_CODE
            pool = len(names.AVENUES)
            full = names.AVENUES[ordinal % pool] + _SUFFIXES[(ordinal // pool) % len(_SUFFIXES)]
            if ordinal >= pool * len(_SUFFIXES):
                full += f" {ordinal // (pool * len(_SUFFIXES)) + 1}"
            name.append(full)
            short.append(full)
            street_type.append(AVENUE_TYPES[avenue_types[avenue_index]][0])
            avenue_index += 1
        else:
            official, brief = names.STREETS[code // 16]
            name.append(official)
            short.append(brief)
            street_type.append(LOCAL_TYPES[code % 16][0])
    return Catalogue(name, short, [str(t) for t in street_type], avenue)


def build_segments(
    grid: Grid, naming: Naming, colonia_grid: np.ndarray, lots: tuple[np.ndarray, np.ndarray]
) -> Segments:
    """``lots``: lots on the left and on the right of each horizontal segment, (rows+1, cols)."""
    rows, cols = grid.rows, grid.cols
    line, col = np.divmod(np.arange((rows + 1) * cols), cols)
    v_line, v_row = np.divmod(np.arange((cols + 1) * rows), rows)
    base = naming.h_base.ravel()
    left, right = lots[0].ravel(), lots[1].ravel()
    h_colonia = colonia_grid[np.minimum(line, rows - 1), col]
    v_colonia = colonia_grid[v_row, np.minimum(v_line, cols - 1)]
    no_v = np.full(len(v_line), -1)
    return Segments(
        street=np.concatenate([naming.h_street.ravel(), naming.v_street.ravel()]),
        colonia=np.concatenate([h_colonia, v_colonia]),
        x0=np.concatenate([grid.x_lines[col], grid.x_lines[v_line]]),
        y0=np.concatenate([grid.y_lines[line], grid.y_lines[v_row]]),
        x1=np.concatenate([grid.x_lines[col + 1], grid.x_lines[v_line]]),
        y1=np.concatenate([grid.y_lines[line], grid.y_lines[v_row + 1]]),
        left_from=np.concatenate([np.where(left > 0, base + 2, -1), no_v]),
        left_to=np.concatenate([np.where(left > 0, base + 2 * left, -1), no_v]),
        right_from=np.concatenate([np.where(right > 0, base + 1, -1), no_v]),
        right_to=np.concatenate([np.where(right > 0, base + 2 * right - 1, -1), no_v]),
        horizontal=len(line),
    )
