"""Mapbox vector tiles from ST_AsMVT, their cache and their TileJSON.

Detail zooms draw one feature per object: parcels from ``maps_parcel_tile`` (geometry in Web
Mercator, each parcel's state) and accounts (suspensions, by their accounts) from
``maps_account_tile`` (where each account is drawn, in Web Mercator), tables that triggers keep
in step with the registry (sql/post_10_maps.sql); street segments and balances from the live
tables. Detail tiles are built by ``maps_tile_detail`` (sql/post_20_tiles.sql), whose plans
each database session keeps.
Below a layer's ``detail_minzoom`` (layers/catalogue.yaml) a tile would hold most of the town,
tens of megabytes: those zooms draw the low-zoom summaries instead (a 76 m grid of parcels,
accounts and arrears, merged 2^(14−z) cells a side; segments with arrears, simplified), which
``maps.summaries`` keeps in step with the data; their SQL is here, planned for each address.

Every tile is cached in ``maps_tile_cache`` under its address, parameters and data version;
its ETag is derived from the same, so a client's If-None-Match is answered (304) without
building or reading the tile.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

import psycopg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper

from gis_backend.access.roles import Role
from gis_backend.core.dataversion import DATA_VERSION_SQL
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

# Low-zoom tiles (detail tiles: sql/post_20_tiles.sql): the tile; the tile and its buffer in Web
# Mercator; the same in the storage SRID, to pick street segments by their spatial index.
TILE = "ST_TileEnvelope(%(z)s, %(x)s, %(y)s)"
TILE_ENV = f"ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => {BUFFER / EXTENT})"
STORAGE_ENV = f"ST_Transform({TILE_ENV}, {SRID})"


def mvt_geom(geometry_3857: str) -> str:
    return f"ST_AsMVTGeom({geometry_3857}, {TILE}, {EXTENT}, {BUFFER}, true)"


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
    """What to draw for one tile address: the MVT layer, an SQL expression whose value is the
    tile (bytea; NULL when nothing is there) with its parameters besides z, x and y, and what
    versions it. ``in_database``: built by ``maps_tile_detail``, whose plans the database session
    keeps, so the build can share a statement with the lookup (``serve_sql``)."""

    mvt_layer: str
    sql: str
    params: dict[str, Any]
    uses_summaries: bool
    in_database: bool = False


def tile_size(z: int) -> float:
    return 2 * HALF_WORLD / (2**z)


def features_to_mvt(features_sql: str) -> str:
    """The tile of a feature query (one row per feature, ``id`` and ``geom`` columns)."""
    return (
        f"(SELECT ST_AsMVT(t, %(mvt_layer)s::text, {EXTENT}, 'geom', 'id') "
        f"FROM ({features_sql}) AS t)"
    )


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
    return TilePlan(mvt_layer, features_to_mvt(sql), params, uses_summaries=True)


# A detail tile (sql/post_20_tiles.sql); the dates and kinds filter suspensions only.
DETAIL_SQL = (
    "maps_tile_detail(%(mvt_layer)s::text, %(z)s::integer, %(x)s::integer, %(y)s::integer, "
    "%(date_from)s::date, %(date_to)s::date, %(kinds)s::text[])"
)


def detail_plan(
    layer: str, *, uses_summaries: bool = False, options: dict[str, Any] | None = None
) -> TilePlan:
    params: dict[str, Any] = {"date_from": None, "date_to": None, "kinds": None}
    if options is not None:
        today = date.today()
        params = {
            "date_from": options.get("date_from", today - timedelta(days=365)),
            "date_to": options.get("date_to", today),
            "kinds": options.get("kind"),
        }
    return TilePlan(layer, DETAIL_SQL, params, uses_summaries, in_database=True)


def plan_tile(layer: Layer, z: int, x: int, y: int, options: dict[str, Any]) -> TilePlan | None:
    """The plan for a tile, or None when the layer draws nothing at this zoom."""
    detail = z >= (layer.detail_minzoom or 0)
    if layer.id == "parcels":
        return detail_plan("parcels") if detail else grid_plan("parcels_grid", z, x, y)
    if layer.id == "accounts":
        return detail_plan("accounts") if detail else grid_plan("accounts_grid", z, x, y)
    if layer.id == "segments":
        if z < layer.minzoom:
            return None
        if detail:
            return detail_plan("segments", uses_summaries=True)
        pixel = tile_size(z) / EXTENT
        return TilePlan(
            "segments", features_to_mvt(SEGMENTS_GENERALISED_SQL), {"pixel": pixel}, True
        )
    if layer.id == "suspensions":
        if not detail:
            return grid_plan("suspensions_grid", z, x, y)
        return detail_plan("suspensions", options=options)
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
    old enough to be refreshed: ``summary_version``'s rule), and the cached body for it."""
    user_model = get_user_model()
    users = user_model._meta.db_table
    user_groups = user_model.groups.through._meta.db_table  # type: ignore[attr-defined]
    source = (
        f'authtoken_token AS t JOIN "{users}" AS u ON u.id = t.user_id WHERE t.key = %(who)s'
        if by_token
        else f'"{users}" AS u WHERE u.id = %(who)s::bigint'
    )
    state = (
        f"""SELECT s.data_version AS version,
                  s.data_version = {DATA_VERSION_SQL}
                  OR clock_timestamp() - s.refreshed_at
                     <= make_interval(secs => %(min_age)s::float8) AS usable
             FROM maps_summary_state AS s WHERE s.id = 1"""
        if uses_summaries
        else f"SELECT {DATA_VERSION_SQL} AS version, true AS usable"
    )
    return f"""
        SELECT (SELECT u.is_active AND (u.is_superuser OR EXISTS (
                           SELECT FROM "{user_groups}" AS ug
                             JOIN auth_group AS g ON g.id = ug.group_id
                            WHERE ug.user_id = u.id AND g.name = ANY(%(roles)s::text[])))
                  FROM {source}) AS allowed,
               st.version, st.usable,
               (SELECT CASE WHEN %(gzip)s::boolean THEN coalesce(c.body_gzip, c.body)
                            ELSE c.body END
                  FROM maps_tile_cache AS c
                 WHERE c.key = %(key)s::text AND c.data_version = st.version) AS body
          FROM (VALUES (1)) AS one LEFT JOIN ({state}) AS st ON true
    """


