"""The registry report: how well the padrón is tied to the map, and what needs a person.

Writes into a folder:
- ``resumen.md`` and ``resumen.json``: share linked per method, ambiguous, unlinked by reason,
  and, given a ground-truth file, the share linked to the right parcel;
- ``links.csv``: one row per account (cuenta, clave_catastral, tramo_id, calle_tramo, metodo,
  score, verificado; empty parcel when unlinked);
- problem lists as CSV and GeoPackage: possible duplicate accounts, meters on two accounts,
  parcels with more dwellings than accounts, built parcels without an account.
"""

import csv
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
from django.conf import settings
from django.db import connection
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gis_backend.imports.columns import aliased
from gis_backend.imports.problems import MISSING_COLUMN, ImportFileError, Problem
from gis_backend.imports.tabular import read_table
from gis_backend.registry.choices import LinkMethod

LINKS_SQL = """
    SELECT a.number AS cuenta, coalesce(p.cadastral_key, '') AS clave_catastral,
           coalesce(l.segment_id::text, '') AS tramo_id, coalesce(s.name, '') AS calle_tramo,
           coalesce(nullif(l.parcel_method, ''), '') AS metodo,
           coalesce(round(l.parcel_score::numeric, 3)::text, '') AS score,
           CASE WHEN l.parcel_verified THEN 'si' ELSE 'no' END AS verificado
    FROM registry_account a
    LEFT JOIN registry_accountlink l ON l.account_id = a.id
    LEFT JOIN registry_parcel p ON p.id = l.parcel_id
    LEFT JOIN registry_streetsegment s ON s.id = l.segment_id
    ORDER BY a.number
"""

# Each problem list: (file name, description, SQL returning attribute columns and a geometry
# column "geom" as WKB in the storage CRS, which may be NULL).
PROBLEMS: list[tuple[str, str | Promise, str]] = [
    (
        "cuentas_duplicadas",
        _("Cuentas en el mismo predio con el mismo número interior (posibles duplicados)"),
        """
        SELECT p.cadastral_key AS clave_catastral, a.billing_int_number AS numero_int,
               string_agg(a.number, ' ' ORDER BY a.number) AS cuentas, count(*) AS num_cuentas,
               ST_AsBinary(ST_PointOnSurface(p.geom)) AS geom
        FROM registry_accountlink l
        JOIN registry_account a ON a.id = l.account_id
        JOIN registry_parcel p ON p.id = l.parcel_id
        WHERE a.status <> 'baja_definitiva'
        GROUP BY p.id, a.billing_int_number
        HAVING count(*) > 1
        ORDER BY p.cadastral_key
        """,
    ),
    (
        "medidor_en_varias_cuentas",
        _("Medidores que el padrón pone en más de una cuenta (no se asignaron)"),
        """
        SELECT a.attributes ->> 'medidor_en_conflicto' AS medidor_serie,
               string_agg(a.number, ' ' ORDER BY a.number) AS cuentas, count(*) AS num_cuentas,
               ST_AsBinary(ST_Centroid(ST_Collect(ST_PointOnSurface(p.geom)))) AS geom
        FROM registry_account a
        LEFT JOIN registry_accountlink l ON l.account_id = a.id
        LEFT JOIN registry_parcel p ON p.id = l.parcel_id
        WHERE a.attributes ? 'medidor_en_conflicto'
        GROUP BY 1
        ORDER BY 1
        """,
    ),
    (
        "viviendas_sin_cuenta",
        _("Predios con más viviendas que las que sirven sus cuentas activas"),
        """
        SELECT p.cadastral_key AS clave_catastral, p.dwellings AS viviendas_predio,
               coalesce(sum(a.dwellings), 0)::int AS viviendas_en_cuentas,
               count(a.id) AS cuentas, ST_AsBinary(p.geom) AS geom
        FROM registry_parcel p
        JOIN registry_accountlink l ON l.parcel_id = p.id
        LEFT JOIN registry_account a
          ON a.id = l.account_id AND a.status IN ('activo', 'restringido')
        GROUP BY p.id
        HAVING p.dwellings > coalesce(sum(a.dwellings), 0)
        ORDER BY p.dwellings - coalesce(sum(a.dwellings), 0) DESC, p.cadastral_key
        """,
    ),
    (
        "predios_construidos_sin_cuenta",
        _("Predios con construcción y sin ninguna cuenta vinculada"),
        """
        SELECT p.cadastral_key AS clave_catastral, p.built_area::float AS sup_construida,
               p.street AS calle, p.number AS numero, p.land_use AS uso_suelo,
               ST_AsBinary(p.geom) AS geom
        FROM registry_parcel p
        WHERE p.built_area > 0
          AND NOT EXISTS (SELECT 1 FROM registry_accountlink l WHERE l.parcel_id = p.id)
        ORDER BY p.cadastral_key
        """,
    ),
]


