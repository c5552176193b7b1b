-- Detail vector tiles built in the database (gis_backend/maps/tiles.py), and the tile cache's
-- storage.
--
-- One definition of what a detail tile (a layer's detail_minzoom and above, layers/catalogue.yaml)
-- holds: maps_tile_detail builds it, the map API calls it (in the same statement as the caller's
-- check and the cache lookup, see tiles.serve_sql), and bench/api.py runs it as "raw_sql".
--
-- PL/pgSQL, so that each layer's statement is planned once per database session and its plan
-- kept; generic plans, forced: PostgreSQL's own choice (custom plans for the first five runs,
-- then whichever it estimates cheaper) kept planning accounts and suspensions tiles on every
-- request once it had seen a few tiles far from the data, and planning (0.1–0.4 ms) cost as
-- much as building a zoom-17 or zoom-18 tile. Generic plans ran as fast as custom ones, or
-- within 6 %, at zooms 14–18 on the 1M-account town (bench/README.md, api.py). The tile's
-- envelopes are computed once into variables, not per feature.

-- The suspension events of one account in a period, of the given kinds (all when NULL): by the
-- account's index, one account at a time (OFFSET 0 keeps it so, rather than a hash join of all
-- events). Inlined into the calling statement by the planner.
CREATE FUNCTION maps_tile_events(account bigint, date_from date, date_to date, kinds text[])
RETURNS TABLE (id bigint, kind text, occurred_on date, reason text)
LANGUAGE sql STABLE AS $$
    SELECT ev.id, ev.kind::text, ev.occurred_on, ev.reason::text
      FROM registry_suspensionevent AS ev
     WHERE ev.account_id = account
       AND ev.occurred_on BETWEEN date_from AND date_to
       AND (kinds IS NULL OR ev.kind = ANY(kinds))
    OFFSET 0
$$;

CREATE FUNCTION maps_tile_detail(
    layer text, z integer, x integer, y integer,
    date_from date DEFAULT NULL, date_to date DEFAULT NULL, kinds text[] DEFAULT NULL
) RETURNS bytea
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    -- The tile, and the tile with its 64-unit buffer (of 4096) in Web Mercator, to pick
    -- tile-ready rows (maps_parcel_tile, maps_account_tile) by their spatial index; the same in
    -- the storage SRID for the registry's own geometry.
    tile_box geometry := ST_TileEnvelope(z, x, y);
    tile_env geometry := ST_TileEnvelope(z, x, y, margin => 64.0 / 4096);
    storage_env geometry := ST_Transform(tile_env, {{STORAGE_SRID}});
    mvt bytea;
