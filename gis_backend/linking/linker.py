"""Links every account to a parcel and a street segment, with method, score and candidates.

Evidence, in order of trust (each gives candidates with a score in [0, 1]):
1. cadastral key in the billing record equal to a parcel's key (or the same key written
   another way: leading zeros, a trailing condominium group, without state and municipality,
   one group that lost its leading zeros);
2. connection coordinates: the parcels within 8 m of the point (its own strongest, the deeper
   inside the stronger);
3. address: normalised street (fuzzy, pg_trgm) + exterior number against parcels' official
   addresses, colonia agreeing or at least not contradicting; or manzana and lote ("MZ 3 LT
   12") in the same or a similar colonia, or on the same street where a colonia is unknown;
4. interpolation: the house number placed along a segment of that street by its number
   ranges, offset to the side of its parity, and the parcel found there; without ranges,
   between the parcels of its street with the nearest numbers, on an unnumbered parcel.
Candidates for the same parcel reinforce each other; an account whose two best parcels are
nearly as good stays unlinked as ambiguous, and one whose best score is under ``MIN_SCORE`` is
not linked either, unless exactly one of the parcels its address names equally well lies among
the parcels of its reading route's other accounts (method 'ruta_lectura'); all three keep their
five best candidates for the person who checks them.
The street segment comes from the parcel's frontage on the matched street, else the nearest
segment. Links a person set or verified are kept as they are.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from gis_backend.core.progress import Phases
from gis_backend.imports.bulk import first_load
from gis_backend.imports.engine import copy_rows
from gis_backend.linking import address, inputs
from gis_backend.linking.prepare import index_parcels, stage_accounts, stage_parcels
from gis_backend.linking.workspace import workspace

logger = logging.getLogger(__name__)

MIN_SCORE = 0.5
AMBIGUITY_MARGIN = 0.05
STREET_SIMILARITY = 0.7
COLONIA_EDIT_SIMILARITY = 0.8
MIN_COLONIA_EDIT_LENGTH = 6
UNTYPED_FACTOR = 0.9
# Streets matching an account's street less well than its best match by more than this are
# other streets: a street type written or left out costs 1 - UNTYPED_FACTOR (0.1, kept), a name
# inside another 0.15 (dropped when the best match is exact; link.sql, lk_street_colonia).
BEST_STREET_MARGIN = 0.12
# An ambiguous account takes the one tied parcel near the parcels of its reading route's other
# accounts: their centres in the same cell of a grid of this size, or in one next to it
# (link.sql, lk_route_cell).
ROUTE_METRES = 50
WORK_MEM = "512MB"


@dataclass
class LinkSummary:
    accounts: int = 0
    by_method: dict[str, int] = field(default_factory=dict)
    ambiguous: int = 0
    unlinked: int = 0
    kept_verified: int = 0
    written: int = 0


def street_match(account: address.StreetName, known: address.StreetName) -> float:
    """How likely two street names are the same street, in [0, 1].

    Two distinct street types or ordinals never match ('PRIVADA HIDALGO' is not 'CERRADA
    HIDALGO'). A name written without its type ('NEZAHUALCOYOTL' for a 'PRIVADA
    NEZAHUALCOYOTL', as billing files often do) matches a typed one, a little less well than
    the same type would. The name similarity is the best of: the normaliser's trigram and
    phonetic similarity, the edit similarity (transposed or dropped letters: 'PRORGESO',
    'OAXCA') and a name contained in the other ('LAJA' in 'RIO LAJA')."""
    if account.ordinal != known.ordinal:
        return 0.0
    factor = 1.0
    if account.type_class != known.type_class:
        if account.type_class and known.type_class:
            return 0.0
        factor = UNTYPED_FACTOR
    if account.key == known.key:
        return factor
    edit = DamerauLevenshtein.normalized_similarity(account.key, known.key)
    words_a, words_b = set(account.key.split()), set(known.key.split())
    shorter = min((words_a, words_b), key=len)
    nested = (words_a <= words_b or words_b <= words_a) and len("".join(shorter)) >= 4
    trigram = max(
        address.similarity(account.key, known.key),
        address.similarity(account.phonetic, known.phonetic),
    )
    return factor * max(trigram, edit, 0.85 if nested else 0.0)


def map_street_names() -> None:
    """lk_street_map: each account street key → known street keys (parcels and segments) that
    may name the same street, with their similarity."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT street_key FROM lk_parcel WHERE street_key IS NOT NULL
            UNION SELECT DISTINCT name_normalized FROM registry_streetsegment
            """
        )
        known_keys = [key for (key,) in cursor.fetchall()]
        cursor.execute("SELECT DISTINCT street_key FROM lk_account WHERE street_key IS NOT NULL")
        account_keys = [key for (key,) in cursor.fetchall()]
        cursor.execute(
            "CREATE UNLOGGED TABLE lk_street_map (account_key text, known_key text, sim real)"
        )
    known = [address.parse_street(key) for key in known_keys]
    by_name = [street.key for street in known]
    rows = []
    for account_key in account_keys:
        street = address.parse_street(account_key)
        # Cheap C++ prefilter on the names, then the full rule on the survivors.
        hits = process.extract(
            street.key, by_name, scorer=fuzz.token_set_ratio, score_cutoff=60, limit=None
        )
        for _name, _score, index in hits:
            sim = street_match(street, known[index])
            if sim >= STREET_SIMILARITY:
                rows.append((account_key, known_keys[index], sim))
    copy_rows("lk_street_map", ["account_key", "known_key", "sim"], rows)
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX ON lk_street_map (account_key)")
        cursor.execute("ANALYZE lk_street_map")


def add_misspelt_colonias() -> None:
    """Add to lk_colonia_alike the colonias a billing clerk misspelt: one or two letters
    swapped, dropped or wrong ('EL CRAMEN', 'LOS NARNAJOS', 'VALLE VREDE'), which trigram
    similarity misses in short names. Edit similarity of at least ``COLONIA_EDIT_SIMILARITY``,
    for account keys of ``MIN_COLONIA_EDIT_LENGTH`` characters or more (a shorter one is too
    close to too many names) that name no colonia of the cadastre as they are ('EL CARMEN' is
    El Carmen, not its neighbour 'EL CARMEN 2'; link.sql, lk_colonia_alike)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT colonia_key FROM lk_account WHERE colonia_key IS NOT NULL")
        account_keys = [key for (key,) in cursor.fetchall()]
        cursor.execute("SELECT colonia_key FROM lk_parcel_colonia")
        parcel_keys = [key for (key,) in cursor.fetchall()]
        known = set(parcel_keys)
        cursor.execute(
            "CREATE UNLOGGED TABLE lk_colonia_misspelt (account_colonia text, parcel_colonia text)"
        )
    rows = [
        (key, parcel_keys[index])
        for key in account_keys
        if len(key) >= MIN_COLONIA_EDIT_LENGTH and key not in known
        for _name, _score, index in process.extract(
            key,
            parcel_keys,
            scorer=DamerauLevenshtein.normalized_similarity,
            score_cutoff=COLONIA_EDIT_SIMILARITY,
            limit=None,
        )
    ]
    copy_rows("lk_colonia_misspelt", ["account_colonia", "parcel_colonia"], rows)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO lk_colonia_alike SELECT * FROM lk_colonia_misspelt ON CONFLICT DO NOTHING"
        )