@dataclass
class SegmentScore:
    """Accounts the truth names something for, and how many were linked to it, to another one
    or to none; as such, those whose street segment it names (by the street layer's own
    identifier)."""

    accounts: int = 0
    right: int = 0
    wrong: int = 0
    unlinked: int = 0


@dataclass
class TruthScore(SegmentScore):
    """Accounts by the parcel the truth names for them."""

    segments: SegmentScore | None = None  # when the truth names segments

    @property
    def right_share(self) -> float:
        return self.right / self.accounts if self.accounts else 0.0


@dataclass
class Report:
    accounts: int = 0
    linked: int = 0
    by_method: dict[str, int] = field(default_factory=dict)
    ambiguous: int = 0
    unlinked_by_reason: dict[str, int] = field(default_factory=dict)
    with_segment: int = 0
    verified: int = 0
    problems: dict[str, int] = field(default_factory=dict)
    truth: TruthScore | None = None


def fetch(sql: str, params: list[Any] | None = None) -> tuple[list[str], list[tuple[Any, ...]]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        return names, cursor.fetchall()


def summarise() -> Report:
    report = Report()
    _names, rows = fetch(
        """
        SELECT count(*), count(l.parcel_id), count(l.segment_id),
               count(*) FILTER (WHERE l.parcel_verified),
               count(*) FILTER (WHERE l.unlinked_reason LIKE 'ambigua%')
        FROM registry_account a LEFT JOIN registry_accountlink l ON l.account_id = a.id
        """
    )
    report.accounts, report.linked, report.with_segment, report.verified, report.ambiguous = rows[0]
    _names, rows = fetch(
        "SELECT parcel_method, count(*) FROM registry_accountlink "
        "WHERE parcel_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC"
    )
    report.by_method = dict(rows)
    _names, rows = fetch(
        """
        SELECT coalesce(nullif(l.unlinked_reason, ''), %s::text), count(*)
        FROM registry_account a LEFT JOIN registry_accountlink l ON l.account_id = a.id
        WHERE l.parcel_id IS NULL GROUP BY 1 ORDER BY 2 DESC
        """,
        [gettext("sin vincular todavía (corra link_registry)")],
    )
    report.unlinked_by_reason = dict(rows)
    return report


# The truth's columns as the generator names them (and a street layer's segment identifier).
TRUTH_COLUMNS = {
    "cuenta": ("account_number",),
    "clave_catastral": ("parcel_key",),
    "tramo_id": ("segment_id", "id_tramo"),
}


def score_against_truth(truth: Path) -> TruthScore:
    """Share of accounts linked to the parcel the ground truth names (columns: account number and
    parcel key, e.g. ``account_number,parcel_key`` or ``cuenta,clave_catastral``), and to the
    street segment it names when it has a column for it (``segment_id``, ``tramo_id`` or
    ``id_tramo``: the street layer's own identifier)."""
    # Read as a padrón is (any encoding and separator, headers in any case).
    table = read_table(truth, required=())
    ours_of = aliased(table.columns, TRUTH_COLUMNS)
    table.columns = [ours_of.get(name, name) for name in table.columns]
    missing = [name for name in ("cuenta", "clave_catastral") if name not in table.columns]
    if missing:
        raise ImportFileError([Problem(truth.name, 1, missing[0], str(MISSING_COLUMN))])
    expected = {row["cuenta"]: row["clave_catastral"] for _line, row in table.rows}
    _names, rows = fetch(
        """
        SELECT a.number, p.cadastral_key, s.source_key FROM registry_account a
        LEFT JOIN registry_accountlink l ON l.account_id = a.id
        LEFT JOIN registry_parcel p ON p.id = l.parcel_id
        LEFT JOIN registry_streetsegment s ON s.id = l.segment_id
        """
    )
    parcels = {number: key for number, key, _segment in rows}
    score = TruthScore(accounts=len(expected))
    tally(score, expected, parcels)
    if "tramo_id" in table.columns:
        segments = {number: segment for number, _key, segment in rows}
        named = {row["cuenta"]: row["tramo_id"] for _line, row in table.rows}
        score.segments = SegmentScore(accounts=sum(1 for key in named.values() if key))
        tally(score.segments, {number: key for number, key in named.items() if key}, segments)
    return score


def tally(score: SegmentScore, expected: dict[str, str], found: dict[str, str | None]) -> None:
    """Count each expected account right, wrong or unlinked by what it was linked to (an
    account number the billing system wrote with leading zeros is found without them)."""
    for number, key in expected.items():
        linked = found.get(number, found.get(number.lstrip("0")))
        if linked is None:
            score.unlinked += 1
        elif linked == key:
            score.right += 1
        else:
            score.wrong += 1


def write_problem_lists(out: Path) -> dict[str, int]:
    counts = {}
    for name, _description, sql in PROBLEMS:
        names, rows = fetch(sql)
        counts[name] = len(rows)
        attributes = [n for n in names if n != "geom"]
        with (out / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(attributes)
            writer.writerows([row[: len(attributes)] for row in rows])
        gpkg = out / f"{name}.gpkg"
        gpkg.unlink(missing_ok=True)
        geometry = np.array(
            [bytes(row[-1]) if row[-1] is not None else None for row in rows], dtype=object
        )
        columns = [np.array([row[i] for row in rows], dtype=object) for i in range(len(attributes))]
        pyogrio.raw.write(
            gpkg,
            geometry=geometry,
            field_data=columns,
            fields=attributes,
            crs=f"EPSG:{settings.STORAGE_SRID}",
            geometry_type="Unknown",
            driver="GPKG",
            layer=name,
        )
    return counts


def write_links(out: Path) -> None:
    names, rows = fetch(LINKS_SQL)
    with (out / "links.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        writer.writerows(rows)


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "—"


def markdown(report: Report) -> str:
    def share(part: int, whole: int) -> dict[str, Any]:
        return {"n": part, "share": percent(part, whole)}

    accounts = report.accounts
    counts = [
        gettext("Cuentas: %(n)s") % {"n": accounts},
        gettext("Vinculadas a un predio: %(n)s (%(share)s)") % share(report.linked, accounts),
        gettext("Con tramo de calle: %(n)s (%(share)s)") % share(report.with_segment, accounts),
        gettext("Ambiguas (varios predios igual de probables): %(n)s") % {"n": report.ambiguous},
        gettext("Vínculos verificados por una persona: %(n)s") % {"n": report.verified},
    ]
    lines = [
        "# " + gettext("Reporte del padrón"),
        "",
        *(f"- {line}" for line in counts),
        "",
        "## " + gettext("Vinculadas por método"),
        "",
        f"| {gettext('método')} | {gettext('cuentas')} | % |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| {method_label(method)} | {count} | {percent(count, report.accounts)} |"
        for method, count in report.by_method.items()
    ]
    lines += [
        "",
        "## " + gettext("Sin vincular, por motivo"),
        "",
        f"| {gettext('motivo')} | {gettext('cuentas')} |",
        "|---|---:|",
    ]
    lines += [f"| {reason} | {count} |" for reason, count in report.unlinked_by_reason.items()]
    lines += [
        "",
        "## " + gettext("Listas de problemas"),
        "",
        f"| {gettext('lista')} | {gettext('renglones')} | {gettext('archivos')} |",
        "|---|---:|---|",
    ]
    descriptions = {name: description for name, description, _sql in PROBLEMS}
    lines += [
        f"| {descriptions[name]} | {count} | `{name}.csv`, `{name}.gpkg` |"
        for name, count in report.problems.items()
    ]
    if report.truth:
        truth = report.truth
        scored = [
            gettext("Cuentas en la verdad de campo: %(n)s") % {"n": truth.accounts},
            gettext("Vinculadas al predio correcto: %(n)s (%(share)s)")
            % share(truth.right, truth.accounts),
            gettext("Vinculadas a otro predio: %(n)s (%(share)s)")
            % share(truth.wrong, truth.accounts),
            gettext("Sin vincular: %(n)s (%(share)s)") % share(truth.unlinked, truth.accounts),
        ]
        if truth.segments is not None:
            segments = truth.segments
            scored += [
                gettext("Cuentas con su tramo en la verdad de campo: %(n)s")
                % {"n": segments.accounts},
                gettext("Con el tramo correcto: %(n)s (%(share)s)")
                % share(segments.right, segments.accounts),
                gettext("Con otro tramo: %(n)s (%(share)s)")
                % share(segments.wrong, segments.accounts),
                gettext("Sin tramo: %(n)s (%(share)s)")
                % share(segments.unlinked, segments.accounts),
            ]
        lines += ["", "## " + gettext("Contra la verdad de campo"), ""]
        lines += [f"- {line}" for line in scored]
    return "\n".join(lines) + "\n"


def method_label(method: str) -> str:
    """How a person reads a link method ('direccion': 'Dirección')."""
    return str(LinkMethod(method).label) if method in LinkMethod.values else method


def write_report(out: Path, *, truth: Path | None = None) -> Report:
    out.mkdir(parents=True, exist_ok=True)
    report = summarise()
    write_links(out)
    report.problems = write_problem_lists(out)
    if truth is not None:
        report.truth = score_against_truth(truth)
    (out / "resumen.md").write_text(markdown(report), encoding="utf-8")
    data = asdict(report)
    if report.truth:
        data["truth"]["right_share"] = report.truth.right_share
    (out / "resumen.json").write_text(
        json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return report
