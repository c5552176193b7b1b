"""Accounts of the demo town and the facts hanging from them: status, dates, tariff, services,
meters, the collection snapshot and suspension events. Everything is drawn for all accounts at
once with numpy; dates are integer days since 1970-01-01.
"""

from dataclasses import dataclass

import numpy as np

from gis_backend.demo import parcels as lp
from gis_backend.registry.choices import AccountStatus, SuspensionKind, SuspensionReason, Tariff

# Target shares of accounts by tariff. Land use sets the non-domestic ones (parcels.BUILT_USES
# is derived from these); domestic levels go by wealth rank, richest first.
TARIFF_SHARES: dict[str, float] = {
    Tariff.DOMESTIC_POPULAR: 0.55,
    Tariff.DOMESTIC_MEDIUM: 0.22,
    Tariff.DOMESTIC_RESIDENTIAL: 0.06,
    Tariff.COMMERCIAL: 0.11,
    Tariff.INDUSTRIAL: 0.01,
    Tariff.MIXED: 0.03,
    Tariff.PUBLIC_SERVICE: 0.02,
}
TARIFFS: tuple[str, ...] = tuple(TARIFF_SHARES)
POPULAR, MEDIUM, RESIDENTIAL, COMMERCIAL, INDUSTRIAL, MIXED, PUBLIC = range(7)
TARIFF_OF_USE = {
    lp.COMMERCIAL: COMMERCIAL,
    lp.MIXED: MIXED,
    lp.INDUSTRIAL: INDUSTRIAL,
    lp.PUBLIC: PUBLIC,
}

STATUS_SHARES: dict[str, float] = {
    AccountStatus.ACTIVE: 0.82,
    AccountStatus.RESTRICTED: 0.05,
    AccountStatus.SUSPENDED: 0.06,
    AccountStatus.TEMPORARILY_CLOSED: 0.04,
    AccountStatus.CLOSED: 0.03,
}
STATUSES: tuple[str, ...] = tuple(STATUS_SHARES)
ACTIVE, RESTRICTED, SUSPENDED, TEMP_CLOSED, CLOSED = range(5)

# Share of metered accounts by tariff (about 75 % overall).
METERED_SHARE = (0.68, 0.80, 0.90, 0.85, 0.98, 0.80, 0.70)
SEWER_SHARE = 0.92
SANITATION_SHARE = 0.60
RECONNECTED_SHARE = 0.06  # active accounts cut once in the last two years and reconnected
CONSUMPTION_AFTER_CUT_SHARE = 0.10  # of suspended metered accounts: planted reconnections
MONTHLY_CHARGE = (120.0, 220.0, 450.0, 600.0, 5000.0, 350.0, 1500.0)  # MXN by tariff
MONTHLY_M3 = (
    (8.0, 18.0),
    (14.0, 26.0),
    (22.0, 45.0),
    (10.0, 60.0),
    (150.0, 900.0),
    (15.0, 35.0),
    (30.0, 200.0),
)

# Aging buckets (days overdue 0-30, 31-90, 91-180, >180): shares by status.
AGING_BUCKETS = ((0, 30), (31, 90), (91, 180), (181, 1500))
AGING_BY_STATUS = (
    (0.72, 0.17, 0.07, 0.04),
    (0.00, 0.10, 0.45, 0.45),
    (0.00, 0.02, 0.18, 0.80),
    (0.60, 0.10, 0.10, 0.20),
    (0.75, 0.05, 0.05, 0.15),
)
PAYMENT_AGREEMENT_SHARE = 0.15  # of accounts more than 90 days overdue

CUT_OFF = np.datetime64("2026-10-31", "D")
FIRST_PERIOD = np.datetime64("2024-11", "M")
PERIODS = 24
EPOCH = np.datetime64("1970-01-01", "D")


def day(text: str) -> int:
    return int((np.datetime64(text, "D") - EPOCH).astype(np.int64))


def period_index(days: np.ndarray) -> np.ndarray:
    """Reading period (0 = first) holding each date."""
    months = (EPOCH + days).astype("datetime64[M]")
    return (months - FIRST_PERIOD).astype(np.int64)


def uniform_days(
    rng: np.random.Generator, low: np.ndarray | int, high: np.ndarray | int, n: int
) -> np.ndarray:
    low_a = np.broadcast_to(np.asarray(low, dtype=np.int64), (n,))
    high_a = np.maximum(np.broadcast_to(np.asarray(high, dtype=np.int64), (n,)), low_a)
    return low_a + np.floor(rng.random(n) * (high_a - low_a + 1)).astype(np.int64)


@dataclass
class Accounts:
    lot: np.ndarray  # index of the account's true lot
    unit: np.ndarray  # 0-based unit within a lot with several accounts
    tariff: np.ndarray
    status: np.ndarray
    metered: np.ndarray
    sewer: np.ndarray
    sanitation: np.ndarray
    dwellings: np.ndarray
    opened: np.ndarray
    closed: np.ndarray  # -1 = open
    number: np.ndarray  # contract number (int)
    planted_after_cut: np.ndarray

    def __len__(self) -> int:
        return len(self.lot)


