"""Loading the demo town as one service: refuse, skip or load, in one transaction."""

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


def _municipality() -> str:
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
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        loaded = DemoTown.objects.order_by("-loaded_at").first()
        has_data = registry_has_data()
        same = loaded is not None and (loaded.seed, loaded.accounts, loaded.generator_version) == (
            seed,
            accounts,
            GENERATOR_VERSION,
        )
        if same and has_data and not replace:
            assert loaded is not None
            return LoadResult(
                Outcome.ALREADY_LOADED, table_counts(), Path(loaded.truth_dir), loaded.fingerprint
            )
        if has_data and not replace:
            raise RegistryNotEmpty
        if replace or loaded is not None:
            clear_registry()
            DemoTown.objects.all().delete()
        with timer.phase("generate"):
            town = generate_town(
                seed, accounts, municipality=_municipality(), srid=settings.STORAGE_SRID
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
        )
    return LoadResult(Outcome.LOADED, table_counts(), directory, fingerprint)
