"""Map API over real HTTP against raw PostGIS on the same tiles and boxes (issue 4, Performance).

Usage (a database of its own holding the 1,000,000-account demo town; see bench/README.md):

    DATABASE_URL=postgis://postgres@127.0.0.1:5432/padron_bench_api \\
        .venv/bin/python bench/api.py --serve --port 8301 --out var/bench-api.json

``--serve`` starts the application server as ``make demo`` does (``padron-admin serve``:
gis_backend/deploy/serve.py, ``--workers``) on that database and stops it at the end;
``--url`` points the script at a server already running on it instead.
The script creates (or resets) the user ``--user`` in the group ``--role``, logs in over HTTP for
a token and measures, in one run:

1. tiles, zooms 10–18, every tiled layer: a seeded sample of distinct tiles where the town has
   parcels. Cold: ``maps_tile_cache`` emptied first, every address requested once. Cached: the
   same addresses again. Raw: in the same loop, for the same tile, through psycopg on one warm
   connection, (a) ``raw_sql`` — the exact SQL the application runs for that tile
   (``maps_tile_detail`` at detail zooms), and
   (b) ``raw_ref`` — a reference written straight over the registry tables (geometry transformed
   on the fly, newest balance by a LATERAL probe per account), the query a tile server pointed
   at the registry would run for the same features and attributes. The three run in random
   order per tile. The decoded features of the application's tile and ``raw_ref``'s are
   compared (ids and attributes) for every detail tile of the sample;
2. GeoJSON: ``limit=10000`` accounts and parcels in a box holding at least that many, against
   the same FeatureCollection built by one SQL statement (``string_agg`` of the same feature
   texts) through psycopg; with and without ``Accept-Encoding: gzip``;
3. load: ``--clients`` threads (stdlib ``http.client``) fetching random tiles of the sample for
   ``--seconds``: requests/s, errors, latency percentiles.

The machine's load average is printed beside each phase: the CPU is shared, compare the ratios.
"""

import argparse
import gzip
import http.client
import json
import math
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_backend.config.settings")

from gis_backend.deploy import serve  # noqa: E402  (after the path is set)

LAYERS = ("parcels", "accounts", "segments", "suspensions")
EXTENT = 4096
BUFFER = 64
HALF_WORLD = 20037508.342789244
SESSION_SETTINGS = (
    "SET jit = off",
    "SET max_parallel_workers_per_gather = 0",
    "SET random_page_cost = 1.1",
    "SET work_mem = '32MB'",
)

# -- raw reference SQL: straight over the registry tables -----------------------------------------
# What the application's tiles hold at detail zooms (attributes, ids), written the direct way.
# Frozen here on purpose: it does not follow the application's SQL, it is the yardstick.


