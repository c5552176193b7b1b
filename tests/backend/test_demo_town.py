"""The demo town generator and loader, on real PostGIS: counts, shares, planted anomalies,
determinism, idempotent loading, valid geometry and unchanged constraints."""

from collections import Counter
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from gis_backend.demo import accounts as ac
from gis_backend.demo.loader import ACTOR, FILLED, clear_registry, table_counts
from gis_backend.demo.models import DemoTown
from gis_backend.demo.service import Outcome, RegistryNotEmpty, demo_town_load
from gis_backend.demo.town import Town, generate_town
from gis_backend.demo.truth import read_anomalies, read_truth_accounts

SEED = 7
ACCOUNTS = 2500

Rows = list[tuple[Any, ...]]


def query(statement: str, params: list[Any] | tuple[Any, ...] | None = None) -> Rows:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def catalogue_definitions() -> Rows:
    """Keys, foreign keys and indexes of the tables the loader drops and recreates."""
    tables = list(FILLED)
    return query(
        """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE conrelid = ANY(%s::regclass[]) OR confrelid = ANY(%s::regclass[])
        UNION ALL
        SELECT indrelid::regclass::text, indexrelid::regclass::text, pg_get_indexdef(indexrelid)
        FROM pg_index WHERE indrelid = ANY(%s::regclass[])
        ORDER BY 1, 2, 3
        """,
        [tables, tables, tables],
    )


class Loaded:
    def __init__(
        self, town: Town, truth_dir: Path, base_dir: Path, before: Rows, after: Rows
    ) -> None:
        self.town = town
        self.truth_dir = truth_dir
        self.base_dir = base_dir
        self.catalogue_before = before
        self.catalogue_after = after
        self.truth = read_truth_accounts(truth_dir)
        self.anomalies: dict[str, list[dict[str, Any]]] = read_anomalies(truth_dir)


@pytest.fixture(scope="module")
def loaded(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Loaded]:
    base = tmp_path_factory.mktemp("truth")
    with django_db_blocker.unblock():
        before = catalogue_definitions()
        result = demo_town_load(seed=SEED, accounts=ACCOUNTS, truth_dir=base, replace=True)
        after = catalogue_definitions()
        assert result.outcome is Outcome.LOADED
        yield Loaded(generate_town(SEED, ACCOUNTS), result.truth_dir, base, before, after)
        clear_registry()
        DemoTown.objects.all().delete()
        query("DELETE FROM registry_registryhistory WHERE changed_by = %s", [ACTOR])


@pytest.fixture
def sql_rows() -> Callable[..., Rows]:
    return query


pytestmark = pytest.mark.django_db


# --- counts and shares ------------------------------------------------------------------
def test_counts_match_parameters_and_generation(loaded: Loaded) -> None:
    counts = table_counts()
    assert counts["registry_account"] == ACCOUNTS
    for table, rows in loaded.town.counts.items():
        assert counts[table] == rows, table
    metered = query("SELECT count(*) FROM registry_account WHERE metered")[0][0]
    assert counts["registry_meter"] == metered
    assert counts["registry_collectionsnapshot"] == ACCOUNTS
    assert 0.9 * ACCOUNTS <= counts["registry_parcel"] <= 1.2 * ACCOUNTS
    expected_readings = query(
        "SELECT sum(GREATEST(0, LEAST(last_k, 23) - first_k + 1)) FROM "
        "(SELECT unnest(%s::int[]) AS first_k, unnest(%s::int[]) AS last_k) p",
        [
            loaded.town.readings["first_k"].astype(int).tolist(),
            loaded.town.readings["last_k"].astype(int).tolist(),
        ],
    )[0][0]
    assert counts["registry_reading"] == expected_readings > 15 * metered
    assert len(loaded.truth) == ACCOUNTS


def shares(column: str) -> dict[str, float]:
    rows = query(f"SELECT {column}, count(*) FROM registry_account GROUP BY 1")
    return {str(value): count / ACCOUNTS for value, count in rows}