BEGIN
    -- No "WHERE geom IS NOT NULL": ST_AsMVT skips NULL geometries itself, and the planner would
    -- push that filter into the scans, running ST_AsMVTGeom for rows the joins then drop.
    IF layer = 'parcels' THEN
        -- Parcels read their state from maps_parcel_tile, kept in step with the registry by
        -- triggers (post_10_maps.sql: the accounts linked to the parcel, the most severe of
        -- their statuses, the sum of their positive newest balances, the largest days overdue
        -- among those).
        SELECT ST_AsMVT(t, 'parcels', 4096, 'geom', 'id') INTO mvt
          FROM (
            SELECT p.parcel_id AS id, p.cadastral_key,
                   p.accounts,
                   coalesce(p.status, 'sin_cuenta') AS status,
                   p.balance::float8 AS balance,
                   p.days_overdue,
                   CASE WHEN p.balance > 0 THEN maps_aging_bucket(p.days_overdue)
                        ELSE 'sin_adeudo' END AS aging,
                   maps_map_class(p.status, p.balance, p.days_overdue) AS map_class,
                   ST_AsMVTGeom(p.geom, tile_box, 4096, 64, true) AS geom
              FROM maps_parcel_tile AS p
             WHERE p.geom && tile_env
          ) AS t;
    ELSIF layer = 'accounts' THEN
        -- Accounts found where they are drawn, with their number, status and tariff, in
        -- maps_account_tile (kept in step with the registry by triggers, post_10_maps.sql); the
        -- newest balance of each by its index.
        SELECT ST_AsMVT(t, 'accounts', 4096, 'geom', 'id') INTO mvt
          FROM (
            SELECT a.account_id AS id, a.number, a.status, a.tariff, a.located_at,
                   cs.balance::float8 AS balance,
                   coalesce(cs.months_overdue, 0) AS months_overdue,
                   coalesce(cs.days_overdue, 0) AS days_overdue,
                   CASE WHEN cs.balance > 0 THEN maps_aging_bucket(cs.days_overdue)
                        ELSE 'sin_adeudo' END AS aging,
                   maps_map_class(a.status, cs.balance, cs.days_overdue) AS map_class,
                   ST_AsMVTGeom(a.geom, tile_box, 4096, 64, true) AS geom
              FROM maps_account_tile AS a
              LEFT JOIN LATERAL (
                  SELECT c.balance, c.months_overdue, c.days_overdue
                    FROM registry_collectionsnapshot AS c
                   WHERE c.account_id = a.account_id
                   ORDER BY c.as_of DESC
                   LIMIT 1
              ) AS cs ON true
             WHERE a.geom && tile_env
          ) AS t;
    ELSIF layer = 'segments' THEN
        SELECT ST_AsMVT(t, 'segments', 4096, 'geom', 'id') INTO mvt
          FROM (
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
                   ST_AsMVTGeom(ST_Transform(sg.geom, 3857), tile_box, 4096, 64, true) AS geom
              FROM registry_streetsegment AS sg
              LEFT JOIN maps_segment_summary AS s ON s.segment_id = sg.id
             WHERE sg.geom && storage_env
          ) AS t;
    ELSIF layer = 'suspensions' THEN
        -- The events of the accounts drawn in the tile, where they are drawn (maps_account_tile),
        -- looked up by the events' account index one account at a time.
        SELECT ST_AsMVT(t, 'suspensions', 4096, 'geom', 'id') INTO mvt
          FROM (
            SELECT e.id, a.account_id, a.number AS account_number, e.kind,
                   e.occurred_on::text AS occurred_on, nullif(e.reason, '') AS reason,
                   ST_AsMVTGeom(a.geom, tile_box, 4096, 64, true) AS geom
              FROM maps_account_tile AS a
              CROSS JOIN LATERAL maps_tile_events(a.account_id, date_from, date_to, kinds) AS e
             WHERE a.geom && tile_env
          ) AS t;
    ELSE
        RAISE EXCEPTION 'maps_tile_detail: no detail tiles for layer %', layer;
    END IF;
    RETURN coalesce(mvt, '');
END
$$;

-- Keep a tile (or a cached response) under its key for a data version; returns the body, so
-- that one statement can build, store and answer (tiles.serve_sql).
-- The cache can be rebuilt from the registry at any time: a transaction that wrote nothing
-- before storing into it (a tile or an aggregate read, which write nothing after either)
-- commits without waiting for the write-ahead log to reach the disk (0.15 ms a tile here, a
-- tenth of a cold zoom-18 tile). A crash may then lose the last cache entries, never registry
-- data: a transaction that already wrote anything keeps the server's setting.
CREATE FUNCTION maps_tile_store(cache_key text, version bigint, tile bytea) RETURNS bytea
LANGUAGE plpgsql AS $$
BEGIN
    IF txid_current_if_assigned() IS NULL THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    INSERT INTO maps_tile_cache (key, data_version, body) VALUES (cache_key, version, tile)
    ON CONFLICT (key) DO UPDATE
       SET data_version = EXCLUDED.data_version, body = EXCLUDED.body, body_gzip = NULL,
           created_at = now();
    RETURN tile;
END
$$;

-- Cached bodies. PostgreSQL compresses values over 2 KB with pglz by default: MVT tiles shrink to
-- about half, but compressing cost 0.25–0.3 ms on every write of a 15–20 KB zoom-17 tile, as much
-- as building some of them (bench/README.md). lz4 keeps most of the saving (53–68 % of the size)
-- for 0.02–0.03 ms; a server built without lz4 stores them uncompressed. Gzipped bodies do not
-- compress further: stored as they are.
ALTER TABLE maps_tile_cache ALTER COLUMN body_gzip SET STORAGE EXTERNAL;
DO $$
BEGIN
    ALTER TABLE maps_tile_cache ALTER COLUMN body SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    ALTER TABLE maps_tile_cache ALTER COLUMN body SET STORAGE EXTERNAL;
END
$$;
