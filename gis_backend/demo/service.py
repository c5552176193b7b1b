"""Loading the demo town as one service: refuse, skip or load, in one transaction.

``demo_town_load`` COPYs the generated tables straight into the registry (``load_demo
--direct``, the benchmark); ``pipeline.demo_town_pipeline`` takes the way a utility's data
takes. Both go through ``claim``: a town is "already loaded" only when the same seed, size,
generator version and way of loading are recorded in demo_demotown."""

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from gis_backend.demo.loader import (
    Timer,
    clear_registry,
    load_town,
    registry_has_data,
    table_counts,
)
from gis_backend.demo.models import DemoTown
from gis_backend.demo.town import GENERATOR_VERSION, generate_town
from gis_backend.demo.truth import write_truth

DEFAULT_TRUTH_DIR = Path(settings.PROJECT_DIR) / "var" / "demo"
_LOCK_KEY = 7_240_311  # advisory lock: one demo load at a time per database


def municipality() -> str:
    """INEGI state + municipality key of the service area (Cortazar: 11011)."""
    key = getattr(settings, "SERVICE_AREA", None) or getattr(
        settings, "SERVICE_AREA_MUNICIPALITY", "11011"
    )
    return str(key)[:5]


class Outcome(Enum):
    LOADED = "loaded"
    ALREADY_LOADED = "already_loaded"


class RegistryNotEmpty(Exception):
    """The registry holds data that is not this demo town; loading would mix them."""


@dataclass
class LoadResult:
    outcome: Outcome
    counts: dict[str, int]
    truth_dir: Path
    fingerprint: str


def claim(*, seed: int, accounts: int, method: DemoTown.Method, replace: bool) -> DemoTown | None:
    """Inside the caller's transaction, one load at a time: the DemoTown row when this very town
    is loaded already (nothing to do); RegistryNotEmpty when the registry holds other data and
    ``replace`` is not set; otherwise None, with the registry emptied (if there was anything)."""
    if not connection.in_atomic_block:
        raise RuntimeError("claim must run inside a transaction")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    loaded = DemoTown.objects.order_by("-loaded_at").first()
    has_data = registry_has_data()
    same = loaded is not None and (
        loaded.seed,
        loaded.accounts,
        loaded.generator_version,
        loaded.method,
    ) == (seed, accounts, GENERATOR_VERSION, method)
    if same and has_data and not replace:
        return loaded
    if has_data and not replace:
        raise RegistryNotEmpty
    if replace or loaded is not None:
        clear_registry()
        DemoTown.objects.all().delete()
    return None


def demo_town_load(
    *,
    seed: int,
    accounts: int,
    truth_dir: Path = DEFAULT_TRUTH_DIR,
    replace: bool = False,
    record_history: bool = True,
    timer: Timer | None = None,
) -> LoadResult:
    timer = timer or Timer()
    with transaction.atomic():
        loaded = claim(seed=seed, accounts=accounts, method=DemoTown.Method.DIRECT, replace=replace)
        if loaded is not None:
            return LoadResult(
                Outcome.ALREADY_LOADED, table_counts(), Path(loaded.truth_dir), loaded.fingerprint
            )
        with timer.phase("generate"):
            town = generate_town(
                seed, accounts, municipality=municipality(), srid=settings.STORAGE_SRID
            )
        fingerprint = load_town(town, timer, record_history=record_history)
        with timer.phase("ground truth"):
            directory = write_truth(town, truth_dir, fingerprint)
        DemoTown.objects.create(
            seed=seed,
            accounts=accounts,
            generator_version=GENERATOR_VERSION,
            fingerprint=fingerprint,
            counts=table_counts(),
            truth_dir=str(directory),
            method=DemoTown.Method.DIRECT,
        )
    return LoadResult(Outcome.LOADED, table_counts(), directory, fingerprint)