def test_tariff_and_status_shares(loaded: Loaded) -> None:
    tariffs = shares("tariff")
    for tariff, target in ac.TARIFF_SHARES.items():
        assert tariffs.get(tariff, 0) == pytest.approx(target, abs=0.025), tariff
    statuses = shares("status")
    for status, target in ac.STATUS_SHARES.items():
        assert statuses.get(status, 0) == pytest.approx(target, abs=0.02), status
    assert shares("metered")["True"] == pytest.approx(0.75, abs=0.03)


def test_aging_buckets_and_balances(loaded: Loaded) -> None:
    expected = [
        sum(ac.STATUS_SHARES[s] * ac.AGING_BY_STATUS[i][b] for i, s in enumerate(ac.STATUSES))
        for b in range(4)
    ]
    rows = query(
        """
        SELECT CASE WHEN days_overdue <= 30 THEN 0 WHEN days_overdue <= 90 THEN 1
                    WHEN days_overdue <= 180 THEN 2 ELSE 3 END, count(*)
        FROM registry_collectionsnapshot GROUP BY 1
        """
    )
    for bucket, count in rows:
        assert count / ACCOUNTS == pytest.approx(expected[bucket], abs=0.03), bucket
    suspended_old = query(
        "SELECT avg((c.days_overdue > 180)::int) FROM registry_collectionsnapshot c "
        "JOIN registry_account a ON a.id = c.account_id WHERE a.status = 'suspendido'"
    )[0][0]
    assert suspended_old > 0.6
    assert (
        query(
            "SELECT count(*) FROM registry_collectionsnapshot "
            "WHERE months_overdue > 0 AND balance <= 0"
        )[0][0]
        == 0
    )


def test_keys_points_and_closing_dates(loaded: Loaded) -> None:
    with_key = query("SELECT avg((billing_cadastral_key <> '')::int) FROM registry_account")[0][0]
    with_point = query("SELECT avg((connection_point IS NOT NULL)::int) FROM registry_account")[0][
        0
    ]
    assert float(with_key) == pytest.approx(0.6, abs=0.04)
    assert float(with_point) == pytest.approx(0.65, abs=0.04)
    wrong_close = query(
        "SELECT count(*) FROM registry_account WHERE (closed_on IS NOT NULL) <> "
        "(status IN ('baja_temporal', 'baja_definitiva')) OR closed_on < opened_on"
    )[0][0]
    assert wrong_close == 0
    # Every account of a baja or a suspension has its cut recorded.
    missing_cut = query(
        "SELECT count(*) FROM registry_account a "
        "WHERE status IN ('suspendido', 'baja_temporal', 'baja_definitiva') AND NOT EXISTS "
        "(SELECT 1 FROM registry_suspensionevent e WHERE e.account_id = a.id AND e.kind = 'corte')"
    )[0][0]
    assert missing_cut == 0


# --- planted anomalies ------------------------------------------------------------------
def test_every_planted_kind_is_present(loaded: Loaded) -> None:
    kinds = ("built_without_account", "consumption_after_cut", "business_on_domestic_tariff")
    for kind in (*kinds, "dwellings_on_one_account", "duplicate_accounts", "hopeless_addresses"):
        assert len(loaded.anomalies[kind]) >= 3, kind


def test_built_parcels_without_account(loaded: Loaded) -> None:
    planted = {item["parcel"] for item in loaded.anomalies["built_without_account"]}
    with_account = {row["parcel_key"] for row in loaded.truth}
    built = {
        key for (key,) in query("SELECT cadastral_key FROM registry_parcel WHERE built_area > 0")
    }
    # Exactly the planted parcels are built and have no account: the truth is complete.
    assert built - with_account == planted


