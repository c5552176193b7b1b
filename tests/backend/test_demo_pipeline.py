"""The demo town through the real pipeline (files, importers, completion by natural keys,
linker, report), on real PostGIS: the same registry as the direct loader, links scored against
the ground truth, idempotent, anomalies still visible, nothing personal printed."""

import csv
import json
import math
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from gis_backend.demo.loader import ACTOR, FILLED, READINGS_TABLE, clear_registry, table_counts
from gis_backend.demo.models import DemoTown
from gis_backend.demo.pipeline import FILES_DIR, REPORT_DIR
from gis_backend.demo.service import RegistryNotEmpty, demo_town_load
from gis_backend.demo.truth import read_anomalies, truth_directory
from gis_backend.imports.engine import run_vector_import
from gis_backend.imports.parcels import ParcelImporter
from gis_backend.imports.streets import StreetImporter

SEED = 11
ACCOUNTS = 2000

Rows = list[tuple[Any, ...]]


def query(statement: str, params: list[Any] | None = None) -> Rows:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


# Facts of the registry by natural keys, whatever ids the rows were given. Text the importers
# clean (billing fields come back without surrounding blanks) is compared cleaned.
FACTS = {
    "colonias": "SELECT name, postal_code, ST_AsEWKB(geom) FROM registry_colonia",
    "sectors": "SELECT code, name, ST_AsEWKB(geom) FROM registry_sector",
    "routes": """
        SELECT s.code, r.code, r.periodicity, r.reader, ST_AsEWKB(r.geom)
        FROM registry_readingroute r JOIN registry_sector s ON s.id = r.sector_id
    """,
    "parcels": """
        SELECT p.cadastral_key, ST_AsEWKB(p.geom), p.built_area, p.land_use, p.street, p.number,
               p.dwellings, p.block_key, p.inegi_ageb, p.inegi_block, c.name
        FROM registry_parcel p LEFT JOIN registry_colonia c ON c.id = p.colonia_id
    """,
    "segments": """
        SELECT s.name, ST_AsEWKB(s.geom), s.left_from, s.left_to, s.right_from, s.right_to,
               c.name
        FROM registry_streetsegment s LEFT JOIN registry_colonia c ON c.id = s.colonia_id
    """,
    "accounts": """
        SELECT a.number, a.tariff, a.giro, a.status, a.service_water, a.service_sewer,
               a.service_sanitation, a.metered, a.dwellings, a.opened_on, a.closed_on,
               btrim(a.billing_street), btrim(a.billing_ext_number),
               btrim(a.billing_int_number), btrim(a.billing_colonia), a.billing_postal_code,
               btrim(a.billing_cadastral_key), s.code, r.code
        FROM registry_account a
        LEFT JOIN registry_sector s ON s.id = a.sector_id
        LEFT JOIN registry_readingroute r ON r.id = a.route_id
    """,
    "holders": """
        SELECT a.number, h.full_name, h.rfc, h.curp, h.phone, h.email, h.notification_address,
               h.relation
        FROM registry_account a JOIN registry_holder h ON h.id = a.holder_id
    """,
    "shared holders": """
        SELECT string_agg(number, ' ' ORDER BY number) FROM registry_account
        GROUP BY holder_id HAVING count(*) > 1
    """,
    "meters": """
        SELECT m.serial, a.number, m.brand, m.model, m.diameter, m.state, m.installed_on,
               ST_AsEWKB(m.location)
        FROM registry_meter m LEFT JOIN registry_account a ON a.id = m.account_id
    """,
    "readings": """
        SELECT md5(string_agg(concat_ws(',', m.serial, a.number, r.period, r.value,
                                        r.consumption, r.estimated), ';'
                              ORDER BY m.serial, r.period))
        FROM registry_reading r
        JOIN registry_meter m ON m.id = r.meter_id
        JOIN registry_account a ON a.id = r.account_id
    """,
    "collections": """
        SELECT a.number, c.as_of, c.balance, c.months_overdue, c.days_overdue,
               c.last_payment_on, c.last_payment_amount, c.payment_agreement
        FROM registry_collectionsnapshot c JOIN registry_account a ON a.id = c.account_id
    """,
    "suspensions": """
        SELECT a.number, e.kind, e.occurred_on, e.reason, e.notes
        FROM registry_suspensionevent e JOIN registry_account a ON a.id = e.account_id
    """,
}
POINTS = "SELECT number, ST_X(connection_point), ST_Y(connection_point) FROM registry_account"