def ref_sql(srid: int) -> dict[str, str]:
    tile = "ST_TileEnvelope(%(z)s, %(x)s, %(y)s)"
    env = f"ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => {BUFFER / EXTENT}), {srid})"

    def geom(expression: str) -> str:
        return f"ST_AsMVTGeom(ST_Transform({expression}, 3857), {tile}, {EXTENT}, {BUFFER}, true)"

    latest = """
        LEFT JOIN LATERAL (
            SELECT c.balance, c.months_overdue, c.days_overdue
              FROM registry_collectionsnapshot AS c
             WHERE c.account_id = a.id ORDER BY c.as_of DESC LIMIT 1
        ) AS cs ON true"""
    located = f"""
        SELECT a.id AS account_id, a.connection_point AS geom, 'toma' AS located_at
          FROM registry_account AS a WHERE a.connection_point && {env}
        UNION ALL
        SELECT l.account_id, ST_PointOnSurface(p.geom), 'predio'
          FROM registry_parcel AS p
          JOIN registry_accountlink AS l ON l.parcel_id = p.id
          JOIN registry_account AS a ON a.id = l.account_id
         WHERE p.geom && {env} AND a.connection_point IS NULL"""
    aging = "maps_aging_bucket"
    return {
        "parcels": f"""
SELECT p.id, p.cadastral_key, coalesce(st.accounts, 0) AS accounts,
       coalesce(st.status, 'sin_cuenta') AS status, st.balance::float8 AS balance,
       st.days_overdue,
       CASE WHEN st.balance > 0 THEN {aging}(st.days_overdue) ELSE 'sin_adeudo' END AS aging,
       maps_map_class(st.status, st.balance, st.days_overdue) AS map_class,
       {geom("p.geom")} AS geom
  FROM registry_parcel AS p
  LEFT JOIN LATERAL (
      SELECT count(*) AS accounts,
             (array_agg(a.status ORDER BY maps_status_rank(a.status) DESC))[1] AS status,
             sum(cs.balance) FILTER (WHERE cs.balance > 0) AS balance,
             max(cs.days_overdue) FILTER (WHERE cs.balance > 0) AS days_overdue
        FROM registry_accountlink AS l
        JOIN registry_account AS a ON a.id = l.account_id {latest}
       WHERE l.parcel_id = p.id) AS st ON true
 WHERE p.geom && {env}""",
        "accounts": f"""
SELECT a.id, a.number, a.status, a.tariff, la.located_at, cs.balance::float8 AS balance,
       coalesce(cs.months_overdue, 0) AS months_overdue,
       coalesce(cs.days_overdue, 0) AS days_overdue,
       CASE WHEN cs.balance > 0 THEN {aging}(cs.days_overdue) ELSE 'sin_adeudo' END AS aging,
       maps_map_class(a.status, cs.balance, cs.days_overdue) AS map_class,
       {geom("la.geom")} AS geom
  FROM ({located}) AS la
  JOIN registry_account AS a ON a.id = la.account_id {latest}""",
        "segments": f"""
SELECT sg.id, sg.name, coalesce(s.accounts, 0) AS accounts,
       coalesce(s.arrears_count, 0) AS arrears_count,
       coalesce(s.arrears_amount, 0)::float8 AS arrears_amount,
       coalesce(s.aging_0_30, 0) AS aging_0_30, coalesce(s.aging_31_90, 0) AS aging_31_90,
       coalesce(s.aging_91_180, 0) AS aging_91_180,
       coalesce(s.aging_181_mas, 0) AS aging_181_mas,
       coalesce(s.suspended, 0) AS suspended, coalesce(s.restricted, 0) AS restricted,
       {aging}(s.max_days_overdue) AS aging,
       {geom("sg.geom")} AS geom
  FROM registry_streetsegment AS sg
  LEFT JOIN maps_segment_summary AS s ON s.segment_id = sg.id
 WHERE sg.geom && {env}""",
        "suspensions": f"""
SELECT e.id, la.account_id, a.number AS account_number, e.kind,
       e.occurred_on::text AS occurred_on, nullif(e.reason, '') AS reason,
       {geom("la.geom")} AS geom
  FROM ({located}) AS la
  CROSS JOIN LATERAL (
      SELECT ev.id, ev.kind, ev.occurred_on, ev.reason FROM registry_suspensionevent AS ev
       WHERE ev.account_id = la.account_id
         AND ev.occurred_on BETWEEN current_date - 365 AND current_date
      OFFSET 0) AS e
  JOIN registry_account AS a ON a.id = la.account_id""",
    }


# -- helpers --------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0–100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{one:.2f}/{five:.2f}"


def lonlat_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


