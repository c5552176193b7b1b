"""Lots (predios) of the demo town: how blocks split into lots, land use, dwellings and how many
accounts each lot carries, including the planted anomalies that live at lot level.

Ordinary blocks split into two rows of lots, the south row fronting the street south of the
block, the north row the street north of it. Some blocks are one lot (schools, markets,
factories). The shares below are of lots; with the multi-unit lots they give the account
tariff shares documented in ``accounts.py``.
"""

from dataclasses import dataclass, fields
from enum import IntEnum

import numpy as np

from gis_backend.demo.colonias import FRONTAGE
from gis_backend.demo.grid import Blocks
from gis_backend.registry.choices import LandUse

VACANT_SHARE = 0.06  # lots without construction (baldío) in ordinary blocks
# Land use of built lots in ordinary blocks.
BUILT_USES: tuple[tuple[str, float], ...] = (
    (LandUse.RESIDENTIAL, 0.8195),
    (LandUse.COMMERCIAL, 0.1217),  # 0.1168 plus the 4 % planted on domestic tariffs
    (LandUse.MIXED, 0.0319),
    (LandUse.INDUSTRIAL, 0.0106),
    (LandUse.PUBLIC, 0.0212),
)
# Blocks that are a single lot, by land use, as shares of all blocks.
WHOLE_BLOCKS: tuple[tuple[str, float], ...] = (
    (LandUse.PUBLIC, 0.025),
    (LandUse.INDUSTRIAL, 0.01),
    (LandUse.COMMERCIAL, 0.01),
)
USES: tuple[str, ...] = (*[use for use, _ in BUILT_USES], LandUse.VACANT)
USE_INDEX = {use: i for i, use in enumerate(USES)}
RESIDENTIAL, COMMERCIAL, MIXED, INDUSTRIAL, PUBLIC, VACANT = range(6)


class Kind(IntEnum):
    """What a lot holds, as far as accounts go."""

    PLAIN = 0  # one account (or none when vacant)
    MULTI_UNIT = 1  # several dwellings, one account each (interior numbers)
    SHARED = 2  # several dwellings on one account that declares them all
    HIDDEN_DWELLINGS = 3  # planted: several dwellings, the account declares one
    NO_ACCOUNT = 4  # planted: built lot without any account
    DUPLICATE = 5  # planted: two accounts at one address
    BUSINESS_DOMESTIC = 6  # planted: a business billed on a domestic tariff


# Shares of residential lots of each kind (the rest are PLAIN).
RESIDENTIAL_KINDS: tuple[tuple[Kind, float], ...] = (
    (Kind.MULTI_UNIT, 0.03),
    (Kind.SHARED, 0.01),
    (Kind.HIDDEN_DWELLINGS, 0.008),
    (Kind.NO_ACCOUNT, 0.01),
    (Kind.DUPLICATE, 0.005),
)
BUSINESS_DOMESTIC_SHARE = 0.04  # of commercial lots
PLANTED = (Kind.HIDDEN_DWELLINGS, Kind.NO_ACCOUNT, Kind.DUPLICATE, Kind.BUSINESS_DOMESTIC)
# Built area (m²) ranges by land use; residential by wealth class.
RESIDENTIAL_AREA = ((50.0, 110.0), (90.0, 180.0), (180.0, 350.0))
OTHER_AREA = {
    COMMERCIAL: (30.0, 200.0),
    MIXED: (80.0, 220.0),
    INDUSTRIAL: (400.0, 3000.0),
    PUBLIC: (150.0, 3000.0),
}


@dataclass
class Lots:
    block: np.ndarray  # block id (row-major)
    block_row: np.ndarray
    side: np.ndarray  # 0 south row (fronts the street south of the block), 1 north row
    position: np.ndarray  # 0-based from the west within its row
    per_row: np.ndarray  # lots in its row
    whole: np.ndarray  # the lot is a whole block
    use: np.ndarray  # index into USES
    kind: np.ndarray
    dwellings: np.ndarray
    accounts: np.ndarray  # how many accounts the lot carries
    built_cm2: np.ndarray  # built area in hundredths of m²
    wealth: np.ndarray

    def __len__(self) -> int:
        return len(self.block)

    def take(self, index: np.ndarray) -> "Lots":
        return Lots(**{f.name: getattr(self, f.name)[index] for f in fields(self)})


def _choice(
    rng: np.random.Generator, table: tuple[tuple[object, float], ...], size: int
) -> np.ndarray:
    shares = np.array([share for _, share in table])
    return rng.choice(len(table), size=size, p=shares / shares.sum())


