"""Ground truth of a demo town, written apart from the database so detection can be scored.

``<dir>/town-<seed>-<accounts>/``:
- ``accounts.csv``: per account its true parcel (cadastral key), true street segment (the id
  as loaded and a stable key ``name_normalized|colonia|lowest-highest number``), the quality of
  its billing address (clean, messy, no_number, hopeless), whether its billing cadastral key is
  exact, a typo or absent, whether its connection point is exact, swapped, off or absent, and
  the anomaly planted on it, if any;
- ``anomalies.json``: the planted anomalies by kind, with their keys;
- ``town.json``: seed, accounts, generator version, fingerprint and row counts.
Holder data (personal data) is never written in these files. (``load_demo`` also writes, in
``archivos/`` below, the files a utility would hand over, whose padrón names the holders, and
the registry report in ``reporte/``.)
"""

import csv
import json
from pathlib import Path

from gis_backend.demo import copytext as ct
from gis_backend.demo.town import GENERATOR_VERSION, Town


def truth_directory(base: Path, seed: int, accounts: int) -> Path:
    return base / f"town-{seed}-{accounts}"


def write_truth(town: Town, base: Path, fingerprint: str) -> Path:
    directory = truth_directory(base, town.seed, town.accounts)
    directory.mkdir(parents=True, exist_ok=True)
    _write_csv(directory / "accounts.csv", town.truth_accounts)
    _write_json(directory / "anomalies.json", town.anomalies)
    summary = {
        "seed": town.seed,
        "accounts": town.accounts,
        "generator_version": GENERATOR_VERSION,
        "fingerprint": fingerprint,
        "counts": town.counts,
        "anomaly_counts": {kind: len(items) for kind, items in town.anomalies.items()},
    }
    _write_json(directory / "town.json", summary)
    return directory


def _write_csv(path: Path, table: ct.Table) -> None:
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(list(table))
        total = ct.rows(table)
        for start in range(0, total, 100_000):
            columns = [column[start : start + 100_000].tolist() for column in table.values()]
            writer.writerows(zip(*columns, strict=True))
    tmp.replace(path)


def _write_json(path: Path, data: object) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(
        json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    tmp.replace(path)


def read_truth_accounts(directory: Path) -> list[dict[str, str]]:
    with (directory / "accounts.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_anomalies(directory: Path) -> dict[str, list[dict[str, object]]]:
    data: dict[str, list[dict[str, object]]] = json.loads(
        (directory / "anomalies.json").read_text("utf-8")
    )
    return data
