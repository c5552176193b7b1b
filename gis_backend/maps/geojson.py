"""GeoJSON FeatureCollections (RFC 7946) assembled by PostGIS.

Each feature is written as JSON text by the database (``ST_AsGeoJSON`` of the geometry
transformed to EPSG:4326, ``row_to_json`` of the properties); Python only joins the
features of one page and adds the collection's members. Building one Python object per feature
through a DRF serializer costs 15–43 times more (../shared/PERF.md).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from gis_backend.maps import queries
from gis_backend.maps.db import map_cursor
from gis_backend.maps.filters import DEFAULT_PAGE_SIZE, DEFAULT_PRECISION, clip_bbox

# Whole-world search envelope, for queries whose FROM needs one when no bbox was asked for.
WORLD_ENV = f"ST_MakeEnvelope(-1e10, -1e10, 1e10, 1e10, {settings.STORAGE_SRID})"


def bbox_env_sql() -> str:
    """The bbox parameters as a polygon in the storage SRID. Its edges are densified first:
    a lon/lat rectangle is not a rectangle in UTM, and four corners would cut its sides."""
    return (
        "ST_Transform(ST_Segmentize(ST_MakeEnvelope(%(bbox_w)s, %(bbox_s)s, %(bbox_e)s, "
        f"%(bbox_n)s, 4326), %(bbox_step)s), {settings.STORAGE_SRID})"
    )


def any_of(column: str) -> Callable[[str], str]:
    return lambda name: f"{column} = ANY(%({name})s)"


def at_least(column: str) -> Callable[[str], str]:
    return lambda name: f"{column} >= %({name})s"


def at_most(column: str) -> Callable[[str], str]:
    return lambda name: f"{column} <= %({name})s"


def equals(column: str) -> Callable[[str], str]:
    return lambda name: f"{column} = %({name})s"


@dataclass(frozen=True)
class FeatureLayer:
    """A GeoJSON layer: its SELECT (see ``maps.queries``) and how parameters apply to it."""

    name: str
    select: str
    properties: tuple[str, ...]
    # Parameter → SQL condition on the SELECT's output columns (alias q).
    conditions: dict[str, Callable[[str], str]] = field(default_factory=dict)
    # True when the SELECT's FROM takes the envelope itself ({env}) to pick rows by index.
    env_in_from: bool = False
    polygons: bool = False
    # Name of the boolean column telling that a row carries unmasked personal data.
    personal_flag: str | None = None
    # Parameter → SQL of an envelope (storage SRID) holding every row the parameter can select:
    # the search envelope when no bbox was asked for, so that e.g. ``parcel=`` reads a few rows
    # by the spatial index instead of locating every account of the town.
    env_for: dict[str, str] = field(default_factory=dict)


ACCOUNTS_PROPERTIES = (
        "number",
        "status",
        "tariff",
        "giro",
        "metered",
        "dwellings",
        "located_at",
        "billing_address",
        "billing_colonia",
        "parcel_id",
        "parcel_method",
        "parcel_score",
        "segment_id",
        "segment_method",
        "segment_score",
        "colonia_id",
        "colonia",
        "sector_id",
        "sector",
        "route_id",
        "route",
        "balance_as_of",
        "balance",
        "months_overdue",
        "days_overdue",
        "aging",
        "payment_agreement",
        "map_class",
        "holder_name",
        "holder_phone",
        "holder_email",
        "holder_notification_address",
        "holder_masked",
    )  # fmt: skip

PARCELS_PROPERTIES = (
        "cadastral_key",
        "street",
        "number",
        "colonia_id",
        "colonia",
        "land_use",
        "built_area",
        "dwellings",
        "accounts",
        "status",
        "balance",
        "months_overdue",
        "days_overdue",
        "aging",
        "map_class",
    )  # fmt: skip

SEGMENTS_PROPERTIES = (
        "name",
        "street_type",
        "colonia_id",
        "colonia",
        "left_from",
        "left_to",
        "right_from",
        "right_to",
        "arrears_count",
    )  # fmt: skip

METERS_PROPERTIES = (
        "serial",
        "brand",
        "model",
        "diameter",
        "state",
        "installed_on",
        "located_at",
        "account_id",
        "account_number",
        "status",
        "tariff",
        "sector_id",
        "route_id",
    )  # fmt: skip

# The link scores (confidence in [0, 1] of the account's parcel and segment links), beside the
# columns of maps.queries.ACCOUNTS; rounded to 3 decimals, which is all the linker resolves.
ACCOUNTS_SELECT = f"""
SELECT q0.*,
       round(lk.parcel_score::numeric, 3)::float8 AS parcel_score,
       round(lk.segment_score::numeric, 3)::float8 AS segment_score
  FROM ({queries.ACCOUNTS}) AS q0
  LEFT JOIN registry_accountlink AS lk ON lk.account_id = q0.id