def draw_accounts(rng: np.random.Generator, lots: lp.Lots, wealth_score: np.ndarray) -> Accounts:
    """``wealth_score`` per lot (its colonia's score)."""
    lot = np.repeat(np.arange(len(lots)), lots.accounts)
    starts = np.repeat(np.cumsum(lots.accounts) - lots.accounts, lots.accounts)
    unit = np.arange(len(lot)) - starts
    n = len(lot)
    tariff = _tariffs(rng, lots, lot, wealth_score[lot])
    status = rng.choice(len(STATUSES), size=n, p=list(STATUS_SHARES.values()))
    kind = lots.kind[lot]
    planted = np.isin(
        kind, [lp.Kind.DUPLICATE, lp.Kind.BUSINESS_DOMESTIC, lp.Kind.HIDDEN_DWELLINGS]
    )
    status = np.where(planted, ACTIVE, status)
    metered = rng.random(n) < np.array(METERED_SHARE)[tariff]
    opened = _opened(rng, n)
    # The second account of a planted duplicate opened later: someone registered again.
    duplicate_second = (kind == lp.Kind.DUPLICATE) & (unit == 1)
    opened = np.where(duplicate_second, np.maximum(opened, np.roll(opened, 1) + 200), opened)
    opened = np.minimum(opened, day("2026-09-30"))
    # Restricted and suspended accounts have been open long enough to fall behind.
    opened = np.where(
        np.isin(status, [RESTRICTED, SUSPENDED]), np.minimum(opened, day("2026-04-30")), opened
    )
    closing = np.isin(status, [TEMP_CLOSED, CLOSED])
    closed = np.where(
        closing,
        uniform_days(rng, np.maximum(opened + 30, day("2023-01-01")), day("2026-10-20"), n),
        -1,
    )
    closed = np.where(closing, np.maximum(closed, opened), closed)
    after_cut = (status == SUSPENDED) & metered & (rng.random(n) < CONSUMPTION_AFTER_CUT_SHARE)
    number = np.empty(n, dtype=np.int64)
    number[np.lexsort((np.arange(n), opened))] = np.arange(n) + 10001
    dwellings = np.where(kind == lp.Kind.SHARED, lots.dwellings[lot], 1)
    return Accounts(
        lot=lot,
        unit=unit,
        tariff=tariff,
        status=status,
        metered=metered,
        sewer=rng.random(n) < SEWER_SHARE,
        sanitation=rng.random(n) < SANITATION_SHARE,
        dwellings=dwellings,
        opened=opened,
        closed=closed,
        number=number,
        planted_after_cut=after_cut,
    )


def _tariffs(
    rng: np.random.Generator, lots: lp.Lots, lot: np.ndarray, score: np.ndarray
) -> np.ndarray:
    use = lots.use[lot]
    tariff = np.full(len(lot), POPULAR)
    for land_use, t in TARIFF_OF_USE.items():
        tariff[use == land_use] = t
    domestic = (use == lp.RESIDENTIAL) | (lots.kind[lot] == lp.Kind.BUSINESS_DOMESTIC)
    rank_score = score + rng.normal(0.0, 0.25, size=len(lot))
    dom_index = np.flatnonzero(domestic)
    order = dom_index[np.argsort(-rank_score[dom_index], kind="stable")]
    dom_total = sum(TARIFF_SHARES[t] for t in TARIFFS[:3])
    n_res = round(len(order) * TARIFF_SHARES[Tariff.DOMESTIC_RESIDENTIAL] / dom_total)
    n_med = round(len(order) * TARIFF_SHARES[Tariff.DOMESTIC_MEDIUM] / dom_total)
    tariff[order] = POPULAR
    tariff[order[:n_res]] = RESIDENTIAL
    tariff[order[n_res : n_res + n_med]] = MEDIUM
    return tariff


def _opened(rng: np.random.Generator, n: int) -> np.ndarray:
    recent = rng.random(n) < 0.08
    old = uniform_days(rng, day("1988-01-01"), day("2024-10-31"), n)
    new = uniform_days(rng, day("2024-11-01"), day("2026-09-30"), n)
    return np.where(recent, new, old)


@dataclass
class Suspensions:
    account: np.ndarray
    kind: np.ndarray
    day: np.ndarray
    reason: np.ndarray


@dataclass
class Cuts:
    """Per account: the date supply was cut (-1 none) and restricted (-1 none), and events."""

    cut: np.ndarray
    restricted: np.ndarray
    events: Suspensions