@cache
def serve_sql(by_token: bool, uses_summaries: bool, build: str) -> str:
    """``lookup_sql``, and on a miss (an allowed caller, a usable version, no cached body) the
    tile built (``build``: the ``tile_expression`` of a plan built in the database) and stored
    in the same statement: one round trip for a cold tile. The tile's own statements are
    planned inside ``maps_tile_detail``, once per database session, and only when it runs: a
    cached tile plans nothing (with the tile's SQL written in this statement, PostgreSQL planned
    it on every request, cached ones included). ``%(build)s`` false: look up only (a client that
    sent If-None-Match may hold the tile; its ETag is checked before building)."""
    return f"""
        SELECT l.allowed, l.version, l.usable,
               CASE WHEN l.body IS NULL AND l.allowed AND l.usable AND %(build)s::boolean
                    THEN maps_tile_store(%(key)s::text, l.version, {build})
                    ELSE l.body END
          FROM ({lookup_sql(by_token, uses_summaries)} OFFSET 0) AS l
    """


ROLES = [role.value for role in Role]


@contextmanager
def prepared_cursor() -> Iterator[Any]:
    """A cursor of the map session whose statements the database prepares on their first run
    and keeps for the session (psycopg's prepared statements, parameters bound in the database):
    parsed once per session and, once PostgreSQL keeps its generic plan (after five runs),
    planned once. Django's own cursors bind parameters in Python and prepare nothing; they are
    left as they are. Queries are logged and errors wrapped as Django's cursors do."""
    session = connection.connection
    if session is None or getattr(connection, "_padron_prepared", None) is not session:
        with map_cursor():  # connects if need be; the map session's settings
            pass
        session = connection.connection
        # Only cursors binding parameters in the database prepare (Django's default: never).
        session.prepare_threshold = 0
        connection._padron_prepared = session  # type: ignore[attr-defined]
    cursor = psycopg.Cursor(session)
    wrapped = (
        PreparedDebugCursor(cursor, connection)
        if connection.queries_logged
        else connection.make_cursor(cursor)  # type: ignore[arg-type]
    )
    with wrapped:
        yield wrapped


class PreparedDebugCursor(CursorDebugWrapper):
    """Django's debug cursor (DEBUG, tests) for ``prepared_cursor``: logs each statement as
    written, with its parameters (Django reads the executed text back from client-side binding,
    which a prepared statement has not)."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        with self.debug_sql(sql, params, use_last_executed_query=False):
            return CursorWrapper.execute(self, sql, params)


@dataclass(frozen=True)
class TileLookup:
    allowed: bool  # an active user with a role (or a superuser) behind the token or session
    version: int
    body: bytes | None  # cached for that version, or built and stored by this lookup


def lookup(
    plan: TilePlan | None,
    key: str,
    *,
    token: str = "",
    user_id: Any = None,
    gzip: bool = False,
    build: tuple[int, int, int] | None = None,
) -> TileLookup:
    """Who is asking, the data version and the cached body: one round trip (more only when the
    summaries must be recomputed first, as ``version_and_cached`` does). Pass the token, or the
    id of the session's user. With ``build`` (z, x, y) and a tile built in the database, a miss
    is built and stored by the same statement (``serve_sql``)."""
    uses_summaries = plan is not None and plan.uses_summaries
    params = {
        "who": token if token else user_id,
        "roles": ROLES,
        "min_age": summaries.MIN_AGE_SECONDS,
        "key": key,
        "gzip": gzip,
    }
    sql = lookup_sql(bool(token), uses_summaries)
    if plan is not None and plan.in_database:
        sql = serve_sql(bool(token), uses_summaries, tile_expression(plan))
        z, x, y = build or (0, 0, 0)
        params.update(plan.params, mvt_layer=plan.mvt_layer, z=z, x=x, y=y, build=bool(build))
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
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
            "SELECT FROM maps_tile_store(%s::text, %s::bigint, %s::bytea)", [key, version, body]
        )


def tile_expression(plan: TilePlan) -> str:
    """The tile of ``plan``, empty rather than NULL (parameters: z, x, y, mvt_layer and the
    plan's own)."""
    return f"coalesce({plan.sql}, '')"


def tile_sql(plan: TilePlan) -> str:
    """The statement that builds the tile of ``plan``."""
    return f"SELECT {tile_expression(plan)}"


def render_and_store(
    plan: TilePlan | None, z: int, x: int, y: int, key: str, version: int
) -> bytes:
    """Build the tile and keep it in the cache: one statement, one round trip. Tiles built in
    the database run as a prepared statement (``maps_tile_detail`` keeps their plans); the
    low-zoom ones are planned for their address."""
    if plan is None:
        store_tile(key, version, b"")
        return b""
    sql = (
        f"SELECT maps_tile_store(%(cache_key)s::text, %(version)s::bigint, {tile_expression(plan)})"
    )
    params = {"z": z, "x": x, "y": y, "mvt_layer": plan.mvt_layer, **plan.params}
    params.update(cache_key=key, version=version)
    with prepared_cursor() if plan.in_database else map_cursor() as cursor:
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
