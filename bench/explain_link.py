"""Where ``link_registry`` spends its time, statement by statement, on a town already loaded.

Usage (on a database ``bench/import_link.py`` loaded; nothing is written, the run is rolled
back):

    DATABASE_URL=postgis://postgres@127.0.0.1:5432/padron_bench_import \\
        .venv/bin/python bench/explain_link.py [--explain TEXT ...] [--min-seconds S]

Runs the linker's deciding steps (``linking/linker.py``: every step up to the one that writes the
links) in one transaction, exactly as ``link_registry`` runs them, with the inputs kept between
runs prepared first when they are out of date, and prints the seconds and rows of every
statement of at least ``--min-seconds`` (0.3 unless given), then their sum. Each statement that
contains one of the ``--explain`` texts runs under ``EXPLAIN (ANALYZE)`` instead, in its place
(its table is created and filled as usual, so the later statements run as they would), and its
plan is printed. The transaction is rolled back at the end: the kept inputs prepared here are
prepared again by the next real run.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_backend.config.settings")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--explain", action="append", default=[], metavar="TEXT")
    parser.add_argument("--min-seconds", type=float, default=0.3)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    django.setup()
    from django.db import connection, transaction

    from gis_backend.linking import inputs, linker
    from gis_backend.linking.workspace import workspace

    steps = linker.load_steps()
    total = 0.0
    with transaction.atomic(), connection.cursor() as cursor:
        linker.set_memory()
        with workspace():
            inputs.check_fingerprint()
            for name in linker.deciding_steps(inputs.parcels_ready()):
                work: list[tuple[str, str | None]]
                if name in linker.PYTHON_STEPS:
                    work = [(name, None)]
                else:
                    work = [(statement, statement) for statement in steps[name]]
                for label, statement in work:
                    explain = statement is not None and any(t in statement for t in args.explain)
                    plan = ""
                    started = time.perf_counter()
                    if statement is None:
                        linker.PYTHON_STEPS[label]()
                    elif explain:
                        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + statement)
                        plan = "\n".join(row[0] for row in cursor.fetchall())
                    else:
                        cursor.execute(statement)
                    seconds = time.perf_counter() - started
                    total += seconds
                    rows = "" if statement is None or explain else f", {cursor.rowcount} rows"
                    text = " ".join(label.split())[:80]
                    if seconds >= args.min_seconds or explain:
                        print(f"{seconds:6.2f} s{rows}: [{name}] {text}", flush=True)
                    if explain:
                        print(plan, flush=True)
        transaction.set_rollback(True)
    print(f"{total:6.2f} s in all")


if __name__ == "__main__":
    main()
