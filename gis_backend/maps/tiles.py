"""Mapbox vector tiles from ST_AsMVT, their cache and their TileJSON.

Detail zooms draw one feature per object from the live tables; parcels (and the label points
of accounts drawn at their parcel) from ``maps_parcel_tile``, which triggers keep in step with
the registry in Web Mercator with each parcel's state (sql/post_10_maps.sql). Below a layer's
``detail_minzoom`` (layers/catalogue.yaml) a tile would hold most of the town, tens of
megabytes: those zooms draw the low-zoom summaries instead (a 76 m grid of parcels, accounts
and arrears, merged 2^(14−z) cells a side; segments with arrears, simplified), which
``maps.summaries`` keeps in step with the data.

Every tile is cached in ``maps_tile_cache`` under its address, parameters and data version;
its ETag is derived from the same, so a client's If-None-Match is answered (304) without
building or reading the tile.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from gis_backend.access.roles import Role
from gis_backend.maps import summaries
from gis_backend.maps.catalogue import Layer
from gis_backend.maps.db import map_cursor
from gis_backend.maps.summaries import live_version, summary_version

EXTENT = 4096
BUFFER = 64
GRID_BASE_ZOOM = 14
GRID_CELLS_PER_TILE = 32
HALF_WORLD = 20037508.342789244
SRID = settings.STORAGE_SRID

TILE = "ST_TileEnvelope(%(z)s, %(x)s, %(y)s)"
# The tile and its buffer in Web Mercator, to pick tile-ready rows (maps_parcel_tile) by their
# spatial index; the same in the storage SRID for the registry's own geometry.
TILE_ENV = f"ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => {BUFFER / EXTENT})"
STORAGE_ENV = f"ST_Transform({TILE_ENV}, {SRID})"


def mvt_geom(geometry_3857: str) -> str:
    return f"ST_AsMVTGeom({geometry_3857}, {TILE}, {EXTENT}, {BUFFER}, true)"


LATEST_COLLECTION = """
    LEFT JOIN LATERAL (
        SELECT c.balance, c.months_overdue, c.days_overdue
          FROM registry_collectionsnapshot AS c
         WHERE c.account_id = a.id
         ORDER BY c.as_of DESC
         LIMIT 1
    ) AS cs ON true
"""

# Parcels read their state from maps_parcel_tile, kept in step with the registry by triggers
# (sql/post_10_maps.sql: the accounts linked to the parcel, the most severe of their statuses,
# the sum of their positive newest balances, the largest days overdue among those).
PARCELS_SQL = f"""
SELECT t.parcel_id AS id, t.cadastral_key,
       t.accounts,
       coalesce(t.status, 'sin_cuenta') AS status,
       t.balance::float8 AS balance,
       t.days_overdue,
       CASE WHEN t.balance > 0 THEN maps_aging_bucket(t.days_overdue) ELSE 'sin_adeudo' END
           AS aging,
       maps_map_class(t.status, t.balance, t.days_overdue) AS map_class,
       {mvt_geom("t.geom")} AS geom
  FROM maps_parcel_tile AS t
 WHERE t.geom && {TILE_ENV}
"""

ACCOUNTS_SQL = f"""
SELECT a.id, a.number, a.status, a.tariff, la.located_at,
       cs.balance::float8 AS balance,
       coalesce(cs.months_overdue, 0) AS months_overdue,
       coalesce(cs.days_overdue, 0) AS days_overdue,
       CASE WHEN cs.balance > 0 THEN maps_aging_bucket(cs.days_overdue) ELSE 'sin_adeudo' END
           AS aging,
       maps_map_class(a.status, cs.balance, cs.days_overdue) AS map_class,
       {mvt_geom("la.geom")} AS geom
  FROM maps_tile_accounts({TILE_ENV}, {STORAGE_ENV}) AS la
  JOIN registry_account AS a ON a.id = la.account_id
  {LATEST_COLLECTION}
