"""Links every account to a parcel and a street segment, with method, score and candidates.

Evidence, in order of trust (each gives candidates with a score in [0, 1]):
1. cadastral key in the billing record equal to a parcel's key;
2. connection coordinates: the parcel containing the point, else the nearest within 15 m;
3. address: normalised street (fuzzy, pg_trgm) + exterior number against parcels' official
   addresses, colonia agreeing or at least not contradicting;
4. interpolation: the house number placed along a segment of that street by its number
   ranges, offset to the side of its parity, and the parcel found there.
Candidates for the same parcel reinforce each other; an account whose two best parcels are
nearly as good stays unlinked as ambiguous, with both listed; a best score under
``MIN_SCORE`` is not linked either. The street segment comes from the parcel's frontage on the
matched street, else the nearest segment. Links a person set or verified are kept as they are.
"""

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction

from gis_backend.imports.engine import copy_rows
from gis_backend.linking import address
from gis_backend.linking.prepare import stage_addresses

logger = logging.getLogger(__name__)

MIN_SCORE = 0.5
AMBIGUITY_MARGIN = 0.05
STREET_SIMILARITY = 0.45


@dataclass
class LinkSummary:
    accounts: int = 0
    by_method: dict[str, int] = field(default_factory=dict)
    ambiguous: int = 0
    unlinked: int = 0
    kept_verified: int = 0
    written: int = 0


def map_street_names() -> None:
    """lk_street_map: each account street key → known street keys (parcels and segments) with a
    similarity that honours street types ('PRIVADA HIDALGO' is not 'HIDALGO')."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS lk_street_names, lk_street_map")
        cursor.execute(
            """
            CREATE TEMP TABLE lk_street_names ON COMMIT DROP AS
            SELECT DISTINCT street_key FROM lk_parcel WHERE street_key IS NOT NULL
            UNION SELECT DISTINCT name_normalized FROM registry_streetsegment
            """
        )
        cursor.execute("CREATE INDEX ON lk_street_names USING gist (street_key gist_trgm_ops)")
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', '0.3', true)")
        cursor.execute(
            """
            SELECT a.street_key, n.street_key
            FROM (SELECT DISTINCT street_key FROM lk_account WHERE street_key IS NOT NULL) a
            JOIN lk_street_names n ON n.street_key % a.street_key
            """
        )
        pairs = cursor.fetchall()
        cursor.execute(
            "CREATE TEMP TABLE lk_street_map (account_key text, known_key text, sim real) "
            "ON COMMIT DROP"
        )
    rows = []
    for account_key, known_key in pairs:
        sim = 1.0 if account_key == known_key else address.street_similarity(account_key, known_key)
        if sim >= STREET_SIMILARITY:
            rows.append((account_key, known_key, sim))
    copy_rows("lk_street_map", ["account_key", "known_key", "sim"], rows)
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX ON lk_street_map (account_key)")
        cursor.execute("ANALYZE lk_street_map")


QUERIES = Path(__file__).resolve().parent / "queries" / "link.sql"


def load_steps(path: Path = QUERIES) -> dict[str, list[str]]:
    """The statements of each step of the linking SQL file, in file order."""
    text = path.read_text(encoding="utf-8")
    text = text.replace("{{MIN_SCORE}}", str(MIN_SCORE))
    text = text.replace("{{AMBIGUITY_MARGIN}}", str(AMBIGUITY_MARGIN))
    steps: dict[str, list[str]] = {}
    for chunk in text.split("-- step: ")[1:]:
        name, _newline, statement = chunk.partition("\n")
        steps.setdefault(name.strip(), []).append(statement.strip().rstrip(";"))
    return steps


def run_statements(statements: list[str]) -> int:
    """Run statements in order; return the row count of the last one."""
    rowcount = 0
    with connection.cursor() as cursor:
        for statement in statements:
            started = time.perf_counter()
            cursor.execute(statement)
            rowcount = cursor.rowcount
            logger.debug(
                "%.2f s, %d rows: %s", time.perf_counter() - started, rowcount, statement[:70]
            )
    return rowcount


def link_registry(*, dry_run: bool = False) -> LinkSummary:
    """Link every account; one transaction; returns what was decided."""
    summary = LinkSummary()
    with transaction.atomic():
        stage_addresses()
        map_street_names()
        steps = load_steps()
        for step in ("candidates", "choose", "segments"):
            run_statements(steps[step])
        summary.written = run_statements(steps["write"])
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
                "SELECT parcel_method, count(*) FROM lk_final "
                "WHERE parcel_id IS NOT NULL GROUP BY 1"
            )
            summary.by_method = dict(cursor.fetchall())
        if dry_run:
            transaction.set_rollback(True)
    logger.info("Linked %d accounts, %d unlinked", summary.accounts, summary.unlinked)
    return summary