def draw_cuts(rng: np.random.Generator, acc: Accounts) -> Cuts:
    n = len(acc)
    status = acc.status
    latest = np.where(acc.planted_after_cut, day("2026-07-31"), day("2026-08-31"))
    cut_day = uniform_days(rng, np.maximum(acc.opened + 60, day("2024-11-15")), latest, n)
    restriction_day = uniform_days(
        rng, np.maximum(acc.opened + 30, day("2025-11-01")), day("2026-10-15"), n
    )
    reconnected = (
        (status == ACTIVE) & (rng.random(n) < RECONNECTED_SHARE) & (acc.opened < day("2024-06-01"))
    )
    old_cut = uniform_days(rng, day("2024-12-01"), day("2026-09-30"), n)
    cut = np.select(
        [status == SUSPENDED, np.isin(status, [TEMP_CLOSED, CLOSED])],
        [cut_day, acc.closed],
        default=-1,
    )
    restricted = np.where(status == RESTRICTED, restriction_day, -1)
    before_cut = (status == SUSPENDED) & (rng.random(n) < 0.6)
    reason_draw = rng.random(n)
    cut_reason = np.select(
        [np.isin(status, [TEMP_CLOSED, CLOSED]), reason_draw < 0.85, reason_draw < 0.95],
        [np.where(reason_draw < 0.7, 1, 3), 0, 2],
        default=3,
    )
    reasons = (
        SuspensionReason.ARREARS,
        SuspensionReason.USER_REQUEST,
        SuspensionReason.IRREGULAR,
        SuspensionReason.OTHER,
    )
    gap = rng.integers(15, 61, size=n)
    reconnect_gap = rng.integers(3, 21, size=n)
    parts = [
        (status == RESTRICTED, SuspensionKind.RESTRICTION, restricted, np.zeros(n, dtype=np.int64)),
        (before_cut, SuspensionKind.RESTRICTION, cut - gap, np.zeros(n, dtype=np.int64)),
        (cut >= 0, SuspensionKind.CUT, cut, cut_reason),
        (reconnected, SuspensionKind.CUT, old_cut, np.zeros(n, dtype=np.int64)),
        (reconnected, SuspensionKind.RECONNECTION, old_cut + reconnect_gap, np.full(n, -1)),
    ]
    reason_names = np.array([*(str(r) for r in reasons), str(SuspensionReason.PAYMENT)])
    kind_names = np.array([str(kind) for _, kind, _, _ in parts])
    accounts, kinds, days, reason_index = [], [], [], []
    for part, (mask, _, when, reason) in enumerate(parts):
        idx = np.flatnonzero(mask)
        accounts.append(idx)
        days.append(when[idx])
        kinds.append(np.full(len(idx), part))
        reason_index.append(reason[idx])
    all_accounts = np.concatenate(accounts)
    all_days = np.concatenate(days)
    order = np.lexsort((np.arange(len(all_accounts)), all_days, all_accounts))
    events = Suspensions(
        account=all_accounts[order],
        kind=kind_names[np.concatenate(kinds)[order]],
        day=all_days[order],
        reason=reason_names[np.concatenate(reason_index)[order]],
    )
    return Cuts(cut=cut, restricted=restricted, events=events)


@dataclass
class Collections:
    balance_cents: np.ndarray
    months: np.ndarray
    days: np.ndarray
    last_payment: np.ndarray  # -1 = never
    last_amount_cents: np.ndarray
    agreement: np.ndarray


def draw_collections(rng: np.random.Generator, acc: Accounts) -> Collections:
    n = len(acc)
    probs = np.array(AGING_BY_STATUS)[acc.status]
    bucket = (rng.random(n)[:, None] > np.cumsum(probs, axis=1)).sum(axis=1)
    bucket = np.minimum(bucket, len(AGING_BUCKETS) - 1)
    low = np.array([b[0] for b in AGING_BUCKETS])[bucket]
    high = np.array([b[1] for b in AGING_BUCKETS])[bucket]
    days = uniform_days(rng, low, high, n)
    paid_up = (bucket == 0) & (rng.random(n) < 0.55)
    days = np.where(paid_up, 0, days)
    months = np.ceil(days / 30.4).astype(np.int64)
    charge = np.array(MONTHLY_CHARGE)[acc.tariff] * rng.lognormal(0.0, 0.3, size=n)
    balance = charge * (months + np.where(rng.random(n) < 0.5, 1, 0))
    balance_cents = np.round(balance * 100).astype(np.int64)
    balance_cents = np.where(months > 0, np.maximum(balance_cents, 100), balance_cents)
    cut_off = int((CUT_OFF - EPOCH).astype(np.int64))
    last_payment = cut_off - days - rng.integers(0, 26, size=n)
    never = rng.random(n) < 0.03
    last_payment = np.where(never | (last_payment < acc.opened), -1, last_payment)
    amount = np.round(charge * rng.integers(1, 4, size=n) * 100).astype(np.int64)
    agreement = (days > 90) & (rng.random(n) < PAYMENT_AGREEMENT_SHARE)
    return Collections(balance_cents, months, days, last_payment, amount, agreement)


def aging_bucket(days: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.array([b[1] for b in AGING_BUCKETS]), days, side="left")
