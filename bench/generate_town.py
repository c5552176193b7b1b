"""Generate and load the demo town at scale, timing each phase against raw PostGIS.

Usage (a database of its own, never one in use; it is migrated, then its registry emptied):

    psql -h 127.0.0.1 -U postgres -c 'create database padron_bench'
    DATABASE_URL=postgis://postgres@127.0.0.1:5432/padron_bench \\
        .venv/bin/python bench/generate_town.py --accounts 1000000

It prints the seconds of every phase (generate, COPY per table, readings, keys and indexes,
ANALYZE, ground truth) and, in the same run, the baseline: a plain COPY of the same parcel rows
(id, key, geometry as hex EWKB) into a bare table without indexes, and a CREATE INDEX USING GIST
on it. Ratios, not absolute seconds, are what compare across machines (see shared/PERF.md).
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import django

if TYPE_CHECKING:
    from gis_backend.demo.copytext import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_backend.config.settings")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--truth-dir", type=Path, default=None, help="default: a temporary folder")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument(
        "--history",
        action="store_true",
        help="let the registry's history triggers record every loaded row (slower)",
    )
    return parser.parse_args()


def baseline(parcels: "Table") -> dict[str, float]:
    """Raw PostGIS: COPY the parcel rows into a bare table, then index its geometry."""
    from django.conf import settings
    from django.db import connection, transaction

    from gis_backend.demo import copytext as ct

    columns = {name: parcels[name] for name in ("id", "cadastral_key", "geom")}
    timings: dict[str, float] = {}
    with transaction.atomic(), connection.cursor() as django_cursor:
        srid = int(settings.STORAGE_SRID)
        django_cursor.execute(
            "CREATE TEMP TABLE bench_parcel_raw (id bigint, cadastral_key varchar(40), "
            f"geom geometry(MultiPolygon, {srid})) ON COMMIT DROP"
        )
        cursor = connection.connection.cursor()
        started = time.perf_counter()
        with cursor.copy("COPY bench_parcel_raw (id, cadastral_key, geom) FROM STDIN") as copy:
            for piece in ct.chunks(columns):
                copy.write(piece.encode())
        timings["baseline: COPY parcels into a bare table"] = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute("CREATE INDEX ON bench_parcel_raw USING gist (geom)")
        timings["baseline: GiST index on it"] = time.perf_counter() - started
    return timings


def main() -> None:
    args = parse_args()
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from gis_backend.demo.loader import Timer, clear_registry, load_town, table_counts
    from gis_backend.demo.models import DemoTown
    from gis_backend.demo.town import GENERATOR_VERSION, generate_town
    from gis_backend.demo.truth import write_truth

    print(
        f"database {connection.settings_dict['NAME']}, {args.accounts:,} accounts, seed {args.seed}"
    )
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND c.relname LIKE 'registry%%'"
        )
        print(f"user (history) triggers on registry tables: {cursor.fetchone()[0]}")
        clear_registry()
        cursor.execute("TRUNCATE registry_registryhistory, demo_demotown")
        cursor.execute("CHECKPOINT")

    def report(name: str, seconds: float) -> None:
        print(f"  {name:<45} {seconds:8.1f} s", flush=True)

    def live(name: str, seconds: float) -> None:
        if ":" not in name:  # per-table key and index steps are summed up below
            report(name, seconds)

    timer = Timer(report=live)
    truth_dir = args.truth_dir or Path(tempfile.mkdtemp(prefix="padron-bench-"))
    started = time.perf_counter()
    with transaction.atomic():
        with timer.phase("generate"):
            town = generate_town(args.seed, args.accounts)
        fingerprint = load_town(town, timer, record_history=args.history)
        with timer.phase("ground truth"):
            directory = write_truth(town, truth_dir, fingerprint)
        DemoTown.objects.create(
            seed=args.seed,
            accounts=args.accounts,
            generator_version=GENERATOR_VERSION,
            fingerprint=fingerprint,
            counts=town.counts,
            truth_dir=str(directory),
        )
        committing = time.perf_counter()
    report("commit", time.perf_counter() - committing)
    total = time.perf_counter() - started
    print("  keys, indexes and foreign keys rebuilt, per table:")
    for name, seconds in timer.phases.items():
        if ":" in name and seconds >= 0.05:
            report("  " + name, seconds)
    rebuilt = sum(s for n, s in timer.phases.items() if ":" in n)
    report("keys, indexes and foreign keys (all)", rebuilt)
    print(f"  {'total (one transaction, committed)':<45} {total:8.1f} s")
    for table, rows in table_counts().items():
        print(f"    {table:<43} {rows:>12,} rows")
    if args.skip_baseline:
        return
    raw = baseline(town.tables["registry_parcel"])
    for name, seconds in raw.items():
        report(name, seconds)
    ours = timer.phases["COPY registry_parcel"]
    plain = raw["baseline: COPY parcels into a bare table"]
    print(f"  ratio COPY registry_parcel / raw COPY: {ours / plain:.2f}")


if __name__ == "__main__":
    main()
