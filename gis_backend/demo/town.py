"""The deterministic demo town: a Cortazar-like grid of colonias, blocks, lots and streets, its
accounts with their facts, planted anomalies and the ground truth to score detection against.

``generate_town(seed, accounts)`` is pure Python + numpy, seeded with
``numpy.random.default_rng(seed)``: the same (seed, accounts) gives byte-identical tables and
truth. Tables come out as COPY text columns (``copytext.Table``), ids assigned from 1.
Readings are not generated here but by PostgreSQL from the meter parameters (loader.py).
"""

import math
from dataclasses import dataclass, field

import numpy as np

from gis_backend.demo import accounts as ac
from gis_backend.demo import copytext as ct
from gis_backend.demo import parcels as lp
from gis_backend.demo import wkb
from gis_backend.demo.colonias import Colonias, draw_wealth, name_colonias
from gis_backend.demo.copytext import join as _join
from gis_backend.demo.copytext import pad as _pad
from gis_backend.demo.grid import (
    AGEB_SPAN,
    ROUTE_SPAN,
    SECTOR_SPAN,
    Blocks,
    Grid,
    Groups,
    blocks_of,
    group_rectangles,
    plan_grid,
    rank_within,
    span_key,
)
from gis_backend.demo.names import READERS
from gis_backend.demo.streets import Catalogue, Naming, Segments, build_segments, name_streets
from gis_backend.demo.textnorm import normalize
from gis_backend.demo.townparts import AccountParts

GENERATOR_VERSION = 1
DEFAULT_SEED = 2026
DEFAULT_ACCOUNTS = 30_000
BIMONTHLY_ROUTE_SHARE = 0.10
_AGEB_CHECK = "0123456789A"