def test_consumption_after_cut(loaded: Loaded) -> None:
    planted = {
        item["account"]: item["cut_on"] for item in loaded.anomalies["consumption_after_cut"]
    }
    rows = query(
        """
        SELECT a.number, a.status, e.occurred_on::text,
               count(r.id), min(r.consumption)
        FROM registry_account a
        JOIN registry_suspensionevent e ON e.account_id = a.id AND e.kind = 'corte'
        LEFT JOIN registry_reading r ON r.account_id = a.id
             AND r.period >= date_trunc('month', e.occurred_on) + interval '1 month'
        WHERE a.status = 'suspendido'
        GROUP BY a.number, a.status, e.occurred_on
        """
    )
    after_cut = {number for number, _, _, periods, low in rows if periods and low > 0}
    assert after_cut == set(planted)
    for number, _, cut_on, periods, _ in rows:
        if number in planted:
            assert cut_on == planted[number] and periods >= 2


def test_business_on_domestic_tariff(loaded: Loaded) -> None:
    truth_parcel = {row["account_number"]: row["parcel_key"] for row in loaded.truth}
    for item in loaded.anomalies["business_on_domestic_tariff"]:
        assert truth_parcel[item["account"]] == item["parcel"]
        assert item["giro"]
        ((tariff, giro, use),) = query(
            "SELECT a.tariff, a.giro, p.land_use FROM registry_account a, registry_parcel p "
            "WHERE a.number = %s AND p.cadastral_key = %s",
            [item["account"], item["parcel"]],
        )
        assert tariff.startswith("domestico") and giro == "" and use == "comercial"


def test_dwellings_and_duplicates(loaded: Loaded) -> None:
    accounts_per_parcel = Counter(row["parcel_key"] for row in loaded.truth)
    dwellings: dict[str, int] = dict(query("SELECT cadastral_key, dwellings FROM registry_parcel"))
    declared: dict[str, int] = dict(query("SELECT number, dwellings FROM registry_account"))
    declared_per_parcel: Counter[str] = Counter()
    for row in loaded.truth:
        declared_per_parcel[row["parcel_key"]] += declared[row["account_number"]]
    under = {
        key
        for key, d in dwellings.items()
        if d > declared_per_parcel[key] and accounts_per_parcel[key]
    }
    planted = {item["parcel"] for item in loaded.anomalies["dwellings_on_one_account"]}
    assert under == planted
    for item in loaded.anomalies["dwellings_on_one_account"]:
        assert accounts_per_parcel[item["parcel"]] == 1 and dwellings[item["parcel"]] > 1
    parcel_of = {row["account_number"]: row["parcel_key"] for row in loaded.truth}
    for item in loaded.anomalies["duplicate_accounts"]:
        first, second = item["accounts"]
        assert parcel_of[first] == parcel_of[second] == item["parcel"]
        assert dwellings[item["parcel"]] == 1


def test_hopeless_addresses(loaded: Loaded) -> None:
    hopeless = [item["account"] for item in loaded.anomalies["hopeless_addresses"]]
    assert 0.003 * ACCOUNTS <= len(hopeless) <= 0.02 * ACCOUNTS
    rows = query(
        "SELECT billing_ext_number, billing_cadastral_key, connection_point IS NULL "
        "FROM registry_account "
        "WHERE number = ANY(%s)",
        [hopeless],
    )
    assert len(rows) == len(hopeless)
    for ext, key, no_point in rows:
        assert (
            ext.upper() in {"S/N", "SN", "S/N.", "SIN NUMERO", "CONOCIDO"}
            and key == ""
            and no_point
        )
    quality = Counter(row["address_quality"] for row in loaded.truth)
    assert quality["hopeless"] == len(hopeless)
    assert quality["clean"] / ACCOUNTS > 0.8