QUERIES = Path(__file__).resolve().parent / "queries" / "link.sql"


def load_steps(path: Path = QUERIES) -> dict[str, list[str]]:
    """The statements of each step of the linking SQL file, in file order."""
    text = path.read_text(encoding="utf-8")
    text = text.replace("{{MIN_SCORE}}", str(MIN_SCORE))
    text = text.replace("{{AMBIGUITY_MARGIN}}", str(AMBIGUITY_MARGIN))
    text = text.replace("{{BEST_STREET_MARGIN}}", str(BEST_STREET_MARGIN))
    text = text.replace("{{ROUTE_METRES}}", str(ROUTE_METRES))
    steps: dict[str, list[str]] = {}
    for chunk in text.split("-- step: ")[1:]:
        name, _newline, statement = chunk.partition("\n")
        steps.setdefault(name.strip(), []).append(statement.strip().rstrip(";"))
    return steps


# What the progress bar says of each step of link.sql and of the steps in Python.
STEP_NAMES = {
    "accounts": _("direcciones de las cuentas"),
    "parcels": _("direcciones de los predios"),
    "parcel_segments": _("frentes de los predios"),
    "parcel_streets": _("calles de los predios"),
    "parcel_indexes": _("índices de los predios"),
    "street_names": _("nombres de calle"),
    "colonias": _("colonias"),
    "misspelt_colonias": _("colonias mal escritas"),
    "candidates": _("candidatos"),
    "choose": _("elección"),
    "segments": _("tramos"),
    "write": _("escritura de los vínculos"),
}
PYTHON_STEPS: dict[str, Callable[[], None]] = {
    "accounts": stage_accounts,
    "parcels": stage_parcels,
    "parcel_indexes": index_parcels,
    "street_names": map_street_names,
    "misspelt_colonias": add_misspelt_colonias,
}