@dataclass
class Client:
    """One keep-alive HTTP connection (reopened when the server closes it)."""

    host: str
    port: int
    token: str = ""
    conn: http.client.HTTPConnection | None = None

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict]:
        all_headers = {"Authorization": f"Token {self.token}", **(headers or {})}
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self.conn.request("GET", path, headers=all_headers)
                response = self.conn.getresponse()
                body = response.read()
                response_headers = {k.lower(): v for k, v in response.getheaders()}
                if response_headers.get("connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return response.status, body, response_headers
            except (ConnectionError, http.client.HTTPException):
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def timed_get(self, path: str, **kwargs: Any) -> tuple[float, int, bytes, dict]:
        started = time.perf_counter()
        status, body, headers = self.get(path, **kwargs)
        return (time.perf_counter() - started) * 1000, status, body, headers


def login(base: urllib.parse.ParseResult, username: str, password: str) -> str:
    conn = http.client.HTTPConnection(base.hostname or "127.0.0.1", base.port or 80, timeout=60)
    body = urllib.parse.urlencode({"username": username, "password": password})
    conn.request(
        "POST",
        "/api/v1/auth/token/",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    response = conn.getresponse()
    payload = response.read()
    if response.status != 200:
        raise SystemExit(f"login failed: {response.status} {payload[:200]!r}")
    token: str = json.loads(payload)["token"]
    return token


def ensure_user(username: str, password: str, role: str) -> None:
    import django

    django.setup()
    from django.contrib.auth.models import Group, User

    group, _created = Group.objects.get_or_create(name=role)
    user, _created = User.objects.get_or_create(username=username)
    user.set_password(password)
    user.save()
    user.groups.set([group])


def start_server(port: int, workers: int, database_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PADRON_DEBUG": "0",
        "PADRON_SECRET_KEY": os.environ.get("PADRON_SECRET_KEY", "bench-api-not-a-secret"),
        "PADRON_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PADRON_LOG_LEVEL": "WARNING",
    }
    command = [*serve.command("127.0.0.1", port, workers), "--backlog", "2048"]
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603  (fixed argv)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.5)
    process.terminate()
    raise SystemExit("the server did not answer /api/v1/health within 60 s")


def link_from_truth(conn: psycopg.Connection[Any], truth: Path) -> None:
    """Fill an empty registry_accountlink with the generator's ground truth (accounts.csv of
    ``load_demo --truth-dir``): ``load_demo --direct`` loads no links, and without them parcels
    show no accounts and accounts without a connection point are not on the map. Seconds,
    where the linker takes minutes at a million accounts."""
    if conn.execute("SELECT EXISTS (SELECT 1 FROM registry_accountlink)").fetchone() != (False,):
        return
    print(f"Links from {truth} …", flush=True)
    with conn.transaction():
        conn.execute(
            "CREATE TEMP TABLE bench_truth (account_number text, account_id bigint, "
            "parcel_key text, segment_id bigint, segment_key text, address_quality text, "
            "billing_key text, connection_point text, anomaly text) ON COMMIT DROP"
        )
        with (
            truth.open("rb") as source,
            conn.cursor().copy("COPY bench_truth FROM STDIN (FORMAT csv, HEADER)") as copy,
        ):
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        conn.execute(
            """
            INSERT INTO registry_accountlink
                   (account_id, parcel_id, parcel_method, parcel_score, parcel_verified,
                    segment_id, segment_method, segment_score, segment_verified, candidates,
                    unlinked_reason, updated_at)
            SELECT a.id, p.id, 'clave_catastral', 0.95, false, s.id,
                   CASE WHEN s.id IS NULL THEN '' ELSE 'frente' END,
                   CASE WHEN s.id IS NULL THEN NULL ELSE 0.9 END, false, '[]', '', now()
              FROM bench_truth AS t
              JOIN registry_account AS a ON a.number = t.account_number
              JOIN registry_parcel AS p ON p.cadastral_key = t.parcel_key
              LEFT JOIN registry_streetsegment AS s ON s.id = t.segment_id
            """
        )
    conn.execute("ANALYZE registry_accountlink")


def raw_connection(database_url: str) -> psycopg.Connection[Any]:
    url = database_url.replace("postgis://", "postgresql://", 1)
    conn = psycopg.connect(url, autocommit=True)
    for statement in SESSION_SETTINGS:
        conn.execute(statement)
    return conn


def timed_sql(conn: psycopg.Connection[Any], sql: str, params: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    row = conn.execute(sql, params).fetchone()
    return (time.perf_counter() - started) * 1000, row[0] if row else None


# -- tiles ----------------------------------------------------------------------------------------


@dataclass
class TileRun:
    cold: dict[tuple[str, int], list[float]] = field(default_factory=dict)
    cached: dict[tuple[str, int], list[float]] = field(default_factory=dict)
    raw_sql: dict[tuple[str, int], list[float]] = field(default_factory=dict)
    raw_ref: dict[tuple[str, int], list[float]] = field(default_factory=dict)
    sizes: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    first_gzip: dict[tuple[str, int], list[float]] = field(default_factory=dict)
    cached_gzip: dict[tuple[str, int], list[float]] = field(default_factory=dict)
    gzip_sizes: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)
    compared: int = 0
    errors: list[str] = field(default_factory=list)


def sample_tiles(
    conn: psycopg.Connection[Any], zooms: Iterable[int], per_zoom: int, seed: int
) -> dict[int, list[tuple[int, int]]]:
    """Distinct tiles per zoom under a seeded sample of parcels (where the town is)."""
    rows = conn.execute(
        f"""
        SELECT ST_X(pt), ST_Y(pt)
          FROM (SELECT ST_Transform(ST_Centroid(geom), 4326) AS pt
                  FROM registry_parcel TABLESAMPLE SYSTEM (2) REPEATABLE ({seed})) AS s
        """
    ).fetchall()
    rng = random.Random(seed)
    rng.shuffle(rows)
    result: dict[int, list[tuple[int, int]]] = {}
    for z in zooms:
        seen: dict[tuple[int, int], None] = {}
        for lon, lat in rows:
            seen.setdefault(lonlat_tile(lon, lat, z), None)
            if len(seen) >= per_zoom:
                break
        result[z] = list(seen)
    return result


def app_tile_sql(layer: str, z: int, x: int, y: int) -> tuple[str, dict[str, Any]] | None:
    """The SQL the application runs for this tile (imported from the application)."""
    from gis_backend.maps import tiles
    from gis_backend.maps.catalogue import tiled_layers

    plan = tiles.plan_tile(tiled_layers()[layer], z, x, y, {})
    if plan is None:
        return None
    # Detail tiles: maps_tile_detail (sql/post_20_tiles.sql), as the application calls it.
    params = {"z": z, "x": x, "y": y, "mvt_layer": plan.mvt_layer, **plan.params}
    return tiles.tile_sql(plan), params


def detail_minzoom(layer: str) -> int:
    from gis_backend.maps.catalogue import tiled_layers

    return tiled_layers()[layer].detail_minzoom or 0


def same_features(app: bytes, ref: bytes) -> str | None:
    import mapbox_vector_tile

    def features(body: bytes) -> dict[int, dict[str, Any]]:
        decoded = mapbox_vector_tile.decode(body) if body else {}
        return {f["id"]: f["properties"] for layer in decoded.values() for f in layer["features"]}

    a, r = features(app), features(ref)
    if set(a) != set(r):
        return (
            f"ids differ: {len(set(a) - set(r))} only in the app, {len(set(r) - set(a))} only raw"
        )
    for key, props in a.items():
        other = r[key]
        if set(props) != set(other):
            return f"feature {key}: attributes {sorted(props)} vs {sorted(other)}"
        for name, value in props.items():
            expected = other[name]
            if isinstance(value, float) and isinstance(expected, float | int):
                if not math.isclose(value, expected, rel_tol=1e-6, abs_tol=1e-6):
                    return f"feature {key}: {name} {value} vs {expected}"
            elif value != expected:
                return f"feature {key}: {name} {value!r} vs {expected!r}"
    return None


def run_tiles(
    client: Client,
    conn: psycopg.Connection[Any],
    sample: dict[int, list[tuple[int, int]]],
    srid: int,
    seed: int,
    compare: bool,
) -> TileRun:
    run = TileRun()
    refs = ref_sql(srid)
    # Warm every server worker (its database session, PostgreSQL's catalogue caches, the tile
    # queries' plans) on tiles far from the town: "cold" is about the tile cache, not about a
    # process that has not served a request yet. A connection per request, so that they reach
    # every worker when the server keeps connections open.
    for _round in range(8):
        for layer in LAYERS:
            for z in (10, 16):
                client.get(f"/api/v1/tiles/{layer}/{z}/0/0.pbf", headers={"Connection": "close"})
    conn.execute("DELETE FROM maps_tile_cache")
    rng = random.Random(seed)
    jobs = [(layer, z, x, y) for z, tiles in sample.items() for (x, y) in tiles for layer in LAYERS]
    rng.shuffle(jobs)
    bodies: dict[tuple[str, int, int, int], bytes] = {}
    for layer, z, x, y in jobs:
        key = (layer, z)
        path = f"/api/v1/tiles/{layer}/{z}/{x}/{y}.pbf"
        app_sql = app_tile_sql(layer, z, x, y)
        detail = z >= detail_minzoom(layer)
        steps: list[str] = ["app", "raw_sql"] + (["raw_ref"] if detail else [])
        rng.shuffle(steps)
        ref_body: bytes | None = None
        for step in steps:
            if step == "app":
                ms, status, body, _headers = client.timed_get(path)
                if status != 200:
                    run.errors.append(f"{path}: HTTP {status}")
                    continue
                run.cold.setdefault(key, []).append(ms)
                run.sizes.setdefault(key, []).append(len(body))
                bodies[(layer, z, x, y)] = body
            elif step == "raw_sql" and app_sql is not None:
                ms, _value = timed_sql(conn, app_sql[0], app_sql[1])
                run.raw_sql.setdefault(key, []).append(ms)
            elif step == "raw_ref":
                sql = f"SELECT ST_AsMVT(t, %(name)s, {EXTENT}, 'geom', 'id') FROM ({refs[layer]}) t"
                ms, value = timed_sql(conn, sql, {"z": z, "x": x, "y": y, "name": layer})
                run.raw_ref.setdefault(key, []).append(ms)
                ref_body = bytes(value) if value is not None else b""
        if compare and ref_body is not None and (layer, z, x, y) in bodies:
            run.compared += 1
            problem = same_features(bodies[(layer, z, x, y)], ref_body)
            if problem:
                run.mismatches.append(f"{layer}/{z}/{x}/{y}: {problem}")
    # Cached: the same addresses again, now from the tile cache; then as a browser asks for
    # them (Accept-Encoding: gzip).
    rng.shuffle(jobs)
    for layer, z, x, y in jobs:
        ms, status, _body, _headers = client.timed_get(f"/api/v1/tiles/{layer}/{z}/{x}/{y}.pbf")
        if status != 200:
            run.errors.append(f"cached {layer}/{z}/{x}/{y}: HTTP {status}")
            continue
        run.cached.setdefault((layer, z), []).append(ms)
    # The first such request compresses a large tile and stores it gzipped; the second is
    # served as stored.
    for timings in (run.first_gzip, run.cached_gzip):
        rng.shuffle(jobs)
        for layer, z, x, y in jobs:
            ms, status, body, _headers = client.timed_get(
                f"/api/v1/tiles/{layer}/{z}/{x}/{y}.pbf", headers={"Accept-Encoding": "gzip"}
            )
            if status != 200:
                run.errors.append(f"gzip {layer}/{z}/{x}/{y}: HTTP {status}")
                continue
            timings.setdefault((layer, z), []).append(ms)
            if timings is run.cached_gzip:
                run.gzip_sizes.setdefault((layer, z), []).append(len(body))
    return run


def sweep_sizes(
    client: Client, conn: psycopg.Connection[Any], zooms: Iterable[int]
) -> dict[int, tuple[int, int, str]]:
    """Every tile covering the parcels at each zoom: (tiles, largest bytes, its address)."""
    box = conn.execute(
        "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM "
        "(SELECT ST_Transform(ST_SetSRID(ST_EstimatedExtent('registry_parcel', 'geom')::geometry,"
        " ST_SRID((SELECT geom FROM registry_parcel LIMIT 1))), 4326) AS b) AS t"
    ).fetchone()
    assert box is not None
    west, south, east, north = box
    result = {}
    for z in zooms:
        x0, y0 = lonlat_tile(west, north, z)
        x1, y1 = lonlat_tile(east, south, z)
        largest, where, count = 0, "", 0
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                for layer in LAYERS:
                    _ms, status, body, _h = client.timed_get(
                        f"/api/v1/tiles/{layer}/{z}/{x}/{y}.pbf"
                    )
                    count += 1
                    if status == 200 and len(body) > largest:
                        largest, where = len(body), f"{layer}/{z}/{x}/{y}"
        result[z] = (count, largest, where)
        print(f"  sweep z{z}: {count} tiles, largest {largest / 1000:.0f} KB ({where})", flush=True)
    return result


# -- GeoJSON --------------------------------------------------------------------------------------


def geojson_box(conn: psycopg.Connection[Any], srid: int, features: int) -> tuple[float, ...]:
    """A lon/lat box around the town's densest area holding at least ``features`` accounts
    and parcels."""
    center = conn.execute(
        "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Transform(ST_SetSRID(ST_Centroid("
        "ST_EstimatedExtent('registry_parcel', 'geom')::geometry), %s), 4326) AS c) AS t",
        [srid],
    ).fetchone()
    assert center is not None
    lon, lat = center
    half = 0.004
    while True:
        bbox = (lon - half, lat - half, lon + half, lat + half)
        counts = conn.execute(
            f"""
            WITH env AS (SELECT ST_Transform(ST_MakeEnvelope(%s, %s, %s, %s, 4326), {srid}) AS e)
            SELECT (SELECT count(*) FROM registry_account, env WHERE connection_point && e),
                   (SELECT count(*) FROM registry_parcel, env WHERE geom && e)
            """,
            bbox,
        ).fetchone()
        assert counts is not None
        if min(counts) >= features * 1.3:
            return bbox
        half *= 1.25


def raw_collection_sql(layer_name: str, personal: bool) -> str:
    """One SQL statement building the FeatureCollection of the same features (the feature text
    of gis_backend.maps.geojson, joined by string_agg)."""
    from gis_backend.maps import geojson

    layer = {"accounts": geojson.ACCOUNTS, "parcels": geojson.PARCELS}[layer_name]
    env = geojson.bbox_env_sql()
    geometry = "ST_Transform(q.geom, 4326)"
    if layer.polygons:
        geometry = f"ST_ForcePolygonCCW({geometry})"
    properties = ", ".join(f"q.{name}" for name in layer.properties)
    return f"""
        SELECT '{{"type":"FeatureCollection","features":[' || coalesce(string_agg(f, ','), '')
               || ']}}'
          FROM (
            SELECT '{{"type":"Feature","id":' || q.id
                   || ',"geometry":' || coalesce(ST_AsGeoJSON({geometry}, 6), 'null')
                   || ',"properties":'
                   || row_to_json((SELECT r FROM (SELECT {properties}) AS r))::text || '}}' AS f
              FROM ({layer.select.replace("{env}", env)}) AS q
             WHERE ST_Intersects(q.geom, {env})
             ORDER BY q.id
             LIMIT %(limit)s) AS page
    """


def run_geojson(
    client: Client,
    conn: psycopg.Connection[Any],
    bbox: tuple[float, ...],
    features: int,
    personal: bool,
    repeats: int,
) -> dict[str, dict[str, Any]]:
    from gis_backend.maps.geojson import bbox_params

    result: dict[str, dict[str, Any]] = {}
    query = urllib.parse.urlencode({"bbox": ",".join(f"{v:.6f}" for v in bbox), "limit": features})
    for layer in ("accounts", "parcels"):
        sql = raw_collection_sql(layer, personal)
        params = {**bbox_params(bbox), "personal": personal, "limit": features}  # type: ignore[arg-type]
        app, app_gzip, raw = [], [], []
        size = gz_size = raw_size = returned = 0
        for _ in range(repeats):
            order = ["app", "gzip", "raw"]
            random.shuffle(order)
            for step in order:
                if step == "raw":
                    ms, value = timed_sql(conn, sql, params)
                    raw.append(ms)
                    raw_size = len(value.encode())
                elif step == "app":
                    ms, status, body, _h = client.timed_get(f"/api/v1/{layer}/?{query}")
                    assert status == 200, body[:300]
                    app.append(ms)
                    size = len(body)
                    returned = json.loads(body)["numberReturned"]
                else:
                    ms, status, body, headers = client.timed_get(
                        f"/api/v1/{layer}/?{query}", headers={"Accept-Encoding": "gzip"}
                    )
                    assert status == 200, body[:300]
                    app_gzip.append(ms)
                    gz_size = len(body)
                    if headers.get("content-encoding") == "gzip":
                        json.loads(gzip.decompress(body))
        result[layer] = {
            "features": returned,
            "app_ms": statistics.median(app),
            "app_gzip_ms": statistics.median(app_gzip),
            "raw_ms": statistics.median(raw),
            "ratio": statistics.median(app) / statistics.median(raw),
            "ratio_gzip": statistics.median(app_gzip) / statistics.median(raw),
            "bytes": size,
            "gzip_bytes": gz_size,
            "raw_bytes": raw_size,
        }
    return result


# -- load -----------------------------------------------------------------------------------------


def run_load(
    host: str,
    port: int,
    token: str,
    paths: list[str],
    clients: int,
    seconds: float,
    seed: int,
) -> dict[str, Any]:
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[list[str]] = [[] for _ in range(clients)]
    sizes = [0] * clients
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def worker(index: int) -> None:
        rng = random.Random(seed + index)
        client = Client(host, port, token)
        start.wait()
        while time.perf_counter() < stop_at[0]:
            path = rng.choice(paths)
            try:
                ms, status, body, _h = client.timed_get(path)
            except Exception as exc:  # the load test counts every failure
                errors[index].append(f"{path}: {exc!r}")
                client.conn = None
                continue
            if status != 200:
                errors[index].append(f"{path}: HTTP {status}")
            latencies[index].append(ms)
            sizes[index] += len(body)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    flat = [ms for per in latencies for ms in per]
    all_errors = [e for per in errors for e in per]
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(flat),
        "requests_per_s": len(flat) / elapsed,
        "errors": len(all_errors),
        "error_examples": all_errors[:5],
        "p50_ms": percentile(flat, 50),
        "p95_ms": percentile(flat, 95),
        "p99_ms": percentile(flat, 99),
        "mb_per_s": sum(sizes) / elapsed / 1e6,
    }