def facts() -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for name, statement in FACTS.items():
        rows = [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in query(statement)
        ]
        out[name] = sorted(rows, key=repr)
    return out


def reading_definitions() -> Rows:
    return query(
        """
        SELECT conname, pg_get_constraintdef(oid), condeferrable, condeferred
        FROM pg_constraint WHERE conrelid = %s::regclass
        UNION ALL
        SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid), null, null
        FROM pg_index WHERE indrelid = %s::regclass
        ORDER BY 1, 2
        """,
        [READINGS_TABLE, READINGS_TABLE],
    )


class Piped:
    def __init__(self, base: Path, direct: dict[str, Any], output: str) -> None:
        self.base = base
        self.directory = truth_directory(base, SEED, ACCOUNTS)
        self.direct = direct
        self.output = output  # what load_demo wrote
        self.anomalies: dict[str, list[dict[str, Any]]] = read_anomalies(self.directory)
        self.summary = json.loads((self.directory / REPORT_DIR / "resumen.json").read_text())

    def report_rows(self, name: str) -> list[dict[str, str]]:
        with (self.directory / REPORT_DIR / f"{name}.csv").open(encoding="utf-8") as handle:
            return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def piped(
    django_db_setup: None,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Piped]:
    base = tmp_path_factory.mktemp("pipeline")
    with django_db_blocker.unblock():
        # The same town loaded directly first: what the pipeline must end up with.
        demo_town_load(
            seed=SEED,
            accounts=ACCOUNTS,
            truth_dir=tmp_path_factory.mktemp("direct"),
            replace=True,
            record_history=False,
        )
        direct = {
            "counts": table_counts(),
            "facts": facts(),
            "points": {n: (x, y) for n, x, y in query(POINTS) if x is not None},
            "readings": reading_definitions(),
        }
        out = StringIO()
        call_command(
            "load_demo",
            accounts=ACCOUNTS,
            seed=SEED,
            truth_dir=base,
            replace=True,
            verbosity=2,
            stdout=out,
        )
        yield Piped(base, direct, out.getvalue())
        clear_registry()
        DemoTown.objects.all().delete()
        query("DELETE FROM registry_registryhistory WHERE changed_by = %s", [ACTOR])


pytestmark = pytest.mark.django_db


# --- the same registry as the direct loader ---------------------------------------------------
def test_counts_equal_the_direct_loader(piped: Piped) -> None:
    counts = table_counts()
    assert counts == piped.direct["counts"]
    assert counts["registry_account"] == ACCOUNTS
    retired = query("SELECT count(*) FROM registry_meter WHERE state = 'retirado'")[0][0]
    assert retired > 0 and counts["registry_reading"] > 15 * counts["registry_meter"]
    assert counts["registry_suspensionevent"] > 0


def test_files_imported_without_rejects(piped: Piped) -> None:
    files = piped.directory / FILES_DIR
    assert sorted(p.name for p in files.iterdir()) == ["calles.gpkg", "padron.csv", "predios.gpkg"]
    for label in ("predios", "tramos de calle", "padrón"):
        line = next(x for x in piped.output.splitlines() if x.strip().startswith(f"{label}:"))
        assert "rechazados 0" in line, line
    assert f"padrón: Leídos {ACCOUNTS} · creados {ACCOUNTS}" in piped.output


@pytest.mark.parametrize("aspect", list(FACTS))
def test_same_facts_as_the_direct_loader(piped: Piped, aspect: str) -> None:
    assert facts()[aspect] == piped.direct["facts"][aspect]