# --- geography ----------------------------------------------------------------------------
def test_geometries_valid_and_at_cortazar(loaded: Loaded) -> None:
    for table, column in [
        ("registry_parcel", "geom"),
        ("registry_streetsegment", "geom"),
        ("registry_colonia", "geom"),
        ("registry_sector", "geom"),
        ("registry_readingroute", "geom"),
        ("registry_account", "connection_point"),
        ("registry_meter", "location"),
    ]:
        bad = query(
            f"SELECT count(*) FROM {table} WHERE {column} IS NOT NULL "
            f"AND (NOT ST_IsValid({column}) OR ST_SRID({column}) <> 32614)"
        )
        assert bad[0][0] == 0, table
    lon, lat = query(
        "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Transform(ST_SetSRID("
        "ST_Centroid(ST_Extent(geom)::geometry), 32614), 4326) AS c FROM registry_parcel) AS s"
    )[0]
    assert lon == pytest.approx(-100.96, abs=0.03) and lat == pytest.approx(20.48, abs=0.03)
    overlapping = query(
        "SELECT count(*) FROM registry_parcel a JOIN registry_parcel b ON a.id < b.id "
        "AND a.geom && b.geom AND ST_Relate(a.geom, b.geom, '2********')"
    )
    assert overlapping[0][0] == 0


def test_house_numbers_match_segment_ranges(loaded: Loaded) -> None:
    rows = query(
        """
        SELECT count(*),
               count(*) FILTER (WHERE NOT ST_DWithin(p.geom, s.geom, 6.5)),
               count(*) FILTER (WHERE NOT (
                   (p.number::int %% 2 = 0 AND p.number::int BETWEEN s.left_from AND s.left_to)
                OR (p.number::int %% 2 = 1 AND p.number::int BETWEEN s.right_from AND s.right_to)))
        FROM (SELECT unnest(%s::text[]) AS key, unnest(%s::bigint[]) AS segment) t
        JOIN registry_parcel p ON p.cadastral_key = t.key
        JOIN registry_streetsegment s ON s.id = t.segment
        """,
        [
            [row["parcel_key"] for row in loaded.truth],
            [int(row["segment_id"]) for row in loaded.truth],
        ],
    )
    total, far, outside = rows[0]
    assert total == ACCOUNTS and far == 0 and outside == 0
    keys = Counter(row["segment_key"] for row in loaded.truth)
    by_segment = {row["segment_key"]: row["segment_id"] for row in loaded.truth}
    assert len(by_segment) == len(set(by_segment.values())) == len(keys)


def test_same_street_name_in_several_colonias(loaded: Loaded) -> None:
    shared = query(
        "SELECT name_normalized FROM registry_streetsegment "
        "GROUP BY 1 HAVING count(DISTINCT colonia_id) > 1"
    )
    assert shared


# --- determinism ---------------------------------------------------------------------------
def test_same_seed_same_town_different_seed_different() -> None:
    first, again, other = generate_town(11, 600), generate_town(11, 600), generate_town(12, 600)
    assert first.fingerprint == again.fingerprint
    assert first.anomalies == again.anomalies
    assert [c.tolist() for c in first.truth_accounts.values()] == [
        c.tolist() for c in again.truth_accounts.values()
    ]
    assert other.fingerprint != first.fingerprint


def test_loaded_town_is_the_generated_one(loaded: Loaded) -> None:
    stored = DemoTown.objects.get()
    assert stored.fingerprint == loaded.town.fingerprint
    assert (stored.seed, stored.accounts) == (SEED, ACCOUNTS)


def readings_digest() -> str:
    return str(
        query(
            "SELECT md5(string_agg(concat_ws(',', meter_id, period, value, consumption, estimated),"
            " ';' ORDER BY id)) FROM registry_reading"
        )[0][0]
    )


def test_reloading_gives_identical_readings(loaded: Loaded, tmp_path: Path) -> None:
    before = readings_digest()
    result = demo_town_load(seed=SEED, accounts=ACCOUNTS, truth_dir=tmp_path, replace=True)
    assert result.outcome is Outcome.LOADED and result.fingerprint == loaded.town.fingerprint
    assert readings_digest() == before
    assert (tmp_path / "town-7-2500" / "accounts.csv").read_bytes() == (
        loaded.truth_dir / "accounts.csv"
    ).read_bytes()