"""

# Accounts in arrears on each segment, live (the GeoJSON is the detail layer; the tiles and the
# unfiltered aggregates read the same definition from maps_segment_summary): accounts linked to
# the segment whose newest collection snapshot has a positive balance.
SEGMENTS_SELECT = f"""
SELECT q0.*, coalesce(ar.arrears_count, 0) AS arrears_count
  FROM ({queries.SEGMENTS}) AS q0
  LEFT JOIN LATERAL (
      SELECT count(*)::int AS arrears_count
        FROM registry_accountlink AS l
        JOIN LATERAL (
            SELECT c.balance
              FROM registry_collectionsnapshot AS c
             WHERE c.account_id = l.account_id
             ORDER BY c.as_of DESC
             LIMIT 1
        ) AS cs ON true
       WHERE l.segment_id = q0.id AND cs.balance > 0
  ) AS ar ON true
"""


# Where the accounts linked to the parcels asked for can be drawn: their connection point or
# their parcel (see maps_located_accounts); their meters also at their own location.
PARCEL_ACCOUNTS_ENV = f"""
(SELECT ST_SetSRID(
            ST_Expand(ST_Extent(ST_Collect(ARRAY[a.connection_point, p.geom, m.location])), 1)
            ::geometry,
            {settings.STORAGE_SRID})
   FROM registry_accountlink AS lp
   JOIN registry_account AS a ON a.id = lp.account_id
   LEFT JOIN registry_parcel AS p ON p.id = lp.parcel_id
   LEFT JOIN registry_meter AS m ON m.account_id = a.id
  WHERE lp.parcel_id = ANY(%(parcel)s))
"""


def linked_to_parcel(column: str) -> Callable[[str], str]:
    """Rows whose account (``column``) is linked to one of the parcels given."""
    return lambda name: (
        f"{column} IN (SELECT lp.account_id FROM registry_accountlink AS lp"
        f" WHERE lp.parcel_id = ANY(%({name})s))"
    )


ACCOUNT_CONDITIONS = {
    "number": equals("q.number"),
    "parcel": any_of("q.parcel_id"),
    "status": any_of("q.status"),
    "tariff": any_of("q.tariff"),
    "colonia": any_of("q.colonia_id"),
    "sector": any_of("q.sector_id"),
    "route": any_of("q.route_id"),
    "months_overdue_min": at_least("q.months_overdue"),
    "months_overdue_max": at_most("q.months_overdue"),
    "balance_min": at_least("coalesce(q.balance, 0)"),
    "balance_max": at_most("coalesce(q.balance, 0)"),
    "aging": any_of("q.aging"),
    "map_class": any_of("q.map_class"),
    "link_method": any_of("coalesce(q.parcel_method, 'sin_vinculo')"),
}

ACCOUNTS = FeatureLayer(
    name="accounts",
    select=ACCOUNTS_SELECT,
    properties=ACCOUNTS_PROPERTIES,
    conditions=ACCOUNT_CONDITIONS,
    env_in_from=True,
    personal_flag="_personal_data",
    env_for={"parcel": PARCEL_ACCOUNTS_ENV},
)

PARCELS = FeatureLayer(
    name="parcels",
    select=queries.PARCELS,
    properties=PARCELS_PROPERTIES,
    conditions={
        "cadastral_key": equals("q.cadastral_key"),
        "colonia": any_of("q.colonia_id"),
        "land_use": any_of("q.land_use"),
        "status": any_of("q.status"),
        "months_overdue_min": at_least("q.months_overdue"),
        "months_overdue_max": at_most("q.months_overdue"),
        "balance_min": at_least("coalesce(q.balance, 0)"),
        "balance_max": at_most("coalesce(q.balance, 0)"),
        "aging": any_of("q.aging"),
        "map_class": any_of("q.map_class"),
    },
    polygons=True,
)

SEGMENTS = FeatureLayer(
    name="segments",
    select=SEGMENTS_SELECT,
    properties=SEGMENTS_PROPERTIES,
    conditions={
        "name": lambda name: (
            f"unaccent(lower(q.name)) LIKE '%%' || unaccent(lower(%({name})s)) || '%%'"
        ),
        "street_type": any_of("q.street_type"),
        "colonia": any_of("q.colonia_id"),
    },
)

METERS = FeatureLayer(
    name="meters",
    select=queries.METERS,
    properties=METERS_PROPERTIES,
    conditions={
        "serial": equals("q.serial"),
        "parcel": linked_to_parcel("q.account_id"),
        "state": any_of("q.state"),
        "diameter": any_of("q.diameter"),
        "status": any_of("q.status"),
        "tariff": any_of("q.tariff"),
        "sector": any_of("q.sector_id"),
        "route": any_of("q.route_id"),
    },
    env_in_from=True,
    env_for={"parcel": PARCEL_ACCOUNTS_ENV},
)


@dataclass
class Page:
    """One page of features: the features' JSON texts, and what the log and links need."""

    features: list[str]
    has_more: bool
    personal_data_ids: list[int]
    limit: int
    offset: int