"""

SEGMENTS_SQL = f"""
SELECT sg.id, sg.name,
       coalesce(s.accounts, 0) AS accounts,
       coalesce(s.arrears_count, 0) AS arrears_count,
       coalesce(s.arrears_amount, 0)::float8 AS arrears_amount,
       coalesce(s.aging_0_30, 0) AS aging_0_30,
       coalesce(s.aging_31_90, 0) AS aging_31_90,
       coalesce(s.aging_91_180, 0) AS aging_91_180,
       coalesce(s.aging_181_mas, 0) AS aging_181_mas,
       coalesce(s.suspended, 0) AS suspended,
       coalesce(s.restricted, 0) AS restricted,
       maps_aging_bucket(s.max_days_overdue) AS aging,
       {mvt_geom("ST_Transform(sg.geom, 3857)")} AS geom
  FROM registry_streetsegment AS sg
  LEFT JOIN maps_segment_summary AS s ON s.segment_id = sg.id
 WHERE sg.geom && {STORAGE_ENV}
"""

# Low zooms: segments with arrears only, simplified to a tenth of the tile's pixel... of its
# 4096-unit grid, and fewer properties.
SEGMENTS_GENERALISED_SQL = f"""
SELECT sg.id,
       s.arrears_count,
       s.arrears_amount::float8 AS arrears_amount,
       maps_aging_bucket(s.max_days_overdue) AS aging,
       {mvt_geom("ST_Simplify(ST_Transform(sg.geom, 3857), %(pixel)s)")} AS geom
  FROM maps_segment_summary AS s
  JOIN registry_streetsegment AS sg ON sg.id = s.segment_id
 WHERE s.arrears_count > 0 AND sg.geom && {STORAGE_ENV}
"""

SUSPENSIONS_SQL = f"""
SELECT e.id, la.account_id, a.number AS account_number, e.kind,
       e.occurred_on::text AS occurred_on, nullif(e.reason, '') AS reason,
       {mvt_geom("la.geom")} AS geom
  FROM maps_tile_accounts({TILE_ENV}, {STORAGE_ENV}) AS la
  -- LATERAL: the events of each located account by index, not a scan of all events.
  CROSS JOIN LATERAL (
      SELECT ev.id, ev.kind, ev.occurred_on, ev.reason
        FROM registry_suspensionevent AS ev
       WHERE ev.account_id = la.account_id
         AND ev.occurred_on BETWEEN %(date_from)s AND %(date_to)s
         AND (%(kinds)s::text[] IS NULL OR ev.kind = ANY(%(kinds)s::text[]))
      OFFSET 0  -- keeps it a per-account index lookup instead of a hash join of all events
  ) AS e
  JOIN registry_account AS a ON a.id = la.account_id
"""

# Cells of the grid merged 2^(14−z) a side; polygons so the choropleth covers the town.
GRID_SQL = f"""
SELECT gx::bigint * 1048576 + gy AS id, parcels, parcels_without_account, built_without_account,
       accounts, active, restricted, suspended, closed, arrears_count,
       arrears_amount::float8 AS arrears_amount,
       round(arrears_count::numeric / greatest(accounts, 1), 3)::float8 AS arrears_share,
       round((aging_91_180 + aging_181_mas)::numeric / greatest(accounts, 1), 3)::float8
           AS share_over_90,
       aging_0_30, aging_31_90, aging_91_180, aging_181_mas,
       ST_AsMVTGeom(
           ST_MakeEnvelope(-{HALF_WORLD} + gx * %(size)s::float8,
                           {HALF_WORLD} - (gy + 1) * %(size)s::float8,
                           -{HALF_WORLD} + (gx + 1) * %(size)s::float8,
                           {HALF_WORLD} - gy * %(size)s::float8,
                           3857),
           {TILE}, {EXTENT}, 0, true) AS geom
  FROM (
      SELECT cell_x / %(factor)s AS gx, cell_y / %(factor)s AS gy,
             sum(parcels)::int AS parcels,
             sum(parcels_without_account)::int AS parcels_without_account,
             sum(built_without_account)::int AS built_without_account,
             sum(accounts)::int AS accounts, sum(active)::int AS active,
             sum(restricted)::int AS restricted, sum(suspended)::int AS suspended,
             sum(closed)::int AS closed, sum(arrears_count)::int AS arrears_count,
             sum(arrears_amount) AS arrears_amount,
             sum(aging_0_30)::int AS aging_0_30, sum(aging_31_90)::int AS aging_31_90,
             sum(aging_91_180)::int AS aging_91_180, sum(aging_181_mas)::int AS aging_181_mas
        FROM maps_grid_cell
       WHERE cell_x BETWEEN %(x0)s AND %(x1)s AND cell_y BETWEEN %(y0)s AND %(y1)s
       GROUP BY 1, 2
      -- OFFSET 0 keeps the planner from pushing "geom IS NOT NULL" below the GROUP BY, which
      -- computed ST_AsMVTGeom for every 76 m cell instead of every merged one (50 times more).
      OFFSET 0
  ) AS cells
 WHERE {{grid_condition}}
