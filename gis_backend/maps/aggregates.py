"""Arrears and suspensions per street segment, colonia or sector, for choropleths.

Definitions (documented in the API schema too):
- an account's balance is its newest collection snapshot; with ``date_from``/``date_to``, its
  newest snapshot whose cut-off date lies in that range;
- an account is *in arrears* when that balance is positive; its aging bucket comes from the
  snapshot's days overdue: 0–30, 31–90, 91–180, more than 180;
- suspensions count the restriction, cut and reconnection events that occurred in the range
  (all of them without a range); ``suspended``/``restricted`` count accounts by their current
  status;
- an account belongs to the segment of its stored link, to the colonia of its linked parcel (or,
  without one, of its linked segment), and to its sector. Accounts without one are counted in
  ``unassigned``; ``totals`` sums every account the filters kept.

Without a period, status or tariff the figures come from ``maps_unit_summary``, computed with
the other low-zoom summaries (a pass over every account takes seconds at a million accounts);
with them, from the live tables.
"""

import json
from dataclasses import dataclass
from typing import Any

from gis_backend.maps.db import map_cursor
from gis_backend.maps.filters import DEFAULT_PAGE_SIZE, DEFAULT_PRECISION, clip_bbox
from gis_backend.maps.geojson import bbox_env_sql, bbox_params


@dataclass(frozen=True)
class Unit:
    """A kind of map unit accounts are grouped by."""

    table: str
    account_key: str  # column of the per-account rows holding the unit's id
    properties: tuple[str, ...]  # unit table columns, written as properties
    name_column: str
    polygons: bool


UNITS = {
    "segments": Unit(
        "registry_streetsegment", "segment_id", ("name", "street_type", "colonia_id"), "name", False
    ),
    "colonias": Unit(
        "registry_colonia", "colonia_id", ("name", "settlement_type", "postal_code"), "name", True
    ),
    "sectors": Unit("registry_sector", "sector_id", ("code", "name"), "code", True),
}

FIGURES = (
    "accounts", "suspended", "restricted", "arrears_count", "arrears_amount", "arrears_share",
    "share_over_90",
    "aging_0_30_count", "aging_0_30_amount", "aging_31_90_count", "aging_31_90_amount",
    "aging_91_180_count", "aging_91_180_amount", "aging_181_mas_count", "aging_181_mas_amount",
    "restrictions", "cuts", "reconnections",
)  # fmt: skip

BUCKETS = {
    "0_30": "days_overdue <= 30",
    "31_90": "days_overdue BETWEEN 31 AND 90",
    "91_180": "days_overdue BETWEEN 91 AND 180",
    "181_mas": "days_overdue > 180",
}


def figures_sql() -> str:
    parts = [
        "count(*) AS accounts",
        "count(*) FILTER (WHERE status = 'suspendido') AS suspended",
        "count(*) FILTER (WHERE status = 'restringido') AS restricted",
        "count(*) FILTER (WHERE balance > 0) AS arrears_count",
        "coalesce(sum(balance) FILTER (WHERE balance > 0), 0) AS arrears_amount",
        "round(count(*) FILTER (WHERE balance > 0)::numeric / greatest(count(*), 1), 4)"
        " AS arrears_share",
        # Most accounts owe the current bill: the share over 90 days tells areas apart.
        "round(count(*) FILTER (WHERE balance > 0 AND days_overdue > 90)::numeric"
        " / greatest(count(*), 1), 4) AS share_over_90",
    ]
    for bucket, condition in BUCKETS.items():
        parts.append(f"count(*) FILTER (WHERE balance > 0 AND {condition}) AS aging_{bucket}_count")
        parts.append(
            f"coalesce(sum(balance) FILTER (WHERE balance > 0 AND {condition}), 0)"
            f" AS aging_{bucket}_amount"
        )
    parts += [
        "coalesce(sum(restrictions), 0) AS restrictions",
        "coalesce(sum(cuts), 0) AS cuts",
        "coalesce(sum(reconnections), 0) AS reconnections",
    ]
    return ",\n               ".join(parts)