@dataclass
class Town:
    seed: int
    accounts: int
    tables: dict[str, ct.Table]  # registry table name -> COPY columns, in load order
    readings: ct.Table  # meter reading parameters for loader.readings_sql
    truth_accounts: ct.Table
    anomalies: dict[str, list[dict[str, object]]]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of every table as COPY text: the same as the loader computes while loading."""
        return ct.digest({**self.tables, "demo_meter_params": self.readings})


@dataclass
class _Layout:
    grid: Grid
    blocks: Blocks
    lots: lp.Lots
    colonias: Colonias
    colonia_of_block: np.ndarray
    colonia_groups: Groups


def grid_size(accounts: int) -> tuple[int, int]:
    """Block rows to plan (more than needed) and block columns for a roughly square town."""
    blocks = accounts / 15.0
    cols = max(8, round(math.sqrt(blocks / 1.6)))
    return math.ceil(1.5 * blocks / cols) + 10, cols


def generate_town(
    seed: int = DEFAULT_SEED,
    accounts: int = DEFAULT_ACCOUNTS,
    municipality: str = "11011",
    srid: int = 32614,
) -> Town:
    if accounts < 100:
        raise ValueError("the demo town needs at least 100 accounts")
    rng = np.random.default_rng(seed)
    layout = _lay_out(rng, accounts)
    naming = name_streets(
        rng, layout.grid, layout.colonia_of_block.reshape(layout.grid.rows, layout.grid.cols)
    )
    lots = layout.lots
    front = _front_lines(layout.grid, layout.blocks, lots)
    segments = build_segments(
        layout.grid,
        naming,
        layout.colonia_of_block.reshape(layout.grid.rows, layout.grid.cols),
        _lots_per_side(layout.grid, layout.blocks, lots),
    )
    acc = ac.draw_accounts(rng, lots, layout.colonias.score[layout.colonia_of_block[lots.block]])
    builder = _TownBuilder(rng, layout, naming, segments, front, acc, municipality, srid)
    return builder.build(seed, accounts)


def _lay_out(rng: np.random.Generator, accounts: int) -> _Layout:
    rows, cols = grid_size(accounts)
    planned = plan_grid(rng, rows, cols)
    planned_blocks = blocks_of(planned)
    kind, score, wealth = draw_wealth(rng, planned.bands[0] * planned.bands[1])
    lots = lp.layout(rng, planned_blocks, wealth[planned_blocks.band])
    needed = lp.rows_needed(lots, accounts)
    grid = planned.cut(needed).centred()
    blocks = blocks_of(grid)
    lots = lots.take(lots.block_row < needed)
    lp.trim(lots, accounts)
    groups = group_rectangles(grid, blocks, blocks.band)
    used = np.unique(blocks.band)
    centre_block = (grid.rows // 2) * grid.cols + grid.cols // 2
    colonias = name_colonias(
        rng, kind[used], score[used], wealth[used], int(groups.of_block[centre_block])
    )
    return _Layout(grid, blocks, lots, colonias, groups.of_block, groups)


@dataclass
class _Front:
    line: np.ndarray  # horizontal street line each lot fronts
    segment: np.ndarray  # index of that segment
    number: np.ndarray  # official number
    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    px: np.ndarray  # a point just inside the lot's front
    py: np.ndarray


def _front_lines(grid: Grid, blocks: Blocks, lots: lp.Lots) -> _Front:
    b = lots.block
    width = (blocks.x1[b] - blocks.x0[b]) / lots.per_row
    x0 = np.round(blocks.x0[b] + lots.position * width, 2)
    x1 = np.round(blocks.x0[b] + (lots.position + 1) * width, 2)
    mid = np.round((blocks.y0[b] + blocks.y1[b]) / 2, 2)
    whole = lots.whole
    y0 = np.where((lots.side == 0) | whole, blocks.y0[b], mid)
    y1 = np.where((lots.side == 0) & ~whole, mid, blocks.y1[b])
    line = blocks.row[b] + lots.side
    col = blocks.col[b]
    return _Front(
        line=line,
        segment=line * grid.cols + col,
        number=np.zeros(len(lots), dtype=np.int64),
        x0=x0,
        y0=y0,
        x1=x1,
        y1=y1,
        px=np.round((x0 + x1) / 2, 2),
        py=np.where(lots.side == 0, y0 + 1.5, y1 - 1.5),
    )


def _lots_per_side(grid: Grid, blocks: Blocks, lots: lp.Lots) -> tuple[np.ndarray, np.ndarray]:
    shape = ((grid.rows + 1) * grid.cols,)
    left = np.zeros(shape, dtype=np.int64)
    right = np.zeros(shape, dtype=np.int64)
    row, col = blocks.row[lots.block], blocks.col[lots.block]
    south = lots.side == 0
    np.maximum.at(left, row[south] * grid.cols + col[south], lots.position[south] + 1)
    north = ~south
    np.maximum.at(right, (row[north] + 1) * grid.cols + col[north], lots.position[north] + 1)
    return left.reshape(grid.rows + 1, grid.cols), right.reshape(grid.rows + 1, grid.cols)


class _TownBuilder:
    """Turns the drawn town into COPY tables and ground truth, one table per method."""

    def __init__(
        self,
        rng: np.random.Generator,
        layout: _Layout,
        naming: Naming,
        segments: Segments,
        front: _Front,
        acc: ac.Accounts,
        municipality: str,
        srid: int,
    ) -> None:
        self.rng = rng
        self.layout = layout
        self.catalogue: Catalogue = naming.catalogue
        self.segments = segments
        self.front = front
        self.acc = acc
        self.srid = srid
        self.key_prefix = f"{municipality[:2]}-{municipality[2:]}"
        lots, blocks = layout.lots, layout.blocks
        line, col = front.line, blocks.col[lots.block]
        base = naming.h_base[line, col]
        front.number[:] = base + 2 * lots.position + np.where(lots.side == 0, 2, 1)
        self.lot_street = naming.h_street[line, col]
        self.sectors = group_rectangles(
            layout.grid, blocks, span_key(blocks, SECTOR_SPAN, layout.grid.cols)
        )
        route_key = self.sectors.of_block * 1000 + span_key(blocks, ROUTE_SPAN, layout.grid.cols)
        self.routes = group_rectangles(layout.grid, blocks, route_key)
        self.agebs = group_rectangles(
            layout.grid, blocks, span_key(blocks, AGEB_SPAN, layout.grid.cols)
        )
        self.cadastral_key = self._cadastral_keys()

    # --- lots ---------------------------------------------------------------------------
    def _cadastral_keys(self) -> np.ndarray:
        lots = self.layout.lots
        zone = self.sectors.of_block + 1
        block_in_zone = rank_within(self.sectors.of_block)
        self.block_key = _join(_pad(zone, 3), "-", _pad(block_in_zone, 3))
        lot_number = lots.side * lots.per_row + lots.position + 1
        return _join(f"{self.key_prefix}-", self.block_key[lots.block], "-", _pad(lot_number, 3))

    def colonia_table(self) -> ct.Table:
        col, groups = self.layout.colonias, self.layout.colonia_groups
        n = len(col)
        return {
            "id": ct.ints(np.arange(n) + 1),
            "name": ct.strings(col.name),
            "name_normalized": ct.strings([normalize(name) for name in col.name]),
            "settlement_type": ct.strings(col.settlement_type),
            "postal_code": ct.strings(col.postal_code),
            "geom": ct.geometries(_rect(groups, self.srid)),
        }

    def sector_table(self) -> ct.Table:
        n = len(self.sectors)
        return {
            "id": ct.ints(np.arange(n) + 1),
            "code": ct.strings(_join("S", _pad(np.arange(n) + 1, 3))),
            "name": ct.strings(_join("Sector ", (np.arange(n) + 1).astype(str))),
            "geom": ct.geometries(_rect(self.sectors, self.srid)),
        }

    def route_table(self) -> ct.Table:
        n = len(self.routes)
        sector = np.zeros(n, dtype=np.int64)
        sector[self.routes.of_block] = self.sectors.of_block
        number = rank_within(sector)
        periodicity = np.where(self.rng.random(n) < BIMONTHLY_ROUTE_SHARE, "bimestral", "mensual")
        return {
            "id": ct.ints(np.arange(n) + 1),
            "code": ct.strings(_join("R", _pad(number, 2))),
            "periodicity": ct.strings(periodicity),
            "reader": ct.strings(np.array(READERS, dtype=ct.TEXT)[np.arange(n) % len(READERS)]),
            "geom": ct.geometries(_rect(self.routes, self.srid)),
            "sector_id": ct.ints(sector + 1),
        }

    def parcel_table(self) -> ct.Table:
        lots, f = self.layout.lots, self.front
        ageb = self.agebs.of_block[lots.block]
        ageb_code = _join(
            _pad(ageb // len(_AGEB_CHECK), 3), np.array(list(_AGEB_CHECK))[ageb % len(_AGEB_CHECK)]
        )
        inegi_block = rank_within(self.agebs.of_block)[lots.block]
        return {
            "id": ct.ints(np.arange(len(lots)) + 1),
            "cadastral_key": ct.strings(self.cadastral_key),
            "geom": ct.geometries(wkb.rectangles(f.x0, f.y0, f.x1, f.y1, self.srid)),
            "built_area": ct.decimals(lots.built_cm2, 2),
            "land_use": ct.strings(np.array(lp.USES, dtype=ct.TEXT)[lots.use]),
            "street": ct.strings(np.array(self.catalogue.name, dtype=ct.TEXT)[self.lot_street]),
            "number": ct.ints(f.number),
            "dwellings": ct.ints(lots.dwellings),
            "block_key": ct.strings(self.block_key[lots.block]),
            "inegi_ageb": ct.strings(ageb_code),
            "inegi_block": ct.strings(_pad(inegi_block, 3)),
            "colonia_id": ct.ints(self.layout.colonia_of_block[lots.block] + 1),
        }

    def segment_table(self) -> ct.Table:
        s, cat = self.segments, self.catalogue
        name = np.array(cat.name, dtype=ct.TEXT)[s.street]
        normalized = np.array([normalize(x) for x in cat.name])[s.street]
        ranges = {}
        for column in ("left_from", "left_to", "right_from", "right_to"):
            values = getattr(s, column)
            ranges[column] = ct.ints(np.maximum(values, 0), null=values < 0)
        return {
            "id": ct.ints(np.arange(len(s)) + 1),
            "name": ct.strings(name),
            "name_normalized": ct.strings(normalized),
            "street_type": ct.strings(np.array(cat.street_type, dtype=ct.TEXT)[s.street]),
            "geom": ct.geometries(wkb.segments(s.x0, s.y0, s.x1, s.y1, self.srid)),
            **ranges,
            "colonia_id": ct.ints(s.colonia + 1),
        }

    def build(self, seed: int, accounts: int) -> Town:
        parts = AccountParts(self)
        tables = {
            "registry_colonia": self.colonia_table(),
            "registry_sector": self.sector_table(),
            "registry_readingroute": self.route_table(),
            "registry_parcel": self.parcel_table(),
            "registry_streetsegment": self.segment_table(),
            **parts.tables(),
        }
        counts = {name: ct.rows(table) for name, table in tables.items()}
        return Town(
            seed=seed,
            accounts=accounts,
            tables=tables,
            readings=parts.reading_table(),
            truth_accounts=parts.truth_table(),
            anomalies=parts.anomalies(),
            counts=counts,
        )


def _rect(groups: Groups, srid: int) -> np.ndarray:
    return wkb.rectangles(groups.x0, groups.y0, groups.x1, groups.y1, srid)
