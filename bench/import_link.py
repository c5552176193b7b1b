"""Import and link the demo town through the real commands, timed against raw PostGIS.

Usage (a database of its own, never one in use; it is migrated, then its registry emptied):

    psql -h 127.0.0.1 -U postgres -c 'create database padron_bench_import'
    DATABASE_URL=postgis://postgres@127.0.0.1:5432/padron_bench_import \\
        .venv/bin/python bench/import_link.py --accounts 1000000

What it does, in order:

1. generates the seeded demo town (gis_backend/demo/) and writes, as ``make demo`` does, the
   three files a utility hands over (``predios.gpkg``, ``calles.gpkg``, ``padron.csv``), the
   ground truth (``accounts.csv``) and a polygon of the town's extent (``area.gpkg``), which
   becomes the service area (``PADRON_SERVICE_AREA``) for this run: the town at a million
   accounts lies beyond the default municipality;
2. empties the registry of its own database (``registry_*``, their history, demo_demotown);
3. runs the commands ``import_parcels``, ``import_streets``, ``import_padron``,
   ``link_registry`` and ``registry_report --truth``, each as a user would (its own
   transaction, history triggers on), timing each;
4. times, in the same run, what raw PostGIS does with the same rows: (a) a plain COPY of the
   padrón CSV into a bare table of text columns (the floor of any padrón import), (b) the
   point-in-polygon join of the accounts' connection points with the parcels through their
   GiST index, written to a table (the spatial join the linking cannot beat), once before
   linking and once after the report; the ratio takes the faster of the two;
5. prints the seconds, the ratios and the share of accounts linked right, wrong or not at all.

The commands start a background refresh of the map summaries when they commit; the script
turns it off (``PADRON_MAP_SUMMARY_REFRESH=off``) so that it does not run during the next timed
phase, and times one ``refresh_map_summaries`` apart after the report.

``--relink N`` times only the linking, N times, on a database the script loaded before (each
run after emptying the links; ``--keep-files DIR`` of that load scores the last run against
its truth): for before/after comparisons of the linker without importing the town again. The
script's ``migrate`` drops the inputs the linker keeps between runs (``linking/inputs.py``), so
the first run prepares them all (as the first linking after a cadastre import does) and the
next ones reuse them (as a re-link after a padrón import does); ``--cold`` drops them before
every run. After each run it also times a floor linker (``FLOOR_STATEMENTS``): the key, point
and exact-address joins, the best per account and one row written per account, the least any
linker of these files does, to set the linker's ratio beside the least a linker's could be.

``--month`` (with the ``--keep-files DIR`` of a load) is the next month on that town: the
padrón exported again a month later (``month.py``: every balance at a new cut-off, statuses
changed, addresses written by another clerk, new contracts) imported with ``import_padron``,
then ``link_registry`` over the links in place, each timed against its raw baseline, the links
scored against the truth with the new accounts. It changes the town: a second ``--month`` runs
on November's registry (the import then finds nothing to change).

Ratios, not absolute seconds, compare across machines (see shared/PERF.md). ``--keep-files DIR``
writes the files, the truth and the report there and keeps them; otherwise a temporary folder
is removed at the end.
"""

import argparse
import io
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_backend.config.settings")
# The import and link commands start a background refresh of the map summaries when they commit
# (gis_backend/maps/summaries.py); on 2 cores it would run during the next phase and skew it.
# Off for the timed phases; one refresh is timed apart at the end.
os.environ.setdefault("PADRON_MAP_SUMMARY_REFRESH", "off")