def zero_figures_sql(alias: str) -> str:
    return ", ".join(f"'{name}', coalesce({alias}.{name}, 0)" for name in FIGURES)


@dataclass
class AggregateResult:
    features: list[str]
    has_more: bool
    totals: dict[str, Any]
    unassigned: dict[str, Any]
    limit: int
    offset: int


# Parameters that choose which accounts and snapshots count; without them the answer comes from
# the precomputed maps_unit_summary (refreshed with the other map summaries).
ACCOUNT_PARAMETERS = ("date_from", "date_to", "status", "tariff")


def uses_summary(params: dict[str, Any]) -> bool:
    return not any(name in params for name in ACCOUNT_PARAMETERS)


def accounts_ctes(params: dict[str, Any], sql_params: dict[str, Any]) -> str:
    """The ``latest``, ``events`` and ``accounts`` CTEs: one row per account that counts."""
    snapshot_where, event_where, account_where = ["true"], ["true"], ["true"]
    if "date_from" in params:
        sql_params["date_from"] = params["date_from"]
        snapshot_where.append("as_of >= %(date_from)s")
        event_where.append("occurred_on >= %(date_from)s")
    if "date_to" in params:
        sql_params["date_to"] = params["date_to"]
        snapshot_where.append("as_of <= %(date_to)s")
        event_where.append("occurred_on <= %(date_to)s")
    for name in ("status", "tariff"):
        if name in params:
            sql_params[name] = params[name]
            account_where.append(f"a.{name} = ANY(%({name})s)")
    return f"""
        latest AS (
            SELECT DISTINCT ON (account_id) account_id, balance, days_overdue
              FROM registry_collectionsnapshot
             WHERE {" AND ".join(snapshot_where)}
             ORDER BY account_id, as_of DESC
        ),
        events AS (
            SELECT account_id,
                   count(*) FILTER (WHERE kind = 'restriccion') AS restrictions,
                   count(*) FILTER (WHERE kind = 'corte') AS cuts,
                   count(*) FILTER (WHERE kind = 'reconexion') AS reconnections
              FROM registry_suspensionevent
             WHERE {" AND ".join(event_where)}
             GROUP BY account_id
        ),
        accounts AS (
            SELECT a.status, a.sector_id, l.segment_id,
                   coalesce(p.colonia_id, sg.colonia_id) AS colonia_id,
                   latest.balance, latest.days_overdue,
                   events.restrictions, events.cuts, events.reconnections
              FROM registry_account AS a
              LEFT JOIN registry_accountlink AS l ON l.account_id = a.id
              LEFT JOIN registry_parcel AS p ON p.id = l.parcel_id
              LEFT JOIN registry_streetsegment AS sg ON sg.id = l.segment_id
              LEFT JOIN latest ON latest.account_id = a.id
              LEFT JOIN events ON events.account_id = a.id
             WHERE {" AND ".join(account_where)}
        )"""


def refresh_unit_summary(cursor: Any) -> None:
    """Recompute maps_unit_summary: every unit kind and the total in one pass over accounts.
    Called by ``summaries.refresh_summaries()`` in its transaction."""
    keys = [unit.account_key for unit in UNITS.values()]
    unit_case = " ".join(
        f"WHEN grouping({unit.account_key}) = 0 THEN '{name}'" for name, unit in UNITS.items()
    )
    unit_id = f"coalesce({', '.join(keys)})"
    cursor.execute("DELETE FROM maps_unit_summary")
    cursor.execute(
        f"""
        INSERT INTO maps_unit_summary (unit, unit_id, {", ".join(FIGURES)})
        WITH {accounts_ctes({}, {})}
        SELECT CASE {unit_case} ELSE 'total' END, {unit_id}, {figures_sql()}
          FROM accounts
         GROUP BY GROUPING SETS ({", ".join(f"({key})" for key in keys)}, ())
        """
    )
    cursor.execute("ANALYZE maps_unit_summary")