def test_connection_points_within_rounding_of_the_file(piped: Piped) -> None:
    """The padrón gives coordinates in WGS 84 with six decimals: about 0.1 m."""
    points = {n: (x, y) for n, x, y in query(POINTS) if x is not None}
    assert points.keys() == piped.direct["points"].keys()
    worst = max(math.dist(points[n], piped.direct["points"][n]) for n in points)
    assert worst < 0.2


def test_holders_carry_personal_data(piped: Piped) -> None:
    total, rfc, curp, phone, email = query(
        "SELECT count(*), count(*) FILTER (WHERE rfc <> ''), count(*) FILTER (WHERE curp <> ''),"
        " count(*) FILTER (WHERE phone <> ''), count(*) FILTER (WHERE email <> '')"
        " FROM registry_holder"
    )[0]
    assert total == piped.direct["counts"]["registry_holder"] < ACCOUNTS
    assert rfc > 0.2 * total and curp > 0.2 * total and phone > 0.5 * total and email > 0
    orphans = query(
        "SELECT count(*) FROM registry_holder h "
        "WHERE NOT EXISTS (SELECT 1 FROM registry_account a WHERE a.holder_id = h.id)"
    )[0][0]
    assert orphans == 0


def test_reading_keys_and_indexes_rebuilt(piped: Piped) -> None:
    assert reading_definitions() == piped.direct["readings"]
    not_valid = query(
        "SELECT count(*) FROM pg_constraint "
        "WHERE NOT convalidated AND conrelid = ANY(%s::regclass[])",
        [list(FILLED)],
    )
    assert not_valid[0][0] == 0
    next_id = query(f"SELECT nextval(pg_get_serial_sequence('{READINGS_TABLE}', 'id'))")[0][0]
    assert next_id > query(f"SELECT max(id) FROM {READINGS_TABLE}")[0][0]


# --- links and the report -------------------------------------------------------------------
def test_every_account_linked_or_told_why(piped: Piped) -> None:
    rows = query(
        "SELECT count(*), count(l.parcel_id), "
        "count(*) FILTER (WHERE l.parcel_id IS NULL AND l.unlinked_reason = '') "
        "FROM registry_account a LEFT JOIN registry_accountlink l ON l.account_id = a.id"
    )
    total, linked, silent = rows[0]
    assert total == ACCOUNTS and linked > 0.95 * ACCOUNTS and silent == 0


def test_report_scores_at_least_97_percent_right(piped: Piped) -> None:
    truth = piped.summary["truth"]
    assert truth["accounts"] == ACCOUNTS
    assert truth["right_share"] >= 0.97
    assert truth["wrong"] <= 0.005 * ACCOUNTS
    share = f"{100 * truth['right'] / ACCOUNTS:.1f} %"
    assert f"Vinculadas al predio correcto: {truth['right']} ({share})" in piped.output
    resumen = (piped.directory / REPORT_DIR / "resumen.md").read_text("utf-8")
    assert f"Vinculadas al predio correcto: {truth['right']} ({share})" in resumen
    assert len(piped.report_rows("links")) == ACCOUNTS


# --- planted anomalies, still there ------------------------------------------------------------
def test_consumption_after_cut(piped: Piped) -> None:
    planted = {item["account"]: item["cut_on"] for item in piped.anomalies["consumption_after_cut"]}
    rows = query(
        """
        SELECT a.number, e.occurred_on::text, count(r.id), min(r.consumption)
        FROM registry_account a
        JOIN registry_suspensionevent e ON e.account_id = a.id AND e.kind = 'corte'
        LEFT JOIN registry_reading r ON r.account_id = a.id
             AND r.period >= date_trunc('month', e.occurred_on) + interval '1 month'
        WHERE a.status = 'suspendido'
        GROUP BY a.number, e.occurred_on
        """
    )
    after_cut = {number for number, _, periods, low in rows if periods and low > 0}
    assert planted and after_cut == set(planted)
    for number, cut_on, periods, _ in rows:
        if number in planted:
            assert cut_on == planted[number] and periods >= 2