AREA_MARGIN = 500.0  # metres around the town's extent
CUT_OFF = "31/10/2026"  # the demo town's collection cut-off date (gis_backend/demo/accounts.py)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep-files", type=Path, default=None, metavar="DIR")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument(
        "--sql-log", action="store_true", help="print the seconds of every linking statement"
    )
    parser.add_argument(
        "--foreign",
        action="store_true",
        help="rewrite the files the way another town's offices would (bench/foreign.py): "
        "shorter cadastral keys in the padrón, no number ranges, parcels without colonia and a "
        "fifth of them unnumbered",
    )
    parser.add_argument(
        "--no-colonia",
        action="store_true",
        help="write the padrón without its COLONIA column (bench/foreign.py)",
    )
    parser.add_argument(
        "--one-field",
        action="store_true",
        help="write the padrón's street, number, interior and colonia in one column DOMICILIO, "
        "under other column names read through a mapping file (bench/foreign.py)",
    )
    parser.add_argument(
        "--relink",
        type=int,
        default=0,
        metavar="N",
        help="on a database this script already loaded: N times, empty the links and time "
        "link_registry against the raw join (alternately); the town is not generated again",
    )
    parser.add_argument(
        "--month",
        action="store_true",
        help="on a database this script already loaded with --keep-files DIR: import the "
        "next month's padrón (bench/month.py) and link again with the links in place, each "
        "timed against its raw baseline",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="with --relink: drop the linker's kept inputs before every run, so that each run "
        "parses every address and finds every parcel's frontage again",
    )
    return parser.parse_args()


def write_service_area(town: Any, path: Path, srid: int) -> None:
    """A rectangle around every parcel, segment and connection point of the town."""
    import numpy as np
    import pyogrio
    import shapely

    from gis_backend.demo.export import geometries

    bounds = []
    for table, column in (
        ("registry_parcel", "geom"),
        ("registry_streetsegment", "geom"),
        ("registry_account", "connection_point"),
    ):
        shapes = geometries(town.tables[table][column])
        shapes = shapes[~shapely.is_missing(shapes)]
        bounds.append(shapely.total_bounds(shapes))
    corners = np.array(bounds)
    area = shapely.box(
        corners[:, 0].min() - AREA_MARGIN,
        corners[:, 1].min() - AREA_MARGIN,
        corners[:, 2].max() + AREA_MARGIN,
        corners[:, 3].max() + AREA_MARGIN,
    )
    path.unlink(missing_ok=True)
    pyogrio.raw.write(
        path,
        geometry=shapely.to_wkb(np.array([area], dtype=object)),
        field_data=[np.array(["bench"], dtype=object)],
        fields=["nombre"],
        crs=f"EPSG:{srid}",
        geometry_type="Polygon",
        driver="GPKG",
        layer="area",
    )


def empty_registry() -> None:
    from django.db import connection

    from gis_backend.demo.loader import clear_registry

    clear_registry()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE registry_registryhistory, demo_demotown")
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")


def command(name: str, *args: str) -> list[str]:
    """Run a management command as a user would; its output lines."""
    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return [line for line in (out.getvalue() + err.getvalue()).splitlines() if line.strip()]


def baseline_copy(padron: Path) -> float:
    """Plain COPY of the padrón CSV (all text columns) into a bare table."""
    from django.db import connection, transaction

    header = padron.open(encoding="cp1252").readline().strip().split(";")
    columns = ", ".join(f'"{name.lower()}" text' for name in header)
    with transaction.atomic():
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_padron_raw")
            cursor.execute(f"CREATE TABLE bench_padron_raw ({columns})")
            started = time.perf_counter()
            with (
                cursor.copy(
                    "COPY bench_padron_raw FROM STDIN "
                    "(FORMAT csv, DELIMITER ';', HEADER true, ENCODING 'WIN1252')"
                ) as copy,
                padron.open("rb") as handle,
            ):
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            seconds = time.perf_counter() - started
            cursor.execute("DROP TABLE bench_padron_raw")
    return seconds