def bbox_params(bbox: tuple[float, float, float, float]) -> dict[str, float]:
    west, south, east, north = bbox
    return {
        "bbox_w": west,
        "bbox_s": south,
        "bbox_e": east,
        "bbox_n": north,
        # about 32 vertices a side: exact to centimetres at town scale
        "bbox_step": max(east - west, north - south) / 32,
    }


def select_features(
    layer: FeatureLayer,
    params: dict[str, Any],
    *,
    personal: bool = False,
    extra_conditions: tuple[str, ...] = (),
    extra_params: dict[str, Any] | None = None,
) -> Page:
    """Run the layer's query with validated parameters (``MapFilterSet.cleaned()``)."""
    limit = params.get("limit", DEFAULT_PAGE_SIZE)
    offset = params.get("offset", 0)
    sql_params: dict[str, Any] = {
        "personal": personal,
        "precision": params.get("precision", DEFAULT_PRECISION),
        "limit_plus_one": limit + 1,
        "offset": offset,
        **(extra_params or {}),
    }
    where = list(extra_conditions)
    env = WORLD_ENV
    if "bbox" in params:
        clipped = clip_bbox(params["bbox"])
        if clipped is None:
            return Page([], False, [], limit, offset)
        sql_params.update(bbox_params(clipped))
        env = bbox_env_sql()
        # ST_Intersects brings its own index test (&&) for the layers filtered here.
        where.append(f"ST_Intersects(q.geom, {env})")
    else:
        narrowing = [sql for name, sql in layer.env_for.items() if name in params]
        if narrowing:
            env = narrowing[0]
    for name, condition in layer.conditions.items():
        if name in params:
            where.append(condition(name))
            sql_params[name] = params[name]
    order = [
        f"q.{column} {'DESC' if descending else 'ASC'} NULLS LAST"
        for column, descending in params.get("ordering", [])
    ]
    order.append("q.id")
    order_sql = ", ".join(order)
    geometry = "ST_Transform(q.geom, 4326)"
    if layer.polygons:
        geometry = f"ST_ForcePolygonCCW({geometry})"  # RFC 7946 §3.1.6: exterior rings CCW
    # row_to_json of a sub-row: compact JSON, keys named after the columns.
    properties = ", ".join(f"q.{name}" for name in layer.properties)
    flag = f"q.{layer.personal_flag}" if layer.personal_flag else "false"
    # One level: PostgreSQL evaluates the costly feature text only for the rows that survive
    # the sort and LIMIT.
    sql = f"""
        SELECT q.id,
               {flag},
               '{{"type":"Feature","id":' || q.id
               || ',"geometry":' || coalesce(ST_AsGeoJSON({geometry}, %(precision)s), 'null')
               || ',"properties":' || row_to_json((SELECT r FROM (SELECT {properties}) AS r))::text
               || '}}'
          FROM ({layer.select.replace("{env}", env)}) AS q
         WHERE {" AND ".join(where) or "true"}
         ORDER BY {order_sql}
         LIMIT %(limit_plus_one)s OFFSET %(offset)s
    """
    with map_cursor() as cursor:
        cursor.execute(sql, sql_params)
        rows = cursor.fetchall()
    page_rows = rows[:limit]
    return Page(
        features=[row[2] for row in page_rows],
        has_more=len(rows) > limit,
        personal_data_ids=[row[0] for row in page_rows if row[1]],
        limit=limit,
        offset=offset,
    )


def feature_collection(features: list[str], **members: Any) -> bytes:
    """The FeatureCollection's bytes: ``members`` (foreign members: paging, totals) then the
    features, already JSON text."""
    head = json.dumps({"type": "FeatureCollection", **members}, ensure_ascii=False, default=str)
    return (head[:-1] + ',"features":[' + ",".join(features) + "]}").encode()
