-- Functions shared by the map API's GeoJSON, tile and aggregate queries (gis_backend/maps/),
-- and the summaries that low-zoom tiles read instead of a million rows.
--
-- Functions are LANGUAGE sql with string bodies, so they record no dependency on registry
-- columns: a registry migration never fails because of them. The simple ones are inlined by the
-- planner, so using them costs nothing over writing their body in place.

-- The version of the registry's data: the newest history row. Every insert, update or delete on
-- a registry table writes history rows (registry/sql/post_10_history.sql), so this number
-- changes whenever what a map shows may have changed. Tile ETags and caches are keyed by it.
CREATE FUNCTION maps_data_version() RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT coalesce(max(id), 0) FROM registry_registryhistory
$$;

-- Aging bucket of a balance by its days overdue: 0–30, 31–90, 91–180, more than 180 days.
CREATE FUNCTION maps_aging_bucket(days integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN days IS NULL THEN NULL
                WHEN days <= 30 THEN '0_30'
                WHEN days <= 90 THEN '31_90'
                WHEN days <= 180 THEN '91_180'
                ELSE '181_mas' END
$$;

-- Severity of an account status, to colour a parcel by the most severe status of its accounts.
CREATE FUNCTION maps_status_rank(status text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE status WHEN 'suspendido' THEN 5 WHEN 'restringido' THEN 4 WHEN 'activo' THEN 3
                       WHEN 'baja_temporal' THEN 2 WHEN 'baja_definitiva' THEN 1 ELSE 0 END
$$;

-- Tile-ready parcels: what a parcel tile draws, kept ready so that a tile reads one table.
-- - the parcel's geometry in Web Mercator (indexed there: a tile picks its parcels without
--   transforming anything) and its key;
-- - its label point, where an account without a connection point is drawn, in the storage SRID
--   and in Web Mercator;
-- - its state: how many accounts are linked to it, the most severe of their statuses, the sum
--   of their positive newest balances and the largest days overdue among those.
-- Transforming polygons, ST_PointOnSurface and three index probes per parcel for its state were
-- two thirds of a dense tile's time on the 1M-account town (bench/README.md). Kept in step by the
-- statement triggers below (one statement per triggering statement, COPY included) on
-- registry_parcel (geometry, key), registry_account (status), registry_accountlink (links) and
-- registry_collectionsnapshot (balances); rebuilt whole whenever these files are applied.
CREATE TABLE maps_parcel_tile (
    parcel_id bigint PRIMARY KEY,
    cadastral_key text NOT NULL,
    geom geometry(Geometry, 3857) NOT NULL,
    label geometry(Point, {{STORAGE_SRID}}),
    label_3857 geometry(Point, 3857),
    accounts integer NOT NULL DEFAULT 0,
    status text,
    balance numeric,
    days_overdue integer
) WITH (fillfactor = 50);

-- The statement that writes geometry, key and label of the parcels of `source` (a relation or
-- subquery with id, cadastral_key and geom), leaving their state as it is.
CREATE FUNCTION maps_parcel_tile_upsert_sql(source text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format(
        'INSERT INTO maps_parcel_tile (parcel_id, cadastral_key, geom, label, label_3857) '
        'SELECT id, cadastral_key, ST_Transform(geom, 3857), label, ST_Transform(label, 3857) '
        '  FROM (SELECT id, cadastral_key, geom, ST_PointOnSurface(geom) AS label '
        '          FROM %s) AS s '
        'ON CONFLICT (parcel_id) DO UPDATE SET cadastral_key = EXCLUDED.cadastral_key, '
        '    geom = EXCLUDED.geom, label = EXCLUDED.label, label_3857 = EXCLUDED.label_3857',
        source)
$$;

-- The source that stands for every parcel: what maps_restate_source answers for a statement that
-- wrote links for much of the town, and what the rebuild below restates. The functions below
-- recognise it: the ids of every parcel are the table's key, with no DISTINCT to compute, and the
-- state of every parcel reads the links whole.
CREATE FUNCTION maps_every_parcel() RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT '(SELECT parcel_id FROM maps_parcel_tile)'
$$;

-- The distinct ids that `source` (a subquery with a parcel_id column, NULLs and repeats allowed)
-- yields, as a relation `ids` with a parcel_id column.
CREATE FUNCTION maps_parcel_ids_sql(source text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN source = maps_every_parcel() THEN 'maps_parcel_tile AS ids'
                ELSE format('(SELECT DISTINCT parcel_id FROM %s AS src '
                            '  WHERE parcel_id IS NOT NULL) AS ids', source) END
$$;

-- The state of the parcels whose ids `source` yields, for those linked to an account: the one
-- definition of a parcel's state (tiles read it, gis_backend/maps/tiles.py). A join and GROUP BY,
-- not a subquery per parcel: the planner hash-joins when a statement touched most of the town.
-- Each account's newest balance is one index probe, also for every parcel: the probes follow the
-- accounts' order, so they read the index in order (a million in 1.4 s on the 1M-account town,
-- against 4.3 s in the order of a hash of parcel ids), and their number grows with the accounts,
-- not with the cut-offs kept. For every parcel the links are read whole: joining them with the
-- ids of every parcel (two hash aggregates of a million ids, then the probes in their order) took
-- 11.4 s of a first linking run's 21 s restatement, reading them whole 4.0 s.
CREATE FUNCTION maps_parcel_state_sql(source text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format($f$
        SELECT l.parcel_id,
               count(*)::integer AS accounts,
               (array_agg(a.status ORDER BY maps_status_rank(a.status) DESC))[1]::text AS status,
               sum(cs.balance) FILTER (WHERE cs.balance > 0) AS balance,
               max(cs.days_overdue) FILTER (WHERE cs.balance > 0) AS days_overdue
          FROM %s
          JOIN registry_account AS a ON a.id = l.account_id
          LEFT JOIN LATERAL (
              SELECT c.balance, c.days_overdue
                FROM registry_collectionsnapshot AS c
               WHERE c.account_id = a.id
               ORDER BY c.as_of DESC
               LIMIT 1
          ) AS cs ON true
         WHERE l.parcel_id IS NOT NULL
         GROUP BY l.parcel_id
    $f$, CASE WHEN source = maps_every_parcel() THEN 'registry_accountlink AS l'
              ELSE maps_parcel_ids_sql(source)
                   || ' JOIN registry_accountlink AS l ON l.parcel_id = ids.parcel_id' END)
$$;

-- The statement that recomputes the state of the parcels whose ids `source` yields; rows whose
-- state did not change are not written. (The table's fillfactor leaves room on every page, so
-- that a statement restating the whole town updates in place, without touching the index.)
CREATE FUNCTION maps_parcel_tile_restate_sql(source text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format($f$
        UPDATE maps_parcel_tile AS t
           SET accounts = coalesce(st.accounts, 0), status = st.status, balance = st.balance,
               days_overdue = st.days_overdue
          FROM %1$s
          LEFT JOIN (%2$s) AS st ON st.parcel_id = ids.parcel_id
         WHERE t.parcel_id = ids.parcel_id
           AND (t.accounts, t.status, t.balance, t.days_overdue) IS DISTINCT FROM
               (coalesce(st.accounts, 0), st.status, st.balance, st.days_overdue)
    $f$, maps_parcel_ids_sql(source), maps_parcel_state_sql(source))
$$;

-- What a statement on the links that wrote `touched` rows restates: the parcels of `source`, or
-- every parcel when it wrote as many links as half the town has parcels (a first linking run,
-- a re-link after the cadastre changed). The planner takes the distinct parcels of a transition
-- table for 200 rows and restates them one index probe at a time: at a million links that took
-- 40 s of a linking run, every parcel restated through hash joins half of it (bench/README.md).
-- (Accounts and balances reach their parcels through a join with the links, which the planner
-- estimates from the links' statistics.)
-- Restating a parcel whose state did not change writes nothing, so both give the same table.
-- The setting padron.restate_all_from (rows, 50000 unless set) lets the tests take either way.
CREATE FUNCTION maps_restate_source(source text, touched bigint) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN touched >= coalesce(nullif(current_setting('padron.restate_all_from', true),
                                                '')::bigint, 50000)
                     AND touched * 2 >= (SELECT reltuples FROM pg_class
                                          WHERE oid = 'maps_parcel_tile'::regclass)
                THEN maps_every_parcel()
                ELSE source END
$$;

-- The parcels linked to the accounts of `accounts` (a relation with the accounts' ids in
-- column `id_column`), as a source for maps_parcel_tile_restate_sql.
CREATE FUNCTION maps_parcels_of_accounts(accounts text, id_column text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format(
        '(SELECT l.parcel_id FROM registry_accountlink AS l '
        '  WHERE l.account_id IN (SELECT %I FROM %s))', id_column, accounts)
$$;

-- What a TRUNCATE of accounts or links (… CASCADE empties the links too) leaves: no parcel has a
-- linked account, so every state is the one maps_parcel_tile_restate_sql gives a parcel without
-- links (no accounts, no status, no balance). Written directly, not restated: restating the
-- parcels that showed accounts joins their ids with their state, and with statistics taken
-- while no parcel showed any (the tables rebuilt by `migrate` before the first linking run) the
-- planner expected one such parcel and recomputed the state of every parcel once per parcel: a
-- TRUNCATE of a million links ran for over 17 minutes without ending (bench/README.md).
CREATE FUNCTION maps_parcel_tile_clear() RETURNS void
LANGUAGE sql AS $$
    UPDATE maps_parcel_tile
       SET accounts = 0, status = NULL, balance = NULL, days_overdue = NULL
     WHERE accounts <> 0 OR status IS NOT NULL OR balance IS NOT NULL OR days_overdue IS NOT NULL
$$;

-- Tile-ready accounts: where each account is drawn, kept ready so that an accounts or
-- suspensions tile finds its accounts in one table by one index: at its connection point
-- ('toma') or, without one, at its linked parcel's label point ('predio'; the rule of
-- maps_located_accounts), in Web Mercator; with its number, status and tariff. Locating
-- accounts through two indexes (points in the storage SRID, parcels in Web Mercator, then
-- links and accounts) was half of an accounts tile's time on the 1M-account town
-- (bench/README.md). Balances are not kept here: a new cut-off writes a million of them every
-- month, and restating a million rows of this table took 29 s; a tile probes each of its
-- accounts' newest balance by index instead. One row per account; geom is NULL for an account
-- the map cannot place. Kept in step by the same statement triggers as maps_parcel_tile
-- (below), after it: a parcel's label is read from there.
CREATE TABLE maps_account_tile (
    account_id bigint PRIMARY KEY,
    number text NOT NULL,
    status text NOT NULL,
    tariff text NOT NULL,
    located_at text,
    geom geometry(Point, 3857)
);

-- The statement that writes the rows of the accounts that `source` yields, once each: a relation
-- or subquery with what the map draws of an account (id, number, status, tariff,
-- connection_point) and parcel_id, the parcel it is linked to (NULL when none). Rows that did not
-- change are not written. One INSERT … ON CONFLICT, which finds each account's row by its key:
-- `source` often comes of a transition table, which the planner takes for one row, and joining
-- it with this table (an UPDATE … FROM, a NOT EXISTS) let it rescan the table once per row — a
-- million accounts inserted at once never finished that way.
CREATE FUNCTION maps_account_tile_upsert_sql(source text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format($f$
        INSERT INTO maps_account_tile AS t (account_id, number, status, tariff, located_at, geom)
        SELECT src.id, src.number, src.status, src.tariff,
               CASE WHEN src.connection_point IS NOT NULL THEN 'toma'
                    WHEN pt.label_3857 IS NOT NULL THEN 'predio' END,
               coalesce(ST_Transform(src.connection_point, 3857), pt.label_3857)
          FROM %s AS src
          LEFT JOIN maps_parcel_tile AS pt
                 ON pt.parcel_id = src.parcel_id AND src.connection_point IS NULL
        ON CONFLICT (account_id) DO UPDATE
           SET number = EXCLUDED.number, status = EXCLUDED.status, tariff = EXCLUDED.tariff,
               located_at = EXCLUDED.located_at, geom = EXCLUDED.geom
         WHERE (t.number, t.status, t.tariff, t.located_at, t.geom) IS DISTINCT FROM
               (EXCLUDED.number, EXCLUDED.status, EXCLUDED.tariff, EXCLUDED.located_at,
                EXCLUDED.geom)
    $f$, source)
$$;

-- A source for maps_account_tile_upsert_sql: the accounts of `accounts` (rows of
-- registry_account) with the parcel each is linked to.
CREATE FUNCTION maps_accounts_with_links(accounts text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format(
        '(SELECT a.id, a.number, a.status, a.tariff, a.connection_point, l.parcel_id '
        '   FROM %s AS a LEFT JOIN registry_accountlink AS l ON l.account_id = a.id)', accounts)
$$;

-- A source for maps_account_tile_upsert_sql: the accounts of the links `links` (account_id,
-- parcel_id) that have no connection point, those drawn at their parcel.
CREATE FUNCTION maps_accounts_of_links(links text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format(
        '(SELECT a.id, a.number, a.status, a.tariff, a.connection_point, lk.parcel_id '
        '   FROM %s AS lk JOIN registry_account AS a ON a.id = lk.account_id '
        '  WHERE a.connection_point IS NULL)', links)
$$;

-- The links to the parcels whose ids `parcels` (a relation or subquery with an id column)
-- yields, as `links` for maps_accounts_of_links.
CREATE FUNCTION maps_links_to_parcels(parcels text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format(
        '(SELECT l.account_id, l.parcel_id FROM registry_accountlink AS l '
        '  WHERE l.parcel_id IN (SELECT id FROM %s AS p))', parcels)
$$;

-- The trigger functions below keep both tile-ready tables; maps_account_tile reads parcel labels
-- from maps_parcel_tile, so each restates the parcels first. They plan without Memoize: in a
-- parcel's state each account is linked once, so a cache of its balance probes never hits, and
-- the planner put one there whenever it estimated more links than accounts (0 hits in 960,481
-- probes of a first linking run, +0.8 s).

-- registry_parcel: geometry and key, and the state of new parcels (links may come first in a
-- transaction whose foreign keys are deferred); the accounts drawn at a parcel whose geometry
-- changed (or that came after its links).
CREATE FUNCTION maps_tile_tables_parcel() RETURNS trigger
LANGUAGE plpgsql SET jit = off SET enable_memoize = off AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE maps_parcel_tile_upsert_sql('new_rows');
        IF EXISTS (SELECT 1 FROM registry_accountlink) THEN
            EXECUTE maps_parcel_tile_restate_sql('(SELECT id AS parcel_id FROM new_rows)');
            EXECUTE maps_account_tile_upsert_sql(
                maps_accounts_of_links(maps_links_to_parcels('new_rows')));
        END IF;
    ELSIF TG_OP = 'UPDATE' THEN
        -- Only rows whose geometry or key changed: an import rewriting attributes costs nothing.
        -- Old and new rows are compared with EXCEPT, never joined: the planner knows nothing of
        -- a transition table's size (it assumes one row) and would rescan one per row of the
        -- other, quadratic in the rows the statement changed.
        DELETE FROM maps_parcel_tile AS t
         WHERE t.parcel_id IN (SELECT id FROM old_rows EXCEPT SELECT id FROM new_rows);
        EXECUTE maps_parcel_tile_upsert_sql(
            '(SELECT id, cadastral_key, ST_GeomFromEWKB(ewkb) AS geom FROM ('
            '  SELECT id, cadastral_key, ST_AsEWKB(geom) AS ewkb FROM new_rows '
            '  EXCEPT SELECT id, cadastral_key, ST_AsEWKB(geom) FROM old_rows) AS c) AS changed');
        EXECUTE maps_parcel_tile_restate_sql(
            '(SELECT id AS parcel_id FROM new_rows EXCEPT SELECT id FROM old_rows)');
        EXECUTE maps_account_tile_upsert_sql(maps_accounts_of_links(maps_links_to_parcels(
            '(SELECT id FROM (SELECT id, ST_AsEWKB(geom) FROM new_rows '
            '                 EXCEPT SELECT id, ST_AsEWKB(geom) FROM old_rows) AS moved)')));
    ELSIF TG_OP = 'DELETE' THEN
        -- Links to a deleted parcel are set to NULL: their trigger restates those accounts.
        DELETE FROM maps_parcel_tile AS t USING old_rows AS o WHERE t.parcel_id = o.id;
    ELSE  -- TRUNCATE (… CASCADE empties the links, whose trigger restates the accounts)
        TRUNCATE maps_parcel_tile;
    END IF;
    RETURN NULL;
END
$$;

-- registry_account: the parcels of accounts whose status changed (or that came or went); the
-- accounts whose number, status, tariff or connection point changed.
CREATE FUNCTION maps_tile_tables_account() RETURNS trigger
LANGUAGE plpgsql SET jit = off SET enable_memoize = off AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE maps_parcel_tile_restate_sql(maps_parcels_of_accounts('new_rows', 'id'));
        EXECUTE maps_account_tile_upsert_sql(maps_accounts_with_links('new_rows'));
    ELSIF TG_OP = 'UPDATE' THEN
        EXECUTE maps_parcel_tile_restate_sql(maps_parcels_of_accounts(
            '(SELECT id FROM (SELECT id, status FROM new_rows '
            '                 EXCEPT SELECT id, status FROM old_rows) AS came_or_changed '
            ' UNION ALL '
            ' SELECT id FROM (SELECT id FROM old_rows EXCEPT SELECT id FROM new_rows) AS went'
            ') AS changed',
            'id'));
        DELETE FROM maps_account_tile AS t
         WHERE t.account_id IN (SELECT id FROM old_rows EXCEPT SELECT id FROM new_rows);
        EXECUTE maps_account_tile_upsert_sql(maps_accounts_with_links(
            '(SELECT id, number, status, tariff, ST_GeomFromEWKB(ewkb) AS connection_point '
            '   FROM (SELECT id, number, status, tariff, ST_AsEWKB(connection_point) AS ewkb '
            '           FROM new_rows '
            '         EXCEPT SELECT id, number, status, tariff, ST_AsEWKB(connection_point) '
            '           FROM old_rows) AS c)'));
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE maps_parcel_tile_restate_sql(maps_parcels_of_accounts('old_rows', 'id'));
        DELETE FROM maps_account_tile AS t USING old_rows AS o WHERE t.account_id = o.id;
    ELSE  -- TRUNCATE
        PERFORM maps_parcel_tile_clear();
        TRUNCATE maps_account_tile;
    END IF;
    RETURN NULL;
END
$$;

-- registry_accountlink: the parcels an account was linked to and is linked to now; the
-- accounts drawn at their parcel whose link changed (a link gone: drawn nowhere).
CREATE FUNCTION maps_tile_tables_link() RETURNS trigger
LANGUAGE plpgsql SET jit = off SET enable_memoize = off AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE maps_parcel_tile_restate_sql(
            maps_restate_source('new_rows', (SELECT count(*) FROM new_rows)));
        EXECUTE maps_account_tile_upsert_sql(maps_accounts_of_links('new_rows'));
    ELSIF TG_OP = 'UPDATE' THEN
        EXECUTE maps_parcel_tile_restate_sql(maps_restate_source(
            '(SELECT parcel_id FROM (SELECT account_id, parcel_id FROM new_rows '
            '                        EXCEPT SELECT account_id, parcel_id FROM old_rows) AS now '
            ' UNION ALL '
            ' SELECT parcel_id FROM (SELECT account_id, parcel_id FROM old_rows '
            '                        EXCEPT SELECT account_id, parcel_id FROM new_rows) AS before)',
            (SELECT count(*) FROM new_rows)));
        EXECUTE maps_account_tile_upsert_sql(maps_accounts_of_links(
            '(SELECT account_id, parcel_id FROM new_rows '
            ' EXCEPT SELECT account_id, parcel_id FROM old_rows '
            ' UNION ALL '
            ' SELECT account_id, NULL FROM (SELECT account_id FROM old_rows '
            '                               EXCEPT SELECT account_id FROM new_rows) AS went)'));
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE maps_parcel_tile_restate_sql(
            maps_restate_source('old_rows', (SELECT count(*) FROM old_rows)));
        EXECUTE maps_account_tile_upsert_sql(maps_accounts_of_links(
            '(SELECT account_id, NULL::bigint AS parcel_id FROM old_rows)'));
    ELSE
        PERFORM maps_parcel_tile_clear();
        EXECUTE maps_account_tile_upsert_sql(maps_accounts_of_links(
            '(SELECT account_id, NULL::bigint AS parcel_id FROM maps_account_tile '
            '  WHERE located_at = ''predio'')'));
    END IF;
    RETURN NULL;
END
$$;

-- registry_collectionsnapshot: the parcels of the accounts whose balances changed.
CREATE FUNCTION maps_tile_tables_balance() RETURNS trigger
LANGUAGE plpgsql SET jit = off SET enable_memoize = off AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE maps_parcel_tile_restate_sql(maps_parcels_of_accounts('new_rows', 'account_id'));
    ELSIF TG_OP = 'UPDATE' THEN
        EXECUTE maps_parcel_tile_restate_sql(maps_parcels_of_accounts(
            '(SELECT account_id FROM new_rows UNION SELECT account_id FROM old_rows) AS changed',
            'account_id'));
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE maps_parcel_tile_restate_sql(maps_parcels_of_accounts('old_rows', 'account_id'));
    ELSE  -- TRUNCATE: no balance left anywhere (set directly, as in maps_parcel_tile_clear)
        UPDATE maps_parcel_tile SET balance = NULL, days_overdue = NULL
         WHERE balance IS NOT NULL OR days_overdue IS NOT NULL;
    END IF;
    RETURN NULL;
END
$$;

-- PostgreSQL allows transition tables only on single-event triggers: one trigger per event.
DO $$
DECLARE
    target record;
BEGIN
    FOR target IN
        SELECT * FROM (VALUES ('registry_parcel', 'maps_tile_tables_parcel'),
                              ('registry_account', 'maps_tile_tables_account'),
                              ('registry_accountlink', 'maps_tile_tables_link'),
                              ('registry_collectionsnapshot', 'maps_tile_tables_balance'))
               AS t (tab, func)
    LOOP
        EXECUTE format('CREATE TRIGGER %1$s_ins AFTER INSERT ON %2$I REFERENCING NEW TABLE AS '
                       'new_rows FOR EACH STATEMENT EXECUTE FUNCTION %1$s()',
                       target.func, target.tab);
        EXECUTE format('CREATE TRIGGER %1$s_upd AFTER UPDATE ON %2$I REFERENCING OLD TABLE AS '
                       'old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION %1$s()',
                       target.func, target.tab);
        EXECUTE format('CREATE TRIGGER %1$s_del AFTER DELETE ON %2$I REFERENCING OLD TABLE AS '
                       'old_rows FOR EACH STATEMENT EXECUTE FUNCTION %1$s()',
                       target.func, target.tab);
        EXECUTE format('CREATE TRIGGER %1$s_trunc AFTER TRUNCATE ON %2$I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION %1$s()', target.func, target.tab);
    END LOOP;
END
$$;

-- Run the trigger functions as their owner (a QGIS user's role edits the registry and has no
-- privilege on the tile-ready tables), with a search path no session can shadow
-- (core/sql/post_10_core.sql).
SELECT core_run_as_owner(ARRAY['maps_tile_tables_parcel', 'maps_tile_tables_account',
                               'maps_tile_tables_link', 'maps_tile_tables_balance']);

-- Rebuild (these files are applied after every migrate): one INSERT with the state, index after.
-- Not an INSERT then an UPDATE: updated rows form HOT chains, and an index built over them is
-- unusable (pg_index.indcheckxmin) until every transaction of the cluster older than it ends.
DO $$
BEGIN
    EXECUTE format(
        'INSERT INTO maps_parcel_tile (parcel_id, cadastral_key, geom, label, label_3857, '
        '    accounts, status, balance, days_overdue) '
        'SELECT p.id, p.cadastral_key, ST_Transform(p.geom, 3857), p.label, '
        '       ST_Transform(p.label, 3857), coalesce(st.accounts, 0), st.status, st.balance, '
        '       st.days_overdue '
        '  FROM (SELECT id, cadastral_key, geom, ST_PointOnSurface(geom) AS label '
        '          FROM registry_parcel) AS p '
        '  LEFT JOIN (%s) AS st ON st.parcel_id = p.id',
        maps_parcel_state_sql(maps_every_parcel()));
END
$$;
CREATE INDEX maps_parcel_tile_geom ON maps_parcel_tile USING gist (geom);
ANALYZE maps_parcel_tile;
DO $$
BEGIN
    EXECUTE maps_account_tile_upsert_sql(maps_accounts_with_links('registry_account'));
END
$$;
CREATE INDEX maps_account_tile_geom ON maps_account_tile USING gist (geom);
ANALYZE maps_account_tile;

-- Where each account is drawn, for the accounts inside `env` (storage SRID): at its connection
-- point (located_at 'toma') or, without one, at its linked parcel's label point ('predio').
-- Accounts with neither are not on the map. Two branches so that each uses its spatial index;
-- the planner inlines this function into the calling query.
-- The parcel branch selects parcels whose box meets `env`, so a point of a parcel astride the
-- edge may lie just outside: callers clip (ST_AsMVTGeom, ST_Intersects).
CREATE FUNCTION maps_located_accounts(env geometry)
RETURNS TABLE (account_id bigint, geom geometry, located_at text)
LANGUAGE sql STABLE AS $$
    SELECT a.id, a.connection_point, 'toma'
      FROM registry_account AS a
     WHERE a.connection_point && env
    UNION ALL
    SELECT l.account_id, t.label, 'predio'
      FROM registry_parcel AS p
      JOIN maps_parcel_tile AS t ON t.parcel_id = p.id
      JOIN registry_accountlink AS l ON l.parcel_id = p.id
      JOIN registry_account AS a ON a.id = l.account_id
     WHERE p.geom && env AND a.connection_point IS NULL
$$;

-- The class a parcel or account is coloured by (layers/catalogue.yaml, map_classes): its status
-- and, for an active account, the aging bucket of its balance.
CREATE FUNCTION maps_map_class(status text, balance numeric, days integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN status IS NULL THEN 'sin_cuenta'
                WHEN status = 'suspendido' THEN 'suspendido'
                WHEN status = 'restringido' THEN 'restringido'
                WHEN status IN ('baja_temporal', 'baja_definitiva') THEN 'baja'
                WHEN balance > 0 THEN maps_aging_bucket(days)
                ELSE 'al_corriente' END
$$;

-- Where each meter is drawn, for the meters inside `env`: at its own location ('medidor') or,
-- without one, where its account is drawn ('toma' or 'predio').
CREATE FUNCTION maps_located_meters(env geometry)
RETURNS TABLE (meter_id bigint, geom geometry, located_at text)
LANGUAGE sql STABLE AS $$
    SELECT m.id, m.location, 'medidor'
      FROM registry_meter AS m
     WHERE m.location && env
    UNION ALL
    SELECT m.id, la.geom, la.located_at
      FROM maps_located_accounts(env) AS la
      JOIN registry_meter AS m ON m.account_id = la.account_id
     WHERE m.location IS NULL
$$;

-- Tiles and cached responses, keyed by address and parameters, valid for one data version.
-- UNLOGGED: a cache needs no crash safety, and writing it costs no WAL.
-- body_gzip: the same body gzipped, written by the first request that accepts gzip (browsers
-- and QGIS do), so later ones do not compress it again.
CREATE UNLOGGED TABLE maps_tile_cache (
    key text PRIMARY KEY,
    data_version bigint NOT NULL,
    body bytea NOT NULL,
    body_gzip bytea,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Low-zoom summaries --------------------------------------------------------------------------
-- Tiles at zooms 10–14 cover most of a town: drawing a million parcels there makes tiles of
-- tens of megabytes and takes seconds. They draw these summaries instead, refreshed when the
-- data version moved (gis_backend/maps/summaries.py; `padron-admin refresh_map_summaries`).

-- Web Mercator grid whose cells are 1/32 of a zoom-14 tile (about 76 m): cell_x counts from the
-- west edge of the world, cell_y from the north edge, like tile numbers, so a tile at zoom z
-- holds cells [x·32·2^(14−z), (x+1)·32·2^(14−z)) and coarser zooms merge 2^(14−z) cells a side.
CREATE TABLE maps_grid_cell (
    cell_x integer NOT NULL,
    cell_y integer NOT NULL,
    parcels integer NOT NULL DEFAULT 0,
    parcels_without_account integer NOT NULL DEFAULT 0,
    built_without_account integer NOT NULL DEFAULT 0,
    accounts integer NOT NULL DEFAULT 0,
    active integer NOT NULL DEFAULT 0,
    restricted integer NOT NULL DEFAULT 0,
    suspended integer NOT NULL DEFAULT 0,
    closed integer NOT NULL DEFAULT 0,
    arrears_count integer NOT NULL DEFAULT 0,
    arrears_amount numeric(14, 2) NOT NULL DEFAULT 0,
    aging_0_30 integer NOT NULL DEFAULT 0,
    aging_31_90 integer NOT NULL DEFAULT 0,
    aging_91_180 integer NOT NULL DEFAULT 0,
    aging_181_mas integer NOT NULL DEFAULT 0,
    PRIMARY KEY (cell_x, cell_y)
);

-- Arrears and status counts per street segment, through the stored account → segment links.
CREATE TABLE maps_segment_summary (
    segment_id bigint PRIMARY KEY,
    accounts integer NOT NULL,
    suspended integer NOT NULL,
    restricted integer NOT NULL,
    arrears_count integer NOT NULL,
    arrears_amount numeric(14, 2) NOT NULL,
    aging_0_30 integer NOT NULL,
    aging_31_90 integer NOT NULL,
    aging_91_180 integer NOT NULL,
    aging_181_mas integer NOT NULL,
    max_days_overdue integer
);

-- Arrears and suspensions per segment, colonia and sector, and for the whole town (unit
-- 'total'), all periods: what GET /api/v1/aggregates/<unit>/ answers without filters. Filled by
-- gis_backend/maps/aggregates.py (refresh_unit_summary), whose SQL also answers filtered
-- requests, so both follow one definition. unit_id NULL: accounts without such a unit.
CREATE TABLE maps_unit_summary (
    unit text NOT NULL,
    unit_id bigint,
    accounts integer NOT NULL,
    suspended integer NOT NULL,
    restricted integer NOT NULL,
    arrears_count integer NOT NULL,
    arrears_amount numeric(14, 2) NOT NULL,
    arrears_share numeric NOT NULL,
    share_over_90 numeric NOT NULL,
    aging_0_30_count integer NOT NULL,
    aging_0_30_amount numeric(14, 2) NOT NULL,
    aging_31_90_count integer NOT NULL,
    aging_31_90_amount numeric(14, 2) NOT NULL,
    aging_91_180_count integer NOT NULL,
    aging_91_180_amount numeric(14, 2) NOT NULL,
    aging_181_mas_count integer NOT NULL,
    aging_181_mas_amount numeric(14, 2) NOT NULL,
    restrictions integer NOT NULL,
    cuts integer NOT NULL,
    reconnections integer NOT NULL
);
CREATE INDEX maps_unit_summary_unit ON maps_unit_summary (unit, unit_id);

-- One row: the data version the summaries reflect, and when they were computed.
CREATE TABLE maps_summary_state (
    id integer PRIMARY KEY CHECK (id = 1),
    data_version bigint NOT NULL,
    refreshed_at timestamptz NOT NULL
);

-- Recompute both summaries in the caller's transaction. DELETE, not TRUNCATE: readers keep
-- seeing the previous rows until the transaction commits instead of waiting on a lock.
CREATE FUNCTION maps_refresh_summaries() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    version bigint := maps_data_version();
    cell constant double precision := 2 * 20037508.342789244 / (2 ^ 14) / 32;
    half_world constant double precision := 20037508.342789244;
BEGIN
    DELETE FROM maps_grid_cell;
    DELETE FROM maps_segment_summary;

    IF to_regclass('pg_temp.maps_account_state') IS NOT NULL THEN
        DROP TABLE pg_temp.maps_account_state;
    END IF;
    CREATE TEMPORARY TABLE maps_account_state ON COMMIT DROP AS
    SELECT a.id AS account_id, a.status, l.parcel_id, l.segment_id, cs.balance, cs.days_overdue
      FROM registry_account AS a
      LEFT JOIN registry_accountlink AS l ON l.account_id = a.id
      LEFT JOIN (
          SELECT DISTINCT ON (account_id) account_id, balance, days_overdue
            FROM registry_collectionsnapshot
           ORDER BY account_id, as_of DESC
      ) AS cs ON cs.account_id = a.id;

    INSERT INTO maps_segment_summary
    SELECT segment_id,
           count(*),
           count(*) FILTER (WHERE status = 'suspendido'),
           count(*) FILTER (WHERE status = 'restringido'),
           count(*) FILTER (WHERE balance > 0),
           coalesce(sum(balance) FILTER (WHERE balance > 0), 0),
           count(*) FILTER (WHERE balance > 0 AND days_overdue <= 30),
           count(*) FILTER (WHERE balance > 0 AND days_overdue BETWEEN 31 AND 90),
           count(*) FILTER (WHERE balance > 0 AND days_overdue BETWEEN 91 AND 180),
           count(*) FILTER (WHERE balance > 0 AND days_overdue > 180),
           max(days_overdue) FILTER (WHERE balance > 0)
      FROM maps_account_state
     WHERE segment_id IS NOT NULL
     GROUP BY segment_id;

    INSERT INTO maps_grid_cell
    SELECT cell_x, cell_y,
           sum(parcels), sum(parcels_without_account), sum(built_without_account),
           sum(accounts), sum(active), sum(restricted), sum(suspended), sum(closed),
           sum(arrears_count), sum(arrears_amount),
           sum(aging_0_30), sum(aging_31_90), sum(aging_91_180), sum(aging_181_mas)
      FROM (
          SELECT floor((ST_X(m) + half_world) / cell)::integer AS cell_x,
                 floor((half_world - ST_Y(m)) / cell)::integer AS cell_y,
                 1 AS parcels,
                 (NOT linked)::integer AS parcels_without_account,
                 (NOT linked AND built_area > 0)::integer AS built_without_account,
                 0 AS accounts, 0 AS active, 0 AS restricted, 0 AS suspended, 0 AS closed,
                 0 AS arrears_count, 0::numeric AS arrears_amount,
                 0 AS aging_0_30, 0 AS aging_31_90, 0 AS aging_91_180, 0 AS aging_181_mas
            FROM (
                -- The centroid is enough to pick a 76 m cell, and cheaper than ST_PointOnSurface.
                SELECT ST_Transform(ST_Centroid(p.geom), 3857) AS m, p.built_area,
                       EXISTS (SELECT 1 FROM registry_accountlink AS l
                                WHERE l.parcel_id = p.id) AS linked
                  FROM registry_parcel AS p
            ) AS parcel_points
          UNION ALL
          SELECT floor((ST_X(m) + half_world) / cell)::integer,
                 floor((half_world - ST_Y(m)) / cell)::integer,
                 0, 0, 0,
                 1,
                 (s.status = 'activo')::integer,
                 (s.status = 'restringido')::integer,
                 (s.status = 'suspendido')::integer,
                 (s.status IN ('baja_temporal', 'baja_definitiva'))::integer,
                 (s.balance > 0)::integer,
                 CASE WHEN s.balance > 0 THEN s.balance ELSE 0 END,
                 (s.balance > 0 AND s.days_overdue <= 30)::integer,
                 (s.balance > 0 AND s.days_overdue BETWEEN 31 AND 90)::integer,
                 (s.balance > 0 AND s.days_overdue BETWEEN 91 AND 180)::integer,
                 (s.balance > 0 AND s.days_overdue > 180)::integer
            FROM (
                SELECT ST_Transform(la.geom, 3857) AS m, la.account_id
                  FROM maps_located_accounts(
                           ST_MakeEnvelope(-1e10, -1e10, 1e10, 1e10, {{STORAGE_SRID}})) AS la
            ) AS account_points
            JOIN maps_account_state AS s ON s.account_id = account_points.account_id
      ) AS points
     GROUP BY cell_x, cell_y;

    DELETE FROM maps_tile_cache WHERE data_version < version;
    -- Fresh statistics, or the planner takes the new tables for empty.
    ANALYZE maps_grid_cell;
    ANALYZE maps_segment_summary;

    INSERT INTO maps_summary_state (id, data_version, refreshed_at)
    VALUES (1, version, clock_timestamp())
    ON CONFLICT (id) DO UPDATE
       SET data_version = EXCLUDED.data_version, refreshed_at = EXCLUDED.refreshed_at;
    RETURN version;
END
$$;