def baseline_join() -> int:
    """The point-in-polygon join of the accounts' connection points with the parcels, through
    the parcels' GiST index, written to a table; its row count."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        # As PostgreSQL runs it by default: with parallel workers (the application's
        # connections turn them off for small map queries, config/settings.py).
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 2")
        cursor.execute("DROP TABLE IF EXISTS bench_pip")
        cursor.execute(
            "CREATE TABLE bench_pip AS SELECT a.id AS account_id, p.id AS parcel_id "
            "FROM registry_account a JOIN registry_parcel p "
            "ON ST_Intersects(p.geom, a.connection_point)"
        )
        rows = int(cursor.rowcount)
        cursor.execute("DROP TABLE bench_pip")
    return rows


# The least any linker of these files does, whatever its rules: each account's cadastral key
# equal to a parcel's, its connection point in a parcel (the raw join), its parsed street,
# colonia and number equal to a parcel's (the addresses the linker keeps parsed, inputs.py);
# the best of these per account; one row per account written to a table shaped like the links,
# with its primary key. Without what the issue asks of the linker besides: no street names
# read fuzzily, no colonias alike, no interpolation, no segment, no competing candidates, no
# map tables kept in step.
FLOOR_STATEMENTS = (
    """
    CREATE UNLOGGED TABLE bench_floor_candidate AS
    SELECT a.account_id, p.parcel_id, 0.9::real AS score
    FROM linking_inputs.lk_account a
    JOIN linking_inputs.lk_parcel p ON p.cadastral_key = a.cadastral_key
    UNION ALL
    SELECT a.id, p.id, 0.8 FROM registry_account a
    JOIN registry_parcel p ON ST_Intersects(p.geom, a.connection_point)
    UNION ALL
    SELECT a.account_id, p.parcel_id, 0.7
    FROM linking_inputs.lk_account a
    JOIN linking_inputs.lk_parcel p
      ON p.street_key = a.street_key AND p.colonia_key = a.colonia_key AND p.number = a.number
    """,
    """
    CREATE UNLOGGED TABLE bench_floor_best AS
    SELECT DISTINCT ON (account_id) account_id, parcel_id, score FROM bench_floor_candidate
    ORDER BY account_id, score DESC, parcel_id
    """,
    "CREATE TABLE bench_floor_link (LIKE registry_accountlink INCLUDING DEFAULTS)",
    "ALTER TABLE bench_floor_link ADD PRIMARY KEY (account_id)",
    """
    INSERT INTO bench_floor_link (
        account_id, parcel_id, parcel_method, parcel_score, parcel_verified, segment_id,
        segment_method, segment_score, segment_verified, candidates, unlinked_reason,
        updated_at)
    SELECT a.account_id, b.parcel_id, CASE WHEN b.parcel_id IS NULL THEN '' ELSE 'x' END,
           b.score, false, NULL, '', NULL, false, '[]', '', now()
    FROM linking_inputs.lk_account a LEFT JOIN bench_floor_best b USING (account_id)
    """,
)


def floor_linker() -> float:
    """Seconds of FLOOR_STATEMENTS, in one transaction rolled back, with the linker's memory
    and parallel settings; after a linking run (it reads the addresses that run kept)."""
    from django.db import connection, transaction

    from gis_backend.linking.linker import set_memory
    from gis_backend.linking.prepare import PARALLEL_TUPLE_COST

    with transaction.atomic(), connection.cursor() as cursor:
        set_memory()
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 2")
        cursor.execute(f"SET LOCAL parallel_tuple_cost = {PARALLEL_TUPLE_COST}")
        started = time.perf_counter()
        for statement in FLOOR_STATEMENTS:
            cursor.execute(statement)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def load_average() -> str:
    with open("/proc/loadavg", encoding="ascii") as handle:
        return " ".join(handle.read().split()[:3])


def print_truth_score(report_dir: Path) -> None:
    """The share of accounts linked right, wrong or not at all, from a report written with
    ``--truth``."""
    summary = json.loads((report_dir / "resumen.json").read_text("utf-8"))
    score = summary.get("truth") or {}
    total = score.get("accounts") or 1
    print(
        f"  links against the truth ({total:,} accounts): "
        f"right {100 * score.get('right', 0) / total:.2f} %, "
        f"wrong {100 * score.get('wrong', 0) / total:.2f} %, "
        f"unlinked {100 * score.get('unlinked', 0) / total:.2f} %"
    )
    segments = score.get("segments") or {}
    if segments.get("accounts"):
        named = segments["accounts"]
        print(
            f"  segments against the truth ({named:,} accounts): "
            f"right {100 * segments['right'] / named:.2f} %, "
            f"wrong {100 * segments['wrong'] / named:.2f} %, "
            f"none {100 * segments['unlinked'] / named:.2f} %"
        )


def relink(runs: int, truth: Path | None, cold: bool) -> None:
    """Time ``link_registry`` of the town already in the database against the raw join, each
    run on an empty links table (as the first link after the imports); ``cold``: each with the
    linker's kept inputs dropped."""
    from django.db import connection, transaction

    for run in range(1, runs + 1):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE registry_accountlink")
            if cold:  # the code's fingerprint forgotten: the run prepares every input again
                cursor.execute("UPDATE linking_inputs.state SET fingerprint = NULL")
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")  # the truncation's writes are not timed with the run
        started = time.perf_counter()
        baseline_join()
        join = time.perf_counter() - started
        started = time.perf_counter()
        lines = command("link_registry")
        link = time.perf_counter() - started
        floor = floor_linker()
        print(
            f"  run {run}: raw join {join:6.1f} s · floor linker {floor:5.1f} s "
            f"({floor / join:3.1f}x) · link_registry {link:6.1f} s · ratio {link / join:4.1f} · "
            f"load {load_average()}",
            flush=True,
        )
    print("  link: " + " | ".join(lines[-3:]))
    if truth is not None:
        with tempfile.TemporaryDirectory() as out:
            command("registry_report", "--out", out, "--truth", str(truth))
            print_truth_score(Path(out))