def run_statements(statements: list[str], phases: Phases) -> list[int]:
    """Run statements in order (each one phase of ``phases``); return their row counts."""
    rowcounts = []
    with connection.cursor() as cursor:
        for statement in statements:
            started = time.perf_counter()
            cursor.execute(statement)
            rowcounts.append(cursor.rowcount)
            seconds = time.perf_counter() - started
            logger.debug("%.2f s, %d rows: %s", seconds, cursor.rowcount, statement[:70])
            phases.done()
    return rowcounts


def run_steps(names: tuple[str, ...], steps: dict[str, list[str]], phases: Phases) -> list[int]:
    """Run the steps ``names`` in order, each from link.sql or, in ``PYTHON_STEPS``, in Python;
    return the row counts of the SQL ones' statements."""
    rowcounts = []
    for name in names:
        phases.start(str(STEP_NAMES[name]))
        if name in PYTHON_STEPS:
            started = time.perf_counter()
            PYTHON_STEPS[name]()
            logger.debug("%.2f s: %s", time.perf_counter() - started, name)
            phases.done()
        else:
            rowcounts += run_statements(steps[name], phases)
    return rowcounts


# The steps that prepare the parcel-side inputs kept between runs (inputs.py): they run only
# when those are out of date.
PARCEL_STEPS = ("parcels", "parcel_segments", "parcel_streets", "parcel_indexes")
# The steps in the order they run, up to the one that writes the links ("write").
DECIDING = (
    "accounts", *PARCEL_STEPS, "street_names", "colonias", "misspelt_colonias", "candidates",
    "choose", "segments",
)  # fmt: skip


def deciding_steps(parcels_ready: bool) -> tuple[str, ...]:
    """The deciding steps a run takes, in order: the parcel-side ones only when the inputs kept
    for the parcels are out of date."""
    return tuple(name for name in DECIDING if not (parcels_ready and name in PARCEL_STEPS))


def set_memory() -> None:
    """Sorts, hashes and index builds of a million rows fit in memory instead of spilling to
    disk (the server default is 4 MB); for the rest of the transaction only."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{WORK_MEM}'")


def prepare_accounts() -> None:
    """Bring the accounts' kept addresses up to date (``prepare.stage_accounts``), for an
    import that changed accounts, inside its transaction: the next linking run finds them
    parsed."""
    set_memory()
    with workspace():
        inputs.check_fingerprint()
        stage_accounts()


def write_links(steps: dict[str, list[str]], phases: Phases, summary: LinkSummary) -> None:
    """Write the links decided (lk_final, lk_segment): a first linking of a large town in bulk
    (``first_load``), its keys and indexes rebuilt as the last phase; fill ``summary``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM lk_final")
        (accounts,) = cursor.fetchone()
    with first_load(("registry_accountlink",), accounts, "link_registry"):
        summary.written = sum(run_steps(("write",), steps, phases))
        phases.start(gettext("índices y llaves"))
    phases.done()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*),
                   count(*) FILTER (WHERE parcel_id IS NULL),
                   count(*) FILTER (WHERE unlinked_reason LIKE 'ambigua%'),
                   count(*) FILTER (WHERE parcel_verified)
            FROM lk_final
            """
        )
        summary.accounts, summary.unlinked, summary.ambiguous, summary.kept_verified = (
            cursor.fetchone()
        )
        cursor.execute(
            "SELECT parcel_method, count(*) FROM lk_final WHERE parcel_id IS NOT NULL GROUP BY 1"
        )
        summary.by_method = dict(cursor.fetchall())


def link_registry(*, dry_run: bool = False, progress: bool = False) -> LinkSummary:
    """Link every account; one transaction; returns what was decided. ``progress``: a bar of
    the steps on standard error."""
    summary = LinkSummary()
    steps = load_steps()
    with transaction.atomic():
        set_memory()
        with workspace():
            inputs.check_fingerprint()
            parcels_ready = inputs.parcels_ready()
            names = deciding_steps(parcels_ready)
            total = sum(
                1 if name in PYTHON_STEPS else len(steps[name]) for name in (*names, "write")
            )
            with Phases(gettext("Vinculando"), total + 1, progress) as phases:
                run_steps(names, steps, phases)
                if not parcels_ready:
                    inputs.mark_parcels_ready()
                write_links(steps, phases, summary)
        if dry_run:
            transaction.set_rollback(True)
    logger.info("Linked %d accounts, %d unlinked", summary.accounts, summary.unlinked)
    return summary
