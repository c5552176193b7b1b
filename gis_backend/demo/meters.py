"""Meters of metered accounts and the parameters from which PostgreSQL writes 24 months of
readings (see loader.READINGS_SQL): a base monthly volume, the period supply was restricted
or cut, the period estimated reads began and the first reading."""

from dataclasses import dataclass

import numpy as np

from gis_backend.demo import accounts as ac
from gis_backend.demo.copytext import TEXT
from gis_backend.demo.names import METER_BRANDS
from gis_backend.registry.choices import MeterState

METER_STATES: tuple[tuple[str, float], ...] = (
    (MeterState.WORKING, 0.86),
    (MeterState.DAMAGED, 0.08),
    (MeterState.INACCESSIBLE, 0.06),
)
BRAND_SHARES = (0.35, 0.15, 0.12, 0.12, 0.10, 0.10, 0.06)
# Diameters by tariff (popular, medio, residencial, comercial, industrial, mixto, público).
DIAMETERS: tuple[tuple[tuple[str, float], ...], ...] = (
    (("1/2", 0.97), ("3/4", 0.03)),
    (("1/2", 0.95), ("3/4", 0.05)),
    (("1/2", 0.85), ("3/4", 0.15)),
    (("1/2", 0.6), ("3/4", 0.3), ("1", 0.1)),
    (("1 1/2", 0.3), ("2", 0.4), ("3", 0.2), ("4", 0.1)),
    (("1/2", 0.7), ("3/4", 0.3)),
    (("3/4", 0.3), ("1", 0.3), ("1 1/2", 0.25), ("2", 0.15)),
)
NOISE = 0.3  # reading noise, as a share of the monthly volume
NEVER = 99  # period index meaning "does not happen in the 24 months"


@dataclass
class Meters:
    account: np.ndarray
    serial: np.ndarray
    brand: np.ndarray
    model: np.ndarray
    diameter: np.ndarray
    state: np.ndarray
    installed: np.ndarray
    # Reading parameters (periods are 0..23 from ac.FIRST_PERIOD, volumes in tenths of m³).
    first: np.ndarray
    last: np.ndarray
    base: np.ndarray
    noise: np.ndarray
    half_from: np.ndarray
    stop_from: np.ndarray
    estimated_from: np.ndarray
    start: np.ndarray

    def __len__(self) -> int:
        return len(self.account)


def draw_meters(rng: np.random.Generator, acc: ac.Accounts, cuts: ac.Cuts) -> Meters:
    account = np.flatnonzero(acc.metered)
    n = len(account)
    tariff = acc.tariff[account]
    status = acc.status[account]
    brand_i = rng.choice(len(METER_BRANDS), size=n, p=BRAND_SHARES)
    state_i = rng.choice(len(METER_STATES), size=n, p=[s for _, s in METER_STATES])
    state_i = np.where(acc.planted_after_cut[account], 0, state_i)
    states = np.array([str(s) for s, _ in METER_STATES] + [str(MeterState.REMOVED)])
    state_i = np.where(status == ac.CLOSED, len(METER_STATES), state_i)
    installed = np.maximum(
        acc.opened[account], ac.uniform_days(rng, ac.day("2008-01-01"), ac.day("2026-09-30"), n)
    )
    year = (ac.EPOCH + installed).astype("datetime64[Y]").astype(np.int64) + 1970
    prefix = np.array([b[:3].upper() for b, _ in METER_BRANDS])[brand_i]
    serial = np.strings.add(
        np.strings.add(prefix, (year % 100).astype(str)),
        np.strings.zfill((np.arange(n) + 1).astype(str), 7),
    )
    params = _reading_parameters(rng, acc, cuts, account, installed, state_i)
    return Meters(
        account=account,
        serial=serial,
        brand=np.array([b for b, _ in METER_BRANDS], dtype=TEXT)[brand_i],
        model=np.array([m for _, m in METER_BRANDS], dtype=TEXT)[brand_i],
        diameter=_diameters(rng, tariff),
        state=states[state_i],
        installed=installed,
        **params,
    )


def _diameters(rng: np.random.Generator, tariff: np.ndarray) -> np.ndarray:
    out = np.full(len(tariff), "1/2", dtype=object)
    for t, table in enumerate(DIAMETERS):
        idx = np.flatnonzero(tariff == t)
        pick = rng.choice(len(table), size=len(idx), p=[s for _, s in table])
        out[idx] = np.array([d for d, _ in table], dtype=object)[pick]
    return out.astype(str)


def _reading_parameters(
    rng: np.random.Generator,
    acc: ac.Accounts,
    cuts: ac.Cuts,
    account: np.ndarray,
    installed: np.ndarray,
    state_i: np.ndarray,
) -> dict[str, np.ndarray]:
    n = len(account)
    tariff = acc.tariff[account]
    status = acc.status[account]
    low = np.array([v[0] for v in ac.MONTHLY_M3])[tariff]
    high = np.array([v[1] for v in ac.MONTHLY_M3])[tariff]
    volume = (low + (high - low) * rng.random(n)) * np.sqrt(acc.dwellings[account])
    base = np.maximum(np.round(volume * 10), 20).astype(np.int64)
    first = np.maximum(0, ac.period_index(np.maximum(acc.opened[account], installed)))
    last = np.where(
        status == ac.CLOSED, ac.period_index(np.maximum(acc.closed[account], 0)), ac.PERIODS - 1
    )
    restricted = cuts.restricted[account]
    half_from = np.where(restricted >= 0, ac.period_index(np.maximum(restricted, 0)) + 1, NEVER)
    stops = np.isin(status, [ac.SUSPENDED, ac.TEMP_CLOSED]) & ~acc.planted_after_cut[account]
    stop_from = np.where(stops, ac.period_index(np.maximum(cuts.cut[account], 0)) + 1, NEVER)
    half_from = np.clip(half_from, 0, NEVER)
    stop_from = np.clip(stop_from, 0, NEVER)
    half_from = np.minimum(half_from, stop_from)
    flowing = np.where(half_from < NEVER, base // 2, base)
    noise = np.maximum(1, np.round(NOISE * flowing)).astype(np.int64)
    badly_read = (
        (state_i > 0) & (state_i < len(METER_STATES)) & (half_from == NEVER) & (stop_from == NEVER)
    )
    estimated_from = np.where(badly_read, ac.PERIODS - rng.integers(1, 7, size=n), NEVER)
    return {
        "first": first,
        "last": last,
        "base": base,
        "noise": noise,
        "half_from": half_from,
        "stop_from": stop_from,
        "estimated_from": estimated_from,
        "start": rng.integers(0, 50_000, size=n),
    }