MONTH_CUT_OFF = "30/11/2026"


def migrated() -> bool:
    """Whether every migration is applied. ``--month`` then skips ``migrate``, which would apply
    the SQL files again and drop the linker's kept inputs: a monthly run finds them ready."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


def month(workdir: Path, seed: int, seconds: dict[str, float], report: Any, timed: Any) -> None:
    """A month later on the town loaded into ``workdir``: its next padrón (bench/month.py)
    imported, then a linking run over the links in place, each against its raw baseline; the
    links scored against the truth with the new accounts."""
    from django.conf import settings
    from month import next_month  # bench/month.py, beside this script

    area = workdir / "area.gpkg"
    settings.SERVICE_AREA = str(area)
    os.environ["PADRON_SERVICE_AREA"] = str(area)
    truth = sorted(workdir.glob("verdad/**/accounts.csv"))[0]
    padron, month_truth = timed(
        "write the next month's padrón",
        lambda: next_month(workdir / "archivos" / "padron.csv", truth, workdir / "mes", seed),
    )
    timed("baseline: point-in-polygon join, before the import", baseline_join)
    imported = timed(
        "import_padron, the next month",
        lambda: command("import_padron", str(padron), "--fecha-corte", MONTH_CUT_OFF),
    )
    linked = timed("link_registry, the links in place", lambda: command("link_registry"))
    report_dir = workdir / "reporte_mes"
    command("registry_report", "--out", str(report_dir), "--truth", str(month_truth))
    copy = baseline_copy(padron)
    report("baseline: COPY padrón CSV into a bare table", copy)
    timed("baseline: point-in-polygon join, after linking", baseline_join)
    join = min(
        seconds["baseline: point-in-polygon join, before the import"],
        seconds["baseline: point-in-polygon join, after linking"],
    )
    print("  import: " + " | ".join(imported[-2:]))
    print("  link:   " + " | ".join(linked[:1]))
    padron_seconds = seconds["import_padron, the next month"]
    link_seconds = seconds["link_registry, the links in place"]
    print(f"  ratio import_padron / raw COPY:          {padron_seconds / copy:6.1f}")
    print(f"  ratio link_registry / raw spatial join:  {link_seconds / join:6.1f}")
    print_truth_score(report_dir)


def main() -> None:
    args = parse_args()
    django.setup()
    import logging

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from gis_backend.demo.export import export_town
    from gis_backend.demo.town import generate_town
    from gis_backend.demo.truth import write_truth

    srid = int(settings.STORAGE_SRID)
    workdir = args.keep_files or Path(tempfile.mkdtemp(prefix="padron-import-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}

    def report(name: str, value: float) -> None:
        seconds[name] = value
        print(f"  {name:<52} {value:8.1f} s", flush=True)

    def timed(name: str, action: Any) -> Any:
        started = time.perf_counter()
        result = action()
        report(name, time.perf_counter() - started)
        return result

    print(
        f"database {connection.settings_dict['NAME']}, {args.accounts:,} accounts, "
        f"seed {args.seed}, {os.cpu_count()} CPUs, load average {load_average()}"
    )
    if args.sql_log:
        logging.getLogger("gis_backend.linking").setLevel(logging.DEBUG)
    if not (args.month and migrated()):
        call_command("migrate", verbosity=0)
    if args.month:
        if args.keep_files is None:
            sys.exit("--month needs the --keep-files DIR of the load it follows")
        month(args.keep_files, args.seed, seconds, report, timed)
        return
    if args.relink:
        truths = sorted(args.keep_files.glob("verdad/**/accounts.csv")) if args.keep_files else []
        relink(args.relink, truths[0] if truths else None, args.cold)
        return
    timed("empty the registry", empty_registry)

    started = time.perf_counter()
    town = generate_town(args.seed, args.accounts, srid=srid)
    report("generate the town", time.perf_counter() - started)
    started = time.perf_counter()
    truth_dir = write_truth(town, workdir / "verdad", town.fingerprint)
    report("ground truth", time.perf_counter() - started)
    started = time.perf_counter()
    files = export_town(town, workdir / "archivos", srid)
    if args.foreign:
        from foreign import foreignise  # bench/foreign.py, beside this script

        foreignise(files, args.seed)
    if args.no_colonia:
        from foreign import without_colonia

        without_colonia(files.padron)
    padron_options = ["--fecha-corte", CUT_OFF]
    if args.one_field:
        from foreign import one_address_field

        padron_options += ["--map", str(one_address_field(files.padron))]
    report("write the three files", time.perf_counter() - started)
    area = workdir / "area.gpkg"
    write_service_area(town, area, srid)
    settings.SERVICE_AREA = str(area)
    os.environ["PADRON_SERVICE_AREA"] = str(area)
    del town

    outputs: dict[str, list[str]] = {}
    outputs["parcels"] = timed(
        "import_parcels predios.gpkg", lambda: command("import_parcels", str(files.parcels))
    )
    outputs["streets"] = timed(
        "import_streets calles.gpkg", lambda: command("import_streets", str(files.streets))
    )
    outputs["padron"] = timed(
        "import_padron padron.csv",
        lambda: command("import_padron", str(files.padron), *padron_options),
    )
    if not args.skip_baseline:
        # The raw join, once before linking and once after (the machines are noisy).
        joined = timed("baseline: point-in-polygon join, before linking", baseline_join)
    outputs["link"] = timed("link_registry", lambda: command("link_registry"))
    report_dir = workdir / "reporte"
    truth = truth_dir / "accounts.csv"
    timed(
        "registry_report --truth",
        lambda: command("registry_report", "--out", str(report_dir), "--truth", str(truth)),
    )
    for what, lines in outputs.items():
        print(f"  {what}: " + " | ".join(lines[-3:]))

    if not args.skip_baseline:
        timed("map summaries (refresh_map_summaries)", lambda: command("refresh_map_summaries"))
        report("baseline: COPY padrón CSV into a bare table", baseline_copy(files.padron))
        timed("baseline: point-in-polygon join, after the report", baseline_join)
        print(f"    join rows: {joined:,}")
        padron = seconds["import_padron padron.csv"]
        link = seconds["link_registry"]
        copy = seconds["baseline: COPY padrón CSV into a bare table"]
        # The faster of the two joins: the ratio is never flattered by a slow baseline.
        pip = min(
            seconds["baseline: point-in-polygon join, before linking"],
            seconds["baseline: point-in-polygon join, after the report"],
        )
        print(f"  ratio import_padron / raw COPY:          {padron / copy:6.1f}")
        print(f"  ratio link_registry / raw spatial join:  {link / pip:6.1f}")
        print(
            f"  targets: import_padron < 120 s: {'yes' if padron < 120 else 'NO'}; "
            f"link_registry < 300 s: {'yes' if link < 300 else 'NO'}; "
            f"link within 3x of the join: {'yes' if link <= 3 * pip else 'NO'}"
        )

    print_truth_score(report_dir)
    print(f"  load average at the end: {load_average()}")
    if args.keep_files is None:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"  files, truth and report kept in {workdir}")


if __name__ == "__main__":
    main()
