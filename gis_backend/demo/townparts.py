"""Account-level tables of the demo town (holders, accounts, meters, balances, suspensions),
the reading parameters and the ground truth. Used by ``town._TownBuilder.build``."""

from typing import TYPE_CHECKING

import numpy as np

from gis_backend.demo import accounts as ac
from gis_backend.demo import copytext as ct
from gis_backend.demo import parcels as lp
from gis_backend.demo import wkb
from gis_backend.demo.addresses import AddressInput, write_addresses
from gis_backend.demo.copytext import join
from gis_backend.demo.holders import draw_holders
from gis_backend.demo.meters import draw_meters
from gis_backend.demo.names import BUSINESSES, INDUSTRIES
from gis_backend.demo.textnorm import normalize

if TYPE_CHECKING:
    from gis_backend.demo.town import _TownBuilder

CONNECTION_POINT_SHARE = 0.65  # accounts with a GPS point of their connection
POINT_NOISE_M = 2.5  # standard deviation of GPS noise, metres
SWAPPED_POINT_SHARE = 0.005  # of points: taken at the neighbouring lot
OFF_POINT_SHARE = 0.003  # of points: 60-250 m off
BILLING_KEY_SHARE = 0.60
BILLING_KEY_TYPO_SHARE = 0.03  # of written keys
HOPELESS_SHARE = 0.01  # "S/N", no key, no point: no linker can place them
SHARED_HOLDER_SHARE = 0.5  # of planted duplicate accounts: same holder registered twice