# --- loading twice, other data, constraints --------------------------------------------
def load_again(loaded: Loaded, **options: Any) -> str:
    """``load_demo --direct`` of the loaded town once more; what it printed."""
    out = StringIO()
    call_command(
        "load_demo",
        "--direct",
        accounts=ACCOUNTS,
        seed=SEED,
        truth_dir=loaded.base_dir,
        stdout=out,
        **options,
    )
    return out.getvalue()


def test_loading_twice_changes_nothing(loaded: Loaded) -> None:
    counts = table_counts()
    history = query("SELECT count(*) FROM registry_registryhistory")[0][0]
    assert "ya está cargada" in load_again(loaded)
    assert table_counts() == counts
    assert query("SELECT count(*) FROM registry_registryhistory")[0][0] == history
    assert DemoTown.objects.count() == 1


def test_refuses_other_data_without_replace(loaded: Loaded) -> None:
    with pytest.raises(RegistryNotEmpty):
        demo_town_load(seed=SEED + 1, accounts=ACCOUNTS, truth_dir=loaded.base_dir)
    with pytest.raises(CommandError, match="--replace"):
        call_command(
            "load_demo",
            accounts=ACCOUNTS + 1,
            seed=SEED,
            truth_dir=loaded.base_dir,
            stdout=StringIO(),
        )
    assert table_counts()["registry_account"] == ACCOUNTS


def test_constraints_and_indexes_restored(loaded: Loaded) -> None:
    assert loaded.catalogue_after == loaded.catalogue_before
    not_valid = query(
        "SELECT count(*) FROM pg_constraint "
        "WHERE NOT convalidated AND conrelid = ANY(%s::regclass[])",
        [list(FILLED)],
    )
    assert not_valid[0][0] == 0


def test_no_personal_data_printed(loaded: Loaded, capsys: pytest.CaptureFixture[str]) -> None:
    printed = load_again(loaded, verbosity=2) + "".join(capsys.readouterr())
    for name, phone in query("SELECT full_name, phone FROM registry_holder ORDER BY id LIMIT 200"):
        assert name not in printed
        assert not phone or phone not in printed
    csv_text = (loaded.truth_dir / "accounts.csv").read_text("utf-8")
    assert query("SELECT full_name FROM registry_holder LIMIT 1")[0][0] not in csv_text


USER_TRIGGERS = (
    "SELECT tgrelid::regclass::text, tgname, tgenabled FROM pg_trigger "
    "WHERE NOT tgisinternal ORDER BY 1, 2"
)


def test_no_history_load_leaves_history_triggers_enabled(loaded: Loaded, tmp_path: Path) -> None:
    history = query("SELECT count(*) FROM registry_registryhistory")[0][0]
    triggers = query(USER_TRIGGERS)
    result = demo_town_load(
        seed=SEED, accounts=ACCOUNTS, truth_dir=tmp_path, replace=True, record_history=False
    )
    assert result.outcome is Outcome.LOADED
    assert query("SELECT count(*) FROM registry_registryhistory")[0][0] == history
    assert query(USER_TRIGGERS) == triggers


def test_loaded_with_history_by_default(loaded: Loaded) -> None:
    has_history_triggers = query(
        "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'registry_account'::regclass "
        "AND tgfoid::regproc::text LIKE 'registry_history%%'"
    )[0][0]
    if not has_history_triggers:
        pytest.skip("the registry has no history triggers in this database")
    recorded = query(
        "SELECT count(*) FROM registry_registryhistory "
        "WHERE table_name = 'registry_account' AND action = 'I' AND changed_by = 'demo'"
    )[0][0]
    assert recorded == ACCOUNTS


def test_accounts_default_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from gis_backend.demo.management.commands.load_demo import default_accounts

    monkeypatch.setenv("DEMO_ACCOUNTS", "1234")
    assert default_accounts() == 1234
    monkeypatch.delenv("DEMO_ACCOUNTS")
    assert default_accounts() == 30_000
    monkeypatch.setenv("DEMO_ACCOUNTS", "muchas")
    with pytest.raises(CommandError):
        default_accounts()