def test_business_on_domestic_tariff_seen_through_the_link(piped: Piped) -> None:
    planted = piped.anomalies["business_on_domestic_tariff"]
    seen = query(
        """
        SELECT a.number FROM registry_account a
        JOIN registry_accountlink l ON l.account_id = a.id
        JOIN registry_parcel p ON p.id = l.parcel_id
        WHERE a.number = ANY(%s) AND a.tariff LIKE 'domestico%%' AND a.giro = ''
          AND p.land_use = 'comercial'
        """,
        [[item["account"] for item in planted]],
    )
    assert planted and len(seen) >= 0.8 * len(planted)


def test_report_lists_the_planted_parcels_and_duplicates(piped: Piped) -> None:
    built = {row["clave_catastral"] for row in piped.report_rows("predios_construidos_sin_cuenta")}
    assert {item["parcel"] for item in piped.anomalies["built_without_account"]} <= built
    dwellings = {row["clave_catastral"] for row in piped.report_rows("viviendas_sin_cuenta")}
    assert {item["parcel"] for item in piped.anomalies["dwellings_on_one_account"]} <= dwellings
    listed = [set(row["cuentas"].split()) for row in piped.report_rows("cuentas_duplicadas")]
    planted = [set(item["accounts"]) for item in piped.anomalies["duplicate_accounts"]]
    found = sum(any(pair <= group for group in listed) for pair in planted)
    assert planted and found >= 0.8 * len(planted)


# --- loading again, other data, re-importing the files -----------------------------------
def link_digest() -> str:
    return str(
        query(
            "SELECT md5(string_agg(concat_ws(',', account_id, parcel_id, segment_id, "
            "parcel_method, parcel_score, unlinked_reason), ';' ORDER BY account_id)) "
            "FROM registry_accountlink"
        )[0][0]
    )


def test_second_run_changes_nothing(piped: Piped) -> None:
    counts = table_counts()
    history = query("SELECT count(*) FROM registry_registryhistory")[0][0]
    links = link_digest()
    summary = (piped.directory / REPORT_DIR / "resumen.json").stat().st_mtime_ns
    out = StringIO()
    call_command("load_demo", accounts=ACCOUNTS, seed=SEED, truth_dir=piped.base, stdout=out)
    assert "ya está cargada" in out.getvalue()
    assert "Vinculadas al predio correcto:" in out.getvalue()
    assert table_counts() == counts and link_digest() == links
    assert query("SELECT count(*) FROM registry_registryhistory")[0][0] == history
    assert DemoTown.objects.get().method == DemoTown.Method.PIPELINE
    assert (piped.directory / REPORT_DIR / "resumen.json").stat().st_mtime_ns == summary


def test_the_direct_load_of_the_same_town_is_other_data(piped: Piped, tmp_path: Path) -> None:
    with pytest.raises(RegistryNotEmpty):
        demo_town_load(seed=SEED, accounts=ACCOUNTS, truth_dir=tmp_path)
    assert table_counts()["registry_account"] == ACCOUNTS


def test_reimporting_the_map_files_changes_nothing(piped: Piped) -> None:
    """Colonias got their postal code after the import: the importers still find them."""
    files = piped.directory / FILES_DIR
    colonias = query("SELECT count(*) FROM registry_colonia")[0][0]
    with transaction.atomic():
        for importer, name in ((ParcelImporter(), "predios"), (StreetImporter(), "calles")):
            summary = run_vector_import(importer, files / f"{name}.gpkg")
            assert (summary.created, summary.updated, summary.rejected) == (0, 0, 0)
        assert query("SELECT count(*) FROM registry_colonia")[0][0] == colonias
        transaction.set_rollback(True)


def test_no_personal_data_printed(piped: Piped, capsys: pytest.CaptureFixture[str]) -> None:
    out = StringIO()
    call_command(
        "load_demo", accounts=ACCOUNTS, seed=SEED, truth_dir=piped.base, stdout=out, verbosity=2
    )
    printed = piped.output + out.getvalue() + "".join(capsys.readouterr())
    holders = query("SELECT full_name, rfc, curp, phone, email FROM registry_holder LIMIT 300")
    for row in holders:
        for value in row:
            assert not value or value not in printed