class AccountParts:
    def __init__(self, town: "_TownBuilder") -> None:
        self.town = town
        self.rng = town.rng
        self.acc = town.acc
        acc, lots = self.acc, town.layout.lots
        self.n = len(acc)
        self.kind = lots.kind[acc.lot]
        self.block = lots.block[acc.lot]
        planted = np.isin(self.kind, lp.PLANTED) | acc.planted_after_cut
        self.hopeless = (self.rng.random(self.n) < HOPELESS_SHARE) & ~planted
        self.cuts = ac.draw_cuts(self.rng, acc)
        self.activity = self.rng.integers(0, 10_000, size=self.n)
        self._draw_points()
        self._draw_keys()
        self.meters = draw_meters(self.rng, acc, self.cuts)
        self.collections = ac.draw_collections(self.rng, acc)
        self.holder_index, self.owner = self._holder_index()
        cat, col = town.catalogue, town.layout.colonias
        self.addresses = write_addresses(
            self.rng,
            (cat.name, cat.short, cat.street_type),
            (col.name, col.settlement_type, col.postal_code),
            self._addresses(),
        )
        self._back_weak_addresses()

    # --- locations and keys ---------------------------------------------------------------
    def _draw_points(self) -> None:
        rng, n, front = self.rng, self.n, self.town.front
        lot = self.acc.lot
        has = (rng.random(n) < CONNECTION_POINT_SHARE) & ~self.hopeless
        draw = rng.random(n)
        swapped = has & (draw < SWAPPED_POINT_SHARE)
        off = has & (draw >= SWAPPED_POINT_SHARE) & (draw < SWAPPED_POINT_SHARE + OFF_POINT_SHARE)
        neighbour = np.where(lot + 1 < len(front.px), lot + 1, lot - 1)
        source = np.where(swapped, neighbour, lot)
        angle = rng.uniform(0, 2 * np.pi, size=n)
        distance = np.where(off, rng.uniform(60, 250, size=n), 0.0)
        self.px = np.round(
            front.px[source] + rng.normal(0, POINT_NOISE_M, n) + distance * np.cos(angle), 2
        )
        self.py = np.round(
            front.py[source] + rng.normal(0, POINT_NOISE_M, n) + distance * np.sin(angle), 2
        )
        self.has_point = has
        self.point_status = np.select(
            [~has, swapped, off], ["none", "swapped", "off"], default="exact"
        )

    def _draw_keys(self) -> None:
        rng, n = self.rng, self.n
        key = self.town.cadastral_key[self.acc.lot]
        has = (rng.random(n) < BILLING_KEY_SHARE) & ~self.hopeless
        wrong = has & (rng.random(n) < BILLING_KEY_TYPO_SHARE)
        last = np.strings.slice(key, -1, None)
        before = np.strings.slice(key, -2, -1)
        bumped = (last.astype(np.int64) + 1) % 10
        swap = join(np.strings.slice(key, 0, -2), last, before)
        bump = join(np.strings.slice(key, 0, -1), bumped.astype(str))
        typo = np.where(last == before, bump, swap)
        self.billing_key = np.where(has, np.where(wrong, typo, key), "")
        self.key_status = np.select([~has, wrong], ["none", "typo"], default="exact")

    def _back_weak_addresses(self) -> None:
        """An address without number or colonia gets its cadastral key written, unless it has
        a connection point already: only the planted hopeless ones cannot be placed."""
        lacking = self.addresses.weak & ~self.hopeless & (self.billing_key == "") & ~self.has_point
        self.billing_key = np.where(
            lacking, self.town.cadastral_key[self.acc.lot], self.billing_key
        )
        self.key_status = np.where(lacking, "exact", self.key_status)

    # --- tables -------------------------------------------------------------------------
    def tables(self) -> dict[str, ct.Table]:
        return {
            "registry_holder": self.holder_table(),
            "registry_account": self.account_table(),
            "registry_meter": self.meter_table(),
            "registry_collectionsnapshot": self.collection_table(),
            "registry_suspensionevent": self.suspension_table(),
        }

    def _holder_index(self) -> tuple[np.ndarray, np.ndarray]:
        """Holder row of each account (planted duplicates may share one) and the owners."""
        second = (self.kind == lp.Kind.DUPLICATE) & (self.acc.unit == 1)
        shared = second & (self.rng.random(self.n) < SHARED_HOLDER_SHARE)
        owner = ~shared
        index = np.cumsum(owner) - 1
        index = np.where(shared, np.roll(index, 1), index)
        return index, owner

    def holder_table(self) -> ct.Table:
        owner = self.owner
        h = draw_holders(self.rng, self.acc.tariff[owner], self.activity[owner])
        return {
            "id": ct.ints(np.arange(len(h)) + 1),
            "full_name": ct.strings(h.full_name),
            "rfc": ct.strings(h.rfc),
            "curp": ct.strings(h.curp),
            "phone": ct.strings(h.phone),
            "email": ct.strings(h.email),
            "notification_address": ct.strings(np.full(len(h), "")),
            "relation": ct.strings(h.relation),
        }

    def _giros(self) -> np.ndarray:
        tariff = self.acc.tariff
        business = np.array([g for _, g in BUSINESSES], dtype=ct.TEXT)[
            self.activity % len(BUSINESSES)
        ]
        industry = np.array([g for _, g in INDUSTRIES], dtype=ct.TEXT)[
            self.activity % len(INDUSTRIES)
        ]
        return np.select(
            [np.isin(tariff, [ac.COMMERCIAL, ac.MIXED]), tariff == ac.INDUSTRIAL],
            [business, industry],
            default="",
        )

    def _addresses(self) -> AddressInput:
        lots, acc = self.town.layout.lots, self.acc
        with_units = self.kind == lp.Kind.MULTI_UNIT
        return AddressInput(
            street=self.town.lot_street[acc.lot],
            number=self.town.front.number[acc.lot],
            unit=acc.unit,
            units=np.where(with_units, lots.accounts[acc.lot], 1),
            colonia=self.town.layout.colonia_of_block[self.block],
            hopeless=self.hopeless,
        )

    def account_table(self) -> ct.Table:
        acc, town = self.acc, self.town
        a = self.addresses
        return {
            "id": ct.ints(np.arange(self.n) + 1),
            "number": ct.ints(acc.number),
            "tariff": ct.strings(np.array(ac.TARIFFS, dtype=ct.TEXT)[acc.tariff]),
            "giro": ct.strings(self._giros()),
            "status": ct.strings(np.array(ac.STATUSES, dtype=ct.TEXT)[acc.status]),
            "service_water": ct.bools(np.ones(self.n, dtype=bool)),
            "service_sewer": ct.bools(acc.sewer),
            "service_sanitation": ct.bools(acc.sanitation),
            "metered": ct.bools(acc.metered),
            "dwellings": ct.ints(acc.dwellings),
            "opened_on": ct.dates(acc.opened),
            "closed_on": ct.dates(np.maximum(acc.closed, 0), null=acc.closed < 0),
            "billing_street": ct.strings(a.street),
            "billing_ext_number": ct.strings(a.ext_number),
            "billing_int_number": ct.strings(a.int_number),
            "billing_colonia": ct.strings(a.colonia),
            "billing_postal_code": ct.strings(a.postal_code),
            "billing_cadastral_key": ct.strings(self.billing_key),
            "connection_point": ct.geometries(
                wkb.points(self.px, self.py, town.srid), null=~self.has_point
            ),
            "holder_id": ct.ints(self.holder_index + 1),
            "route_id": ct.ints(town.routes.of_block[self.block] + 1),
            "sector_id": ct.ints(town.sectors.of_block[self.block] + 1),
        }

    def meter_table(self) -> ct.Table:
        m, town = self.meters, self.town
        lot = self.acc.lot[m.account]
        with_point = self.has_point[m.account] & (self.point_status[m.account] == "exact")
        x = np.where(with_point, self.px[m.account], town.front.px[lot])
        y = np.where(with_point, self.py[m.account], town.front.py[lot])
        return {
            "id": ct.ints(np.arange(len(m)) + 1),
            "serial": ct.strings(m.serial),
            "brand": ct.strings(m.brand),
            "model": ct.strings(m.model),
            "diameter": ct.strings(m.diameter),
            "state": ct.strings(m.state),
            "installed_on": ct.dates(m.installed),
            "location": ct.geometries(wkb.points(x, y, town.srid)),
            "account_id": ct.ints(m.account + 1),
        }

    def collection_table(self) -> ct.Table:
        c = self.collections
        cut_off = int((ac.CUT_OFF - ac.EPOCH).astype(np.int64))
        never = c.last_payment < 0
        return {
            "id": ct.ints(np.arange(self.n) + 1),
            "as_of": ct.dates(np.full(self.n, cut_off)),
            "balance": ct.decimals(c.balance_cents, 2),
            "months_overdue": ct.ints(c.months),
            "days_overdue": ct.ints(c.days),
            "last_payment_on": ct.dates(np.maximum(c.last_payment, 0), null=never),
            "last_payment_amount": ct.decimals(c.last_amount_cents, 2, null=never),
            "payment_agreement": ct.bools(c.agreement),
            "account_id": ct.ints(np.arange(self.n) + 1),
        }

    def suspension_table(self) -> ct.Table:
        e = self.cuts.events
        n = len(e.account)
        return {
            "id": ct.ints(np.arange(n) + 1),
            "kind": ct.strings(e.kind),
            "occurred_on": ct.dates(e.day),
            "reason": ct.strings(e.reason),
            "notes": ct.strings(np.full(n, "")),
            "account_id": ct.ints(e.account + 1),
        }

    def reading_table(self) -> ct.Table:
        m = self.meters
        return {
            "meter_id": ct.ints(np.arange(len(m)) + 1),
            "account_id": ct.ints(m.account + 1),
            "first_k": ct.ints(m.first),
            "last_k": ct.ints(m.last),
            "base": ct.ints(m.base),
            "noise": ct.ints(m.noise),
            "half_from": ct.ints(m.half_from),
            "stop_from": ct.ints(m.stop_from),
            "estimated_from": ct.ints(m.estimated_from),
            "start": ct.ints(m.start),
        }

    # --- ground truth -------------------------------------------------------------------
    def _segment_keys(self) -> np.ndarray:
        town = self.town
        s, cat, col = town.segments, town.catalogue, town.layout.colonias
        h = np.arange(s.horizontal)
        lows = np.where(s.left_from[h] >= 0, s.left_from[h], s.right_from[h])
        lows = np.where((s.right_from[h] >= 0) & (s.right_from[h] < lows), s.right_from[h], lows)
        highs = np.maximum(s.left_to[h], s.right_to[h])
        names = np.array([normalize(x) for x in cat.name])[s.street[h]]
        colonias = np.array(col.name, dtype=ct.TEXT)[s.colonia[h]]
        return join(names, "|", colonias, "|", lows.astype(str), "-", highs.astype(str))

    def truth_table(self) -> ct.Table:
        acc, town = self.acc, self.town
        segment = town.front.segment[acc.lot]
        return {
            "account_number": ct.ints(acc.number),
            "account_id": ct.ints(np.arange(self.n) + 1),
            "parcel_key": ct.strings(town.cadastral_key[acc.lot]),
            "segment_id": ct.ints(segment + 1),
            "segment_key": ct.strings(self._segment_keys()[segment]),
            "address_quality": ct.strings(self.addresses.quality),
            "billing_key": ct.strings(self.key_status),
            "connection_point": ct.strings(self.point_status),
            "anomaly": ct.strings(self._anomaly_labels()),
        }

    def _anomaly_labels(self) -> np.ndarray:
        labels = np.select(
            [
                self.acc.planted_after_cut,
                self.kind == lp.Kind.BUSINESS_DOMESTIC,
                self.kind == lp.Kind.HIDDEN_DWELLINGS,
                self.kind == lp.Kind.DUPLICATE,
            ],
            [
                "consumption_after_cut",
                "business_on_domestic_tariff",
                "dwellings_on_one_account",
                "duplicate_account",
            ],
            default="",
        )
        return np.asarray(labels, dtype=np.dtypes.StringDType())

    def anomalies(self) -> dict[str, list[dict[str, object]]]:
        acc, town = self.acc, self.town
        lots = town.layout.lots
        keys = town.cadastral_key
        number = acc.number
        cut_day = ac.EPOCH + self.cuts.cut
        after = np.flatnonzero(acc.planted_after_cut)
        business = np.flatnonzero(self.kind == lp.Kind.BUSINESS_DOMESTIC)
        hidden = np.flatnonzero(self.kind == lp.Kind.HIDDEN_DWELLINGS)
        first_dup = np.flatnonzero((self.kind == lp.Kind.DUPLICATE) & (acc.unit == 0))
        giro = np.array([g for _, g in BUSINESSES], dtype=ct.TEXT)[self.activity % len(BUSINESSES)]
        no_account = np.flatnonzero((lots.kind == lp.Kind.NO_ACCOUNT) & (lots.built_cm2 > 0))
        return {
            "built_without_account": [{"parcel": str(keys[i])} for i in no_account.tolist()],
            "consumption_after_cut": [
                {
                    "account": str(number[i]),
                    "parcel": str(keys[acc.lot[i]]),
                    "cut_on": str(cut_day[i]),
                }
                for i in after.tolist()
            ],
            "business_on_domestic_tariff": [
                {
                    "account": str(number[i]),
                    "parcel": str(keys[acc.lot[i]]),
                    "tariff": ac.TARIFFS[acc.tariff[i]],
                    "giro": str(giro[i]),
                }
                for i in business.tolist()
            ],
            "dwellings_on_one_account": [
                {
                    "account": str(number[i]),
                    "parcel": str(keys[acc.lot[i]]),
                    "dwellings": int(lots.dwellings[acc.lot[i]]),
                }
                for i in hidden.tolist()
            ],
            "duplicate_accounts": [
                {"accounts": [str(number[i]), str(number[i + 1])], "parcel": str(keys[acc.lot[i]])}
                for i in first_dup.tolist()
            ],
            "hopeless_addresses": [
                {"account": str(number[i])} for i in np.flatnonzero(self.hopeless).tolist()
            ],
        }
