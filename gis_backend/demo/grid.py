"""The street grid of the demo town: block rows and columns, street centrelines, avenues and the
rectangular groups of blocks (colonias, sectors, reading routes, AGEBs).

Coordinates are metres in the storage CRS (UTM 14N); the grid is centred on Cortazar.
Horizontal street line ``L`` runs between block rows ``L - 1`` (south) and ``L`` (north);
vertical line ``V`` between block columns ``V - 1`` (west) and ``V`` (east).
"""

from dataclasses import dataclass

import numpy as np

CENTRE = (295572.0, 2265823.0)  # Cortazar, Guanajuato, in EPSG:32614
STREET_WIDTH = 12.0
BLOCK_WIDTH = (80.0, 100.0)  # east-west, metres
BLOCK_DEPTH = (40.0, 60.0)  # north-south, metres
AVENUE_GAP = (6, 10)  # block rows/columns between two avenues (inclusive bounds)
SECTOR_SPAN = (16, 10)  # block rows, block columns
ROUTE_SPAN = (4, 5)
AGEB_SPAN = (5, 6)


@dataclass
class Grid:
    x_lines: np.ndarray  # x of vertical centrelines, cols + 1
    y_lines: np.ndarray  # y of horizontal centrelines, rows + 1
    h_avenue: np.ndarray  # horizontal line is an avenue, rows + 1
    v_avenue: np.ndarray  # vertical line is an avenue, cols + 1

    @property
    def rows(self) -> int:
        return len(self.y_lines) - 1

    @property
    def cols(self) -> int:
        return len(self.x_lines) - 1

    @property
    def band_of_row(self) -> np.ndarray:
        """Colonia band of each block row: bands lie between consecutive avenues."""
        return np.cumsum(self.h_avenue[:-1]) - 1

    @property
    def band_of_col(self) -> np.ndarray:
        return np.cumsum(self.v_avenue[:-1]) - 1

    @property
    def bands(self) -> tuple[int, int]:
        return int(self.band_of_row[-1]) + 1, int(self.band_of_col[-1]) + 1

    def cut(self, rows: int) -> "Grid":
        """The same grid with only its first ``rows`` block rows (the town's southern part)."""
        return Grid(
            self.x_lines, self.y_lines[: rows + 1], self.h_avenue[: rows + 1], self.v_avenue
        )

    def centred(self) -> "Grid":
        dx = CENTRE[0] - (self.x_lines[0] + self.x_lines[-1]) / 2
        dy = CENTRE[1] - (self.y_lines[0] + self.y_lines[-1]) / 2
        return Grid(
            np.round(self.x_lines + dx, 2),
            np.round(self.y_lines + dy, 2),
            self.h_avenue,
            self.v_avenue,
        )


def _avenue_flags(rng: np.random.Generator, blocks: int, close_end: bool) -> np.ndarray:
    gaps = rng.integers(AVENUE_GAP[0], AVENUE_GAP[1] + 1, size=blocks // AVENUE_GAP[0] + 2)
    positions = np.concatenate([[0], np.cumsum(gaps)])
    flags = np.zeros(blocks + 1, dtype=bool)
    flags[positions[positions <= blocks]] = True
    if close_end:
        flags[-1] = True
    return flags


def plan_grid(rng: np.random.Generator, rows: int, cols: int) -> Grid:
    widths = np.round(rng.uniform(*BLOCK_WIDTH, size=cols) * 2) / 2
    depths = np.round(rng.uniform(*BLOCK_DEPTH, size=rows) * 2) / 2
    x_lines = np.concatenate([[0.0], np.cumsum(widths + STREET_WIDTH)])
    y_lines = np.concatenate([[0.0], np.cumsum(depths + STREET_WIDTH)])
    return Grid(
        x_lines=x_lines,
        y_lines=y_lines,
        h_avenue=_avenue_flags(rng, rows, close_end=False),
        v_avenue=_avenue_flags(rng, cols, close_end=True),
    )


@dataclass
class Blocks:
    """One entry per block, row-major from the south-west corner."""

    row: np.ndarray
    col: np.ndarray
    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    band: np.ndarray  # colonia band id: band_row * band_cols + band_col

    def __len__(self) -> int:
        return len(self.row)


def blocks_of(grid: Grid) -> Blocks:
    row, col = np.divmod(np.arange(grid.rows * grid.cols), grid.cols)
    half = STREET_WIDTH / 2
    band_cols = grid.bands[1]
    return Blocks(
        row=row,
        col=col,
        x0=grid.x_lines[col] + half,
        y0=grid.y_lines[row] + half,
        x1=grid.x_lines[col + 1] - half,
        y1=grid.y_lines[row + 1] - half,
        band=grid.band_of_row[row] * band_cols + grid.band_of_col[col],
    )


@dataclass
class Groups:
    """A partition of the blocks into rectangles: id per block and each rectangle's extent."""

    of_block: np.ndarray  # compact id per block, numbered in row-major order of rectangles
    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray

    def __len__(self) -> int:
        return len(self.x0)


def group_rectangles(grid: Grid, blocks: Blocks, raw: np.ndarray) -> Groups:
    """Compact ids for a raw group key per block, with each rectangle (street centrelines)."""
    keys, of_block = np.unique(raw, return_inverse=True)
    n = len(keys)
    r0 = np.full(n, grid.rows)
    c0 = np.full(n, grid.cols)
    r1 = np.zeros(n, dtype=np.int64)
    c1 = np.zeros(n, dtype=np.int64)
    np.minimum.at(r0, of_block, blocks.row)
    np.minimum.at(c0, of_block, blocks.col)
    np.maximum.at(r1, of_block, blocks.row + 1)
    np.maximum.at(c1, of_block, blocks.col + 1)
    return Groups(
        of_block=of_block,
        x0=grid.x_lines[c0],
        y0=grid.y_lines[r0],
        x1=grid.x_lines[c1],
        y1=grid.y_lines[r1],
    )


def span_key(blocks: Blocks, span: tuple[int, int], cols: int) -> np.ndarray:
    """Raw key of fixed-size rectangles of ``span`` block rows by block columns."""
    per_row = cols // span[1] + 1
    return (blocks.row // span[0]) * per_row + blocks.col // span[1]


def rank_within(groups: np.ndarray) -> np.ndarray:
    """1-based position of each element among those of its group, in array order."""
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    counts = np.diff(np.r_[starts, len(groups)])
    rank_sorted = np.arange(len(groups)) - np.repeat(starts, counts)
    rank = np.empty(len(groups), dtype=np.int64)
    rank[order] = rank_sorted + 1
    return rank