def layout(rng: np.random.Generator, blocks: Blocks, wealth: np.ndarray) -> Lots:
    """Lots of every block; ``wealth`` is the wealth class of each block's colonia."""
    n_blocks = len(blocks)
    low = np.array([f[0] for f in FRONTAGE])[wealth]
    high = np.array([f[1] for f in FRONTAGE])[wealth]
    frontage = rng.uniform(low, high)
    per_row = np.maximum(4, np.round((blocks.x1 - blocks.x0) / frontage)).astype(np.int64)
    whole_draw = rng.random(n_blocks)
    whole_cum = np.cumsum([share for _, share in WHOLE_BLOCKS])
    whole_kind = np.searchsorted(whole_cum, whole_draw, side="right")
    whole = whole_kind < len(WHOLE_BLOCKS)
    n_lots = np.where(whole, 1, 2 * per_row)
    block = np.repeat(np.arange(n_blocks), n_lots)
    starts = np.repeat(np.cumsum(n_lots) - n_lots, n_lots)
    index = np.arange(len(block)) - starts
    lot_per_row = np.where(whole[block], 1, per_row[block])
    n = len(block)
    use = _draw_uses(rng, n)
    whole_use = np.array([USE_INDEX[u] for u, _ in WHOLE_BLOCKS] + [0])[whole_kind]
    use = np.where(whole[block], whole_use[block], use)
    lots = Lots(
        block=block,
        block_row=blocks.row[block],
        side=index // lot_per_row,
        position=index % lot_per_row,
        per_row=lot_per_row,
        whole=whole[block],
        use=use,
        kind=np.zeros(n, dtype=np.int64),
        dwellings=np.zeros(n, dtype=np.int64),
        accounts=np.zeros(n, dtype=np.int64),
        built_cm2=np.zeros(n, dtype=np.int64),
        wealth=wealth[block],
    )
    _draw_kinds(rng, lots)
    _draw_built_area(rng, lots)
    return lots


def _draw_uses(rng: np.random.Generator, n: int) -> np.ndarray:
    use = _choice(rng, BUILT_USES, n)
    return np.where(rng.random(n) < VACANT_SHARE, VACANT, use)


def _draw_kinds(rng: np.random.Generator, lots: Lots) -> None:
    n = len(lots)
    residential = (lots.use == RESIDENTIAL) & ~lots.whole
    draw = rng.random(n)
    cum = np.cumsum([share for _, share in RESIDENTIAL_KINDS])
    pick = np.searchsorted(cum, draw, side="right")
    kinds = np.array([k for k, _ in RESIDENTIAL_KINDS] + [Kind.PLAIN])
    kind = np.where(residential, kinds[pick], Kind.PLAIN)
    business = (lots.use == COMMERCIAL) & ~lots.whole & (rng.random(n) < BUSINESS_DOMESTIC_SHARE)
    kind = np.where(business, Kind.BUSINESS_DOMESTIC, kind)
    units = rng.integers(2, 7, size=n)  # dwellings of multi-unit lots
    few = rng.integers(2, 5, size=n)  # dwellings behind one account
    dwellings = np.select(
        [
            kind == Kind.MULTI_UNIT,
            np.isin(kind, [Kind.SHARED, Kind.HIDDEN_DWELLINGS]),
            residential,
            lots.use == MIXED,
        ],
        [units, few, 1, 1],
        default=0,
    )
    accounts = np.select(
        [
            lots.use == VACANT,
            kind == Kind.NO_ACCOUNT,
            kind == Kind.MULTI_UNIT,
            kind == Kind.DUPLICATE,
        ],
        [0, 0, units, 2],
        default=1,
    )
    lots.kind[:] = kind
    lots.dwellings[:] = dwellings
    lots.accounts[:] = accounts


def _draw_built_area(rng: np.random.Generator, lots: Lots) -> None:
    n = len(lots)
    draw = rng.random(n)
    res_low = np.array([a[0] for a in RESIDENTIAL_AREA])[lots.wealth]
    res_high = np.array([a[1] for a in RESIDENTIAL_AREA])[lots.wealth]
    low = np.where(lots.use == RESIDENTIAL, res_low, 0.0)
    high = np.where(lots.use == RESIDENTIAL, res_high, 0.0)
    for use, (lo, hi) in OTHER_AREA.items():
        low = np.where(lots.use == use, lo, low)
        high = np.where(lots.use == use, hi, high)
    area = (low + (high - low) * draw) * np.maximum(1.0, 0.6 * lots.dwellings + 0.4)
    area = np.where(lots.whole & (lots.use != VACANT), area * 4, area)
    lots.built_cm2[:] = np.round(area * 100).astype(np.int64)


def rows_needed(lots: Lots, accounts: int) -> int:
    """The fewest block rows, from the south, whose lots carry at least ``accounts`` accounts."""
    per_row = np.bincount(lots.block_row, weights=lots.accounts)
    reached = np.flatnonzero(np.cumsum(per_row) >= accounts)
    if len(reached) == 0:
        raise ValueError("the planned grid is too small for the requested accounts")
    return int(reached[0]) + 1


def trim(lots: Lots, accounts: int) -> None:
    """Make the town carry exactly ``accounts`` accounts: lots past the last needed one become
    vacant, and the last needed lot keeps only the accounts still missing."""
    cumulative = np.cumsum(lots.accounts)
    last = int(np.searchsorted(cumulative, accounts))
    missing = accounts - (int(cumulative[last - 1]) if last > 0 else 0)
    if lots.accounts[last] != missing:
        lots.accounts[last] = missing
        lots.dwellings[last] = missing if lots.use[last] == RESIDENTIAL else lots.dwellings[last]
        lots.kind[last] = Kind.MULTI_UNIT if missing > 1 else Kind.PLAIN
    after = slice(last + 1, None)
    lots.use[after] = VACANT
    lots.kind[after] = Kind.PLAIN
    lots.dwellings[after] = 0
    lots.accounts[after] = 0
    lots.built_cm2[after] = 0