"""

# What each grid layer is about: cells where it has something to show.
GRID_CONDITIONS = {
    "parcels_grid": "parcels > 0",
    "accounts_grid": "accounts > 0",
    "suspensions_grid": "suspended + restricted > 0",
}

GRID_FIELDS = {
    "parcels": "Number",
    "parcels_without_account": "Number",
    "built_without_account": "Number",
    "accounts": "Number",
    "active": "Number",
    "restricted": "Number",
    "suspended": "Number",
    "closed": "Number",
    "arrears_count": "Number",
    "arrears_amount": "Number",
    "arrears_share": "Number",
    "share_over_90": "Number",
    "aging_0_30": "Number",
    "aging_31_90": "Number",
    "aging_91_180": "Number",
    "aging_181_mas": "Number",
}

# Attributes of each tile layer, for TileJSON's vector_layers.
TILE_FIELDS: dict[str, dict[str, str]] = {
    "parcels": {
        "cadastral_key": "String",
        "accounts": "Number",
        "status": "String",
        "balance": "Number",
        "days_overdue": "Number",
        "aging": "String",
        "map_class": "String",
    },
    "accounts": {
        "number": "String",
        "status": "String",
        "tariff": "String",
        "located_at": "String",
        "balance": "Number",
        "months_overdue": "Number",
        "days_overdue": "Number",
        "aging": "String",
        "map_class": "String",
    },
    "segments": {
        "name": "String",
        "accounts": "Number",
        "arrears_count": "Number",
        "arrears_amount": "Number",
        "aging_0_30": "Number",
        "aging_31_90": "Number",
        "aging_91_180": "Number",
        "aging_181_mas": "Number",
        "suspended": "Number",
        "restricted": "Number",
        "aging": "String",
    },
    "suspensions": {
        "account_id": "Number",
        "account_number": "String",
        "kind": "String",
        "occurred_on": "String",
        "reason": "String",
    },
    "parcels_grid": GRID_FIELDS,
    "accounts_grid": GRID_FIELDS,
    "suspensions_grid": GRID_FIELDS,
}


@dataclass(frozen=True)
class TilePlan:
    """What to draw for one tile address: the MVT layer, its SQL, and what versions it."""

    mvt_layer: str
    sql: str
    params: dict[str, Any]
    uses_summaries: bool


def tile_size(z: int) -> float:
    return 2 * HALF_WORLD / (2**z)


def grid_plan(mvt_layer: str, z: int, x: int, y: int) -> TilePlan:
    factor = 2 ** (GRID_BASE_ZOOM - z)
    cells = GRID_CELLS_PER_TILE * factor
    params = {
        "factor": factor,
        "size": tile_size(GRID_BASE_ZOOM) / GRID_CELLS_PER_TILE * factor,
        "x0": x * cells,
        "x1": (x + 1) * cells - 1,
        "y0": y * cells,
        "y1": (y + 1) * cells - 1,
    }
    sql = GRID_SQL.replace("{grid_condition}", GRID_CONDITIONS[mvt_layer])
    return TilePlan(mvt_layer, sql, params, uses_summaries=True)


def plan_tile(layer: Layer, z: int, x: int, y: int, options: dict[str, Any]) -> TilePlan | None:
    """The plan for a tile, or None when the layer draws nothing at this zoom."""
    detail = z >= (layer.detail_minzoom or 0)
    if layer.id == "parcels":
        return (
            TilePlan("parcels", PARCELS_SQL, {}, False)
            if detail
            else grid_plan("parcels_grid", z, x, y)
        )
    if layer.id == "accounts":
        return (
            TilePlan("accounts", ACCOUNTS_SQL, {}, False)
            if detail
            else grid_plan("accounts_grid", z, x, y)
        )
    if layer.id == "segments":
        if z < layer.minzoom:
            return None
        if detail:
            return TilePlan("segments", SEGMENTS_SQL, {}, True)
        pixel = tile_size(z) / EXTENT
        return TilePlan("segments", SEGMENTS_GENERALISED_SQL, {"pixel": pixel}, True)
    if layer.id == "suspensions":
        if not detail:
            return grid_plan("suspensions_grid", z, x, y)
        today = date.today()
        params = {
            "date_from": options.get("date_from", today - timedelta(days=365)),
            "date_to": options.get("date_to", today),
            "kinds": options.get("kind"),
        }
        return TilePlan("suspensions", SUSPENSIONS_SQL, params, False)
    return None


def version_and_cached(
    plan: TilePlan | None, key: str, *, gzip: bool = False
) -> tuple[int, bytes | None]:
    """The data version a tile reflects, and its cached body if there is one (gzipped if asked
    for and stored so: see ``summaries.GZIP_MAGIC``)."""
    if plan is not None and plan.uses_summaries:
        return summary_version(key, gzip=gzip)
    return live_version(key, gzip=gzip)


@cache
def lookup_sql(by_token: bool, uses_summaries: bool) -> str:
    """One statement for a tile request: may the caller see tiles (a token's or a session
    user's: active, with a role or superuser; NULL when the token is unknown), the data version
    the tile reflects, whether that version may be served as it is (summaries: refreshed, or not
    old enough to be refreshed: ``summary_version``'s rule), and the cached body for it.

    The tile itself is built by a statement of its own on a miss (``render_and_store``): in the
    same statement, PostgreSQL planned it on every request, cached ones included (custom plans
    were cheaper than the generic one for tiles far from the data), about 1 ms for accounts."""
    user_model = get_user_model()
    users = user_model._meta.db_table
    user_groups = user_model.groups.through._meta.db_table  # type: ignore[attr-defined]
    source = (
        f'authtoken_token AS t JOIN "{users}" AS u ON u.id = t.user_id WHERE t.key = %(who)s'
        if by_token
        else f'"{users}" AS u WHERE u.id = %(who)s::bigint'
    )
    state = (
        """SELECT s.data_version AS version,
                  s.data_version = maps_data_version()
                  OR clock_timestamp() - s.refreshed_at
                     <= make_interval(secs => %(min_age)s::float8) AS usable
             FROM maps_summary_state AS s WHERE s.id = 1"""
        if uses_summaries
        else "SELECT maps_data_version() AS version, true AS usable"
    )
    return f"""
        SELECT (SELECT u.is_active AND (u.is_superuser OR EXISTS (
                           SELECT FROM "{user_groups}" AS ug
                             JOIN auth_group AS g ON g.id = ug.group_id
                            WHERE ug.user_id = u.id AND g.name = ANY(%(roles)s::text[])))
                  FROM {source}),
               st.version, st.usable,
               (SELECT CASE WHEN %(gzip)s::boolean THEN coalesce(c.body_gzip, c.body)
                            ELSE c.body END
                  FROM maps_tile_cache AS c
                 WHERE c.key = %(key)s::text AND c.data_version = st.version)
          FROM (VALUES (1)) AS one LEFT JOIN ({state}) AS st ON true
    """


PARAMETER = re.compile(r"%\((\w+)\)s")
# Tiles built by a prepared statement from this zoom: small tiles, where planning (about 1 ms
# for accounts and suspensions) weighs against running (0.1–5 ms at z16–z18). Denser tiles are
# planned for their own address, as before: one generic plan for z15's and z18's was not
# worth the risk for a saving lost in their 10–80 ms.
PREPARED_MINZOOM = 16


def execute_prepared(cursor: Any, sql: str, params: dict[str, Any]) -> None:
    """Run ``sql`` (with ``%(name)s`` parameters) as a prepared statement of this database
    session: PREPARE once per session, then EXECUTE. The tile statements can take longer to
    plan than to run (about 1 ms for accounts and suspensions, whose detail tiles then take
    0.1–5 ms); PostgreSQL may keep a generic plan instead (its choice, after five runs), as it
    does for raw psycopg, which prepares a query run five times. Prepared statements outlive a
    rolled-back transaction; a new connection starts afresh."""
    prepared: tuple[Any, dict[str, tuple[str, list[str]]]] | None = getattr(
        connection, "_padron_prepared", None
    )
    if prepared is None or prepared[0] is not connection.connection:
        prepared = (connection.connection, {})
        connection._padron_prepared = prepared  # type: ignore[attr-defined]
    statement = prepared[1].get(sql)
    if statement is None:
        names: list[str] = []
        for name in PARAMETER.findall(sql):
            if name not in names:
                names.append(name)
        text = PARAMETER.sub(lambda match: f"${names.index(match.group(1)) + 1}", sql)
        statement = (f"padron_tile_{len(prepared[1]) + 1}", names)
        cursor.execute(f"PREPARE {statement[0]} AS {text}")
        prepared[1][sql] = statement
    name, names = statement
    placeholders = ", ".join(["%s"] * len(names))
    cursor.execute(f"EXECUTE {name}({placeholders})", [params[n] for n in names])


@dataclass(frozen=True)
class TileLookup:
    allowed: bool  # an active user with a role (or a superuser) behind the token or session
    version: int
    body: bytes | None  # cached for that version


def lookup(
    plan: TilePlan | None,
    key: str,
    *,
    token: str = "",
    user_id: Any = None,
    gzip: bool = False,
) -> TileLookup:
    """Who is asking, the data version and the cached body: one round trip (more only when the
    summaries must be recomputed first, as ``version_and_cached`` does). Pass the token, or the
    id of the session's user."""
    uses_summaries = plan is not None and plan.uses_summaries
    params = {
        "who": token if token else user_id,
        "roles": [role.value for role in Role],
        "min_age": summaries.MIN_AGE_SECONDS,
        "key": key,
        "gzip": gzip,
    }
    with map_cursor() as cursor:
        execute_prepared(cursor, lookup_sql(bool(token), uses_summaries), params)
        allowed, version, usable, body = cursor.fetchone()
    if not allowed:
        return TileLookup(False, 0, None)
    if version is None:  # summaries never computed
        return TileLookup(True, summaries.refresh_summaries(), None)
    if not usable:  # stale and old enough: recompute them (or see another request doing it)
        refreshed = summaries.fresh_summaries()
        if refreshed != version:
            return TileLookup(True, refreshed, None)
    return TileLookup(True, int(version), bytes(body) if body is not None else None)


def store_gzip(key: str, version: int, packed: bytes) -> None:
    """Keep the gzipped body beside the cached one, for the next clients accepting gzip."""
    with map_cursor() as cursor:
        cursor.execute(
            "UPDATE maps_tile_cache SET body_gzip = %s WHERE key = %s AND data_version = %s",
            [packed, key, version],
        )


def cache_key(layer: str, z: int, x: int, y: int, options: dict[str, Any]) -> str:
    query = "&".join(f"{key}={options[key]}" for key in sorted(options))
    return f"{layer}/{z}/{x}/{y}?{query}"


def etag_for(key: str, version: int) -> str:
    digest = hashlib.blake2b(f"{key}#{version}".encode(), digest_size=12).hexdigest()
    return f'"{digest}"'


def store_tile(key: str, version: int, body: bytes) -> None:
    with map_cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO maps_tile_cache (key, data_version, body) VALUES (%s, %s, %s)
            ON CONFLICT (key) DO UPDATE
               SET data_version = EXCLUDED.data_version, body = EXCLUDED.body, body_gzip = NULL,
                   created_at = now()
            """,
            [key, version, body],
        )


def tile_sql(plan: TilePlan) -> str:
    # No "WHERE geom IS NOT NULL": ST_AsMVT skips NULL geometries itself, and the planner would
    # push that filter into the scans, running ST_AsMVTGeom (and ST_PointOnSurface) for rows
    # the joins then drop, and twice for those they keep.
    return f"SELECT ST_AsMVT(t, %(mvt_layer)s::text, {EXTENT}, 'geom', 'id') FROM ({plan.sql}) AS t"


def render_tile(plan: TilePlan | None, z: int, x: int, y: int) -> bytes:
    if plan is None:
        return b""
    with map_cursor() as cursor:
        cursor.execute(
            tile_sql(plan), {"z": z, "x": x, "y": y, "mvt_layer": plan.mvt_layer, **plan.params}
        )
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""


def render_and_store(
    plan: TilePlan | None, z: int, x: int, y: int, key: str, version: int
) -> bytes:
    """Build the tile and keep it in the cache: one statement, one round trip; prepared once per
    database session (``execute_prepared``) from ``PREPARED_MINZOOM``."""
    if plan is None:
        store_tile(key, version, b"")
        return b""
    sql = f"""
        WITH tile AS ({tile_sql(plan)}),
        stored AS (
            INSERT INTO maps_tile_cache (key, data_version, body)
            SELECT %(cache_key)s::text, %(version)s::bigint, coalesce(st_asmvt, '') FROM tile
            ON CONFLICT (key) DO UPDATE
               SET data_version = EXCLUDED.data_version, body = EXCLUDED.body,
                   body_gzip = NULL, created_at = now()
        )
        SELECT st_asmvt FROM tile
    """
    params = {"z": z, "x": x, "y": y, "mvt_layer": plan.mvt_layer, **plan.params}
    params.update(cache_key=key, version=version)
    with map_cursor() as cursor:
        if z >= PREPARED_MINZOOM:
            execute_prepared(cursor, sql, params)
        else:
            cursor.execute(sql, params)
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""


def data_bounds() -> list[float]:
    """Lon/lat bounds of the parcels and street segments, for TileJSON (estimated from the
    planner's statistics when there are some: exact extents read every row)."""
    with map_cursor() as cursor:
        cursor.execute(
            """
            WITH extents AS (
                SELECT coalesce(
                    ST_EstimatedExtent('registry_parcel', 'geom'),
                    (SELECT ST_Extent(geom) FROM registry_parcel)) AS box
                UNION ALL
                SELECT coalesce(
                    ST_EstimatedExtent('registry_streetsegment', 'geom'),
                    (SELECT ST_Extent(geom) FROM registry_streetsegment))
            )
            SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)
              FROM (SELECT ST_Transform(ST_SetSRID(ST_Extent(box::geometry), %s), 4326) AS b
                      FROM extents WHERE box IS NOT NULL) AS t
            """,
            [SRID],
        )
        row = cursor.fetchone()
    if not row or row[0] is None:
        return [-180.0, -85.0511, 180.0, 85.0511]
    return [round(float(value), 6) for value in row]