def aggregate(unit_name: str, params: dict[str, Any]) -> AggregateResult:
    unit = UNITS[unit_name]
    limit = params.get("limit", DEFAULT_PAGE_SIZE)
    offset = params.get("offset", 0)
    sql_params: dict[str, Any] = {
        "precision": params.get("precision", DEFAULT_PRECISION),
        "limit_plus_one": limit + 1,
        "offset": offset,
        "unit": unit_name,
    }
    if uses_summary(params):
        per_unit = f"""
        per_unit AS (
            SELECT unit_id, unit = 'total' AS is_total, {", ".join(FIGURES)}
              FROM maps_unit_summary
             WHERE unit IN (%(unit)s, 'total')
        )"""
    else:
        per_unit = f"""{accounts_ctes(params, sql_params)},
        per_unit AS MATERIALIZED (
            SELECT {unit.account_key} AS unit_id,
                   grouping({unit.account_key}) = 1 AS is_total,
                   {figures_sql()}
              FROM accounts
             GROUP BY GROUPING SETS (({unit.account_key}), ())
        )"""
    unit_where = ["true"]
    if "bbox" in params:
        clipped = clip_bbox(params["bbox"])
        if clipped is None:
            unit_where.append("false")
        else:
            sql_params.update(bbox_params(clipped))
            unit_where.append(f"ST_Intersects(u.geom, {bbox_env_sql()})")
    order = [
        f"{column} {'DESC' if descending else 'ASC'} NULLS LAST"
        for column, descending in params.get("ordering", [])
    ] + ["id"]
    geometry = "ST_Transform(u.geom, 4326)"
    if unit.polygons:
        geometry = f"ST_ForcePolygonCCW({geometry})"
    if params.get("geometry") is False:
        geometry = "NULL::geometry"
    unit_properties = ", ".join(f"'{name}', u.{name}" for name in unit.properties)
    sql = f"""
        WITH {per_unit},
        page AS (
            SELECT u.id, u.geom, {", ".join(f"u.{name}" for name in unit.properties)},
                   {", ".join(f"coalesce(f.{name}, 0) AS {name}" for name in FIGURES)}
              FROM {unit.table} AS u
              LEFT JOIN per_unit AS f ON f.unit_id = u.id AND NOT f.is_total
             WHERE {" AND ".join(unit_where)}
             ORDER BY {", ".join(order)}
             LIMIT %(limit_plus_one)s OFFSET %(offset)s
        )
        SELECT 0 AS part, row_number() OVER (ORDER BY {", ".join(order)}) AS n,
               '{{"type":"Feature","id":' || u.id
               || ',"geometry":' || coalesce(ST_AsGeoJSON({geometry}, %(precision)s), 'null')
               || ',"properties":'
               || json_build_object({unit_properties}, {zero_figures_sql("u")})::text || '}}'
          FROM page AS u
        UNION ALL
        SELECT CASE WHEN f.is_total THEN 1 ELSE 2 END, 0,
               json_build_object({zero_figures_sql("f")})::text
          FROM per_unit AS f
         WHERE f.is_total OR f.unit_id IS NULL
         ORDER BY 1, 2
    """
    with map_cursor() as cursor:
        cursor.execute(sql, sql_params)
        rows = cursor.fetchall()
    features = [text for part, _n, text in rows if part == 0]
    extra = {part: json.loads(text) for part, _n, text in rows if part != 0}
    zero = dict.fromkeys(FIGURES, 0)
    return AggregateResult(
        features=features[:limit],
        has_more=len(features) > limit,
        totals=extra.get(1, zero),
        unassigned=extra.get(2, zero),
        limit=limit,
        offset=offset,
    )