def run_raw_load(
    database_url: str, jobs: list[tuple[str, int, int, int]], threads: int, seconds: float
) -> dict[str, Any]:
    """Raw PostGIS for scale: ``threads`` psycopg connections building random tiles of the same
    sample with the application's SQL (no cache) for ``seconds``."""
    counts = [0] * threads
    latencies: list[list[float]] = [[] for _ in range(threads)]
    plans = {job: app_tile_sql(*job) for job in jobs}
    stop_at = time.perf_counter() + seconds

    def worker(index: int) -> None:
        rng = random.Random(index)
        conn = raw_connection(database_url)
        while time.perf_counter() < stop_at:
            plan = plans[rng.choice(jobs)]
            if plan is None:
                continue
            ms, _value = timed_sql(conn, plan[0], plan[1])
            latencies[index].append(ms)
            counts[index] += 1
        conn.close()

    began = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - began
    flat = [ms for per in latencies for ms in per]
    return {
        "connections": threads,
        "seconds": round(elapsed, 1),
        "tiles": sum(counts),
        "tiles_per_s": sum(counts) / elapsed,
        "p50_ms": percentile(flat, 50),
        "p95_ms": percentile(flat, 95),
    }


# -- report ---------------------------------------------------------------------------------------


def fmt(value: float, digits: int = 1) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def tile_table(run: TileRun, zooms: list[int]) -> tuple[str, dict[str, Any]]:
    lines = [
        "| zoom | layer | n | cold p50 | cold p95 | cached p50 | cached p95 | raw_sql p95 "
        "| raw_ref p95 | cold/raw_ref p95 | cold/raw_ref p50 | KB max | KB p50 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    data: dict[str, Any] = {}
    for z in zooms:
        for layer in LAYERS:
            key = (layer, z)
            cold = run.cold.get(key, [])
            if not cold:
                continue
            cached = run.cached.get(key, [])
            raw_sql = run.raw_sql.get(key, [])
            raw_ref = run.raw_ref.get(key, [])
            sizes = run.sizes.get(key, [0])
            row = {
                "n": len(cold),
                "cold_p50": percentile(cold, 50),
                "cold_p95": percentile(cold, 95),
                "cached_p50": percentile(cached, 50),
                "cached_p95": percentile(cached, 95),
                "raw_sql_p50": percentile(raw_sql, 50),
                "raw_sql_p95": percentile(raw_sql, 95),
                "raw_ref_p50": percentile(raw_ref, 50),
                "raw_ref_p95": percentile(raw_ref, 95),
                "kb_max": max(sizes) / 1000,
                "kb_p50": percentile([float(s) for s in sizes], 50) / 1000,
            }
            row["ratio_p95"] = row["cold_p95"] / row["raw_ref_p95"] if raw_ref else math.nan
            row["ratio_p50"] = row["cold_p50"] / row["raw_ref_p50"] if raw_ref else math.nan
            data[f"{layer}/{z}"] = row
            lines.append(
                f"| {z} | {layer} | {row['n']} | {fmt(row['cold_p50'])} | {fmt(row['cold_p95'])} "
                f"| {fmt(row['cached_p50'])} | {fmt(row['cached_p95'])} "
                f"| {fmt(row['raw_sql_p95'])} | {fmt(row['raw_ref_p95'])} "
                f"| {fmt(row['ratio_p95'], 2)} | {fmt(row['ratio_p50'], 2)} "
                f"| {row['kb_max']:.0f} | {row['kb_p50']:.0f} |"
            )
    return "\n".join(lines), data


def pooled_ratio(run: TileRun, raw: dict[tuple[str, int], list[float]], z: int) -> float:
    """Sum over layers of the app's cold p50 over the sum of the raw p50s, at zoom z."""
    pairs = [
        (percentile(run.cold[(layer, z)], 50), percentile(raw[(layer, z)], 50))
        for layer in LAYERS
        if raw.get((layer, z)) and run.cold.get((layer, z))
    ]
    return sum(a for a, _ in pairs) / sum(b for _, b in pairs) if pairs else math.nan


def zoom_summary(run: TileRun, zooms: list[int]) -> str:
    """Per zoom, all layers pooled: the figures the targets are stated in."""
    lines = [
        "| zoom | cold p95 ms | cached p95 ms | first gzip p95 ms | cached gzip p95 ms "
        "| largest KB | largest gzip KB | cold/raw_ref, sum of p50s | cold/raw_sql, sum of p50s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for z in zooms:
        cold = [v for layer in LAYERS for v in run.cold.get((layer, z), [])]
        cached = [v for layer in LAYERS for v in run.cached.get((layer, z), [])]
        sizes = [v for layer in LAYERS for v in run.sizes.get((layer, z), [])]
        cached_gzip = [v for layer in LAYERS for v in run.cached_gzip.get((layer, z), [])]
        first_gzip = [v for layer in LAYERS for v in run.first_gzip.get((layer, z), [])]
        gzip_sizes = [v for layer in LAYERS for v in run.gzip_sizes.get((layer, z), [0])]
        if not cold:
            continue

        lines.append(
            f"| {z} | {fmt(percentile(cold, 95))} | {fmt(percentile(cached, 95))} "
            f"| {fmt(percentile(first_gzip, 95))} | {fmt(percentile(cached_gzip, 95))} "
            f"| {max(sizes) / 1000:.0f} "
            f"| {max(gzip_sizes) / 1000:.0f} | {fmt(pooled_ratio(run, run.raw_ref, z), 2)} "
            f"| {fmt(pooled_ratio(run, run.raw_sql, z), 2)} |"
        )
    return "\n".join(lines)


def parse_zooms(text: str) -> list[int]:
    if "-" in text:
        first, last = text.split("-")
        return list(range(int(first), int(last) + 1))
    return [int(part) for part in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--serve", action="store_true", help="start the server on --port")
    target.add_argument("--url", help="a server already running on DATABASE_URL's database")
    parser.add_argument("--port", type=int, default=8301)
    parser.add_argument("--workers", type=int, default=3, help="server workers (--serve)")
    parser.add_argument("--user", default="bench_api")
    parser.add_argument("--password", default="bench-api-password")
    parser.add_argument("--role", default="jefe", help="group of the user (jefe sees holders)")
    parser.add_argument("--zooms", default="10-18")
    parser.add_argument("--tiles-per-zoom", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-compare", action="store_true", help="skip decoding and comparing")
    parser.add_argument("--sweep", default="", help="zooms to sweep entirely for sizes: 10-15")
    parser.add_argument("--geojson-features", type=int, default=10_000)
    parser.add_argument("--geojson-repeats", type=int, default=5)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--raw-connections", type=int, default=2)
    parser.add_argument("--raw-seconds", type=float, default=20)
    parser.add_argument("--skip", default="", help="phases to skip: tiles,geojson,load")
    parser.add_argument("--out", type=Path, help="write every figure as JSON here")
    parser.add_argument(
        "--link-from-truth",
        type=Path,
        help="accounts.csv of load_demo's ground truth: links for an unlinked (--direct) town",
    )
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))

    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        raise SystemExit("Set DATABASE_URL to the benchmark database.")
    ensure_user(args.user, args.password, args.role)
    from django.conf import settings

    srid = int(settings.STORAGE_SRID)
    conn = raw_connection(database_url)
    if args.link_from_truth:
        link_from_truth(conn, args.link_from_truth)
    state = conn.execute(
        "SELECT (SELECT data_version FROM maps_summary_state), maps_data_version()"
    ).fetchone()
    if state is None or state[0] != state[1]:
        print("Summaries out of date: padron-admin refresh_map_summaries …", flush=True)
        subprocess.run(  # noqa: S603  (fixed argv)
            [str(Path(sys.executable).parent / "padron-admin"), "refresh_map_summaries"],
            check=True,
            cwd=ROOT,
        )

    server = start_server(args.port, args.workers, database_url) if args.serve else None
    base = urllib.parse.urlparse(args.url or f"http://127.0.0.1:{args.port}")
    host, port = base.hostname or "127.0.0.1", base.port or 80
    results: dict[str, Any] = {"cpus": os.cpu_count(), "load_start": load()}
    try:
        token = login(base, args.user, args.password)
        client = Client(host, port, token)
        zooms = parse_zooms(args.zooms)
        sample = sample_tiles(conn, zooms, args.tiles_per_zoom, args.seed)
        print(f"machine: {os.cpu_count()} CPUs, load average {load()}", flush=True)
        if "tiles" not in skip:
            began = load()
            run = run_tiles(client, conn, sample, srid, args.seed, not args.no_compare)
            table, data = tile_table(run, zooms)
            summary = zoom_summary(run, zooms)
            print(f"\n## Tiles (load average {began} → {load()})\n\n{summary}\n\n{table}\n")
            print(
                f"compared {run.compared} detail tiles with raw_ref: {len(run.mismatches)} differ",
                flush=True,
            )
            for problem in run.mismatches[:10]:
                print("  ", problem)
            for problem in run.errors[:10]:
                print("  error:", problem)
            results["tiles"] = {
                "per_layer": data,
                "summary": summary,
                "errors": run.errors,
                "mismatches": run.mismatches,
                "compared": run.compared,
            }
        if args.sweep:
            results["sweep"] = sweep_sizes(client, conn, parse_zooms(args.sweep))
        if "geojson" not in skip:
            began = load()
            bbox = geojson_box(conn, srid, args.geojson_features)
            personal = args.role in {"jefe", "analista", "admin"}
            geo = run_geojson(
                client, conn, bbox, args.geojson_features, personal, args.geojson_repeats
            )
            print(
                f"\n## GeoJSON, {args.geojson_features} features, bbox {bbox} "
                f"(load average {began} → {load()})\n"
            )
            print(
                "| layer | features | app ms | app gzip ms | SQL ms | app/SQL | gzip/SQL "
                "| MB | gzip MB |"
            )
            print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
            for layer, row in geo.items():
                print(
                    f"| {layer} | {row['features']} | {row['app_ms']:.0f} "
                    f"| {row['app_gzip_ms']:.0f} | {row['raw_ms']:.0f} | {row['ratio']:.2f} "
                    f"| {row['ratio_gzip']:.2f} | {row['bytes'] / 1e6:.1f} "
                    f"| {row['gzip_bytes'] / 1e6:.2f} |"
                )
            results["geojson"] = {"bbox": bbox, **geo}
        if "load" not in skip:
            paths = [
                f"/api/v1/tiles/{layer}/{z}/{x}/{y}.pbf"
                for z, tiles in sample.items()
                for (x, y) in tiles
                for layer in LAYERS
            ]
            began = load()
            figures = run_load(host, port, token, paths, args.clients, args.seconds, args.seed)
            print(
                f"\n## Load: {args.clients} clients × {args.seconds:.0f} s over "
                f"{len(paths)} tile addresses (load average {began} → {load()})\n"
            )
            print(json.dumps(figures, indent=2))
            results["load"] = figures
            jobs = [(layer, z, x, y) for z, tiles in sample.items() for (x, y) in tiles
                    for layer in LAYERS]  # fmt: skip
            raw = run_raw_load(database_url, jobs, args.raw_connections, args.raw_seconds)
            print(f"\nFor scale, raw PostGIS building the same tiles without cache "
                  f"(load average {load()}):\n{json.dumps(raw, indent=2)}")  # fmt: skip
            results["raw_load"] = raw
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        conn.close()
    results["load_end"] = load()
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
