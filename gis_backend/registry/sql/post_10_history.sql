-- History of registry edits: every INSERT, UPDATE and DELETE on a registry table writes rows to
-- registry_registryhistory (who, when, old -> new), whatever client made it: Django, QGIS, psql.
--
-- Triggers are STATEMENT-level with transition tables, so a bulk load (COPY or INSERT ... SELECT
-- of a million rows) is recorded by one INSERT ... SELECT, not a million function calls.
-- PostgreSQL allows transition tables only on single-event triggers without a column list,
-- hence one trigger per event and table.
--
-- Rows are stored as jsonb, one key per column. Geometry is kept in PostGIS's text form (hex
-- EWKB, storage SRID included): readable back with ST_GeomFromEWKB(decode(..., 'hex')) or a
-- plain ::geometry cast, and much faster to write than GeoJSON. An UPDATE records only the
-- columns that changed (their old values in "old", new values in "new"); rows the statement
-- left as they were write nothing.
--
-- Not recorded: registry_reading (millions of append-only monthly facts reloaded by the billing
-- import; its history is the billing system's) and TRUNCATE (it has no transition table).

-- Who acts: the application user set by DatabaseActorMiddleware (padron.actor), else the
-- database role (a QGIS or psql user).
CREATE FUNCTION registry_history_actor() RETURNS varchar
LANGUAGE sql STABLE AS $$
    SELECT left(coalesce(nullif(current_setting('padron.actor', true), ''), session_user::text), 150)
$$;

-- The select list that turns a row of `rel` into the jsonb stored in history: every column by
-- its name, geometry columns as text.
CREATE FUNCTION registry_history_columns(rel regclass) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT string_agg(
        CASE WHEN t.typname = 'geometry' THEN format('%1$I::text AS %1$I', a.attname)
             ELSE format('%I', a.attname) END,
        ', ' ORDER BY a.attnum)
    FROM pg_catalog.pg_attribute AS a
    JOIN pg_catalog.pg_type AS t ON t.oid = a.atttypid
    WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped
$$;

-- The trigger functions build their statement once per triggering statement (EXECUTE), from the
-- table's catalog entry, so one function serves every table and follows schema migrations.
-- TG_ARGV[0] names the primary key column (id, or account_id for registry_accountlink).
-- JIT is off: the planner has no statistics on transition tables, overestimates the join and
-- would spend a second compiling a statement that runs in milliseconds.
-- They run as their owner (SECURITY DEFINER, set at the end of this file), so a QGIS user's
-- role needs no privilege on the history table and cannot write history rows of its own.
--
-- A table of append-only facts loaded by cut-off (the balances: a new cut-off writes one row per
-- account every month) names its cut-off column in TG_ARGV[1]. A statement that inserts at least
-- padron.history_load_rows rows (50,000 unless set) of one cut-off is recorded as one entry, as
-- a first load is (imports/bulk.py): row_id '*', and in "new" the cut-off, the number of rows
-- and the range of their ids. The rows themselves are that record (each is immutable under its
-- cut-off; any later UPDATE or DELETE is recorded row by row with the values it changes); one
-- jsonb copy of each was 500 MB a month at a million accounts (bench/README.md). Smaller loads,
-- and statements mixing cut-offs, are recorded row by row.
CREATE FUNCTION registry_history_insert() RETURNS trigger
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    inserted bigint;
    cutoffs bigint;
BEGIN
    IF TG_NARGS > 1 THEN
        EXECUTE format('SELECT count(*), count(DISTINCT %I) FROM new_rows', TG_ARGV[1])
            INTO inserted, cutoffs;
        IF cutoffs = 1 AND inserted >= coalesce(
                nullif(current_setting('padron.history_load_rows', true), '')::bigint, 50000) THEN
            EXECUTE format(
                'INSERT INTO %I.registry_registryhistory '
                '(table_name, row_id, action, changed_at, changed_by, db_role, old, new) '
                'SELECT %L, ''*'', ''I'', $1, $2, session_user, NULL, '
                '       jsonb_build_object(''corte'', min(%I), ''filas'', count(*), '
                '                          ''id_desde'', min(%I), ''id_hasta'', max(%I)) '
                'FROM new_rows',
                TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[1], TG_ARGV[0], TG_ARGV[0])
            USING clock_timestamp(), registry_history_actor();
            RETURN NULL;
        END IF;
    END IF;
    EXECUTE format(
        'INSERT INTO %I.registry_registryhistory '
        '(table_name, row_id, action, changed_at, changed_by, db_role, old, new) '
        'SELECT %L, r.%I::text, ''I'', $1, $2, session_user, NULL, to_jsonb(r) '
        'FROM (SELECT %s FROM new_rows) AS r',
        TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0], registry_history_columns(TG_RELID))
    USING clock_timestamp(), registry_history_actor();
    RETURN NULL;
END
$$;

CREATE FUNCTION registry_history_delete() RETURNS trigger
LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    EXECUTE format(
        'INSERT INTO %I.registry_registryhistory '
        '(table_name, row_id, action, changed_at, changed_by, db_role, old, new) '
        'SELECT %L, r.%I::text, ''D'', $1, $2, session_user, to_jsonb(r), NULL '
        'FROM (SELECT %s FROM old_rows) AS r',
        TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0], registry_history_columns(TG_RELID))
    USING clock_timestamp(), registry_history_actor();
    RETURN NULL;
END
$$;

-- Old and new rows are paired on the primary key; for each pair, "old" and "new" hold only the
-- columns whose value differs. An UPDATE that changes the key itself leaves both halves unpaired
-- (FULL JOIN): each is recorded whole, under its own key.
CREATE FUNCTION registry_history_update() RETURNS trigger
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    pk text := TG_ARGV[0];
    old_changes text;
    new_changes text;
BEGIN
    -- One term per column: {"column": value} when it changed, {} when it did not.
    SELECT string_agg(format(
               'CASE WHEN o.%1$I IS DISTINCT FROM n.%1$I '
               'THEN jsonb_build_object(%1$L, o.%1$I) ELSE ''{}''::jsonb END', a.attname),
               ' || ' ORDER BY a.attnum),
           string_agg(format(
               'CASE WHEN o.%1$I IS DISTINCT FROM n.%1$I '
               'THEN jsonb_build_object(%1$L, n.%1$I) ELSE ''{}''::jsonb END', a.attname),
               ' || ' ORDER BY a.attnum)
      INTO old_changes, new_changes
      FROM pg_catalog.pg_attribute AS a
     WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped;

    EXECUTE format(
        'INSERT INTO %6$I.registry_registryhistory '
        '(table_name, row_id, action, changed_at, changed_by, db_role, old, new) '
        'SELECT %1$L, coalesce(o.%2$I, n.%2$I)::text, ''U'', $1, $2, session_user, '
        '       CASE WHEN n.%2$I IS NULL THEN to_jsonb(o) WHEN o.%2$I IS NOT NULL THEN %4$s END, '
        '       CASE WHEN o.%2$I IS NULL THEN to_jsonb(n) WHEN n.%2$I IS NOT NULL THEN %5$s END '
        'FROM (SELECT %3$s FROM old_rows) AS o '
        'FULL JOIN (SELECT %3$s FROM new_rows) AS n ON n.%2$I = o.%2$I '
        'WHERE o IS DISTINCT FROM n',
        TG_TABLE_NAME, pk, registry_history_columns(TG_RELID), old_changes, new_changes,
        TG_TABLE_SCHEMA)
    USING clock_timestamp(), registry_history_actor();
    RETURN NULL;
END
$$;

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT * FROM (VALUES
            ('registry_colonia', 'id', NULL),
            ('registry_sector', 'id', NULL),
            ('registry_readingroute', 'id', NULL),
            ('registry_parcel', 'id', NULL),
            ('registry_streetsegment', 'id', NULL),
            ('registry_holder', 'id', NULL),
            ('registry_account', 'id', NULL),
            ('registry_accountlink', 'account_id', NULL),
            ('registry_meter', 'id', NULL),
            ('registry_suspensionevent', 'id', NULL),
            ('registry_collectionsnapshot', 'id', 'as_of')
        ) AS v (table_name, pk, cutoff)
    LOOP
        EXECUTE format(
            'CREATE TRIGGER history_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
            'FOR EACH STATEMENT EXECUTE FUNCTION registry_history_insert(%s)', t.table_name,
            concat_ws(', ', quote_literal(t.pk), quote_literal(t.cutoff)));
        EXECUTE format(
            'CREATE TRIGGER history_update AFTER UPDATE ON %I '
            'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
            'FOR EACH STATEMENT EXECUTE FUNCTION registry_history_update(%L)', t.table_name, t.pk);
        EXECUTE format(
            'CREATE TRIGGER history_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows '
            'FOR EACH STATEMENT EXECUTE FUNCTION registry_history_delete(%L)', t.table_name, t.pk);
    END LOOP;
END
$$;

-- Run the trigger functions as their owner, with a search path that no session can shadow
-- (core/sql/post_10_core.sql; the history table is also named with its schema).
SELECT core_run_as_owner(ARRAY['registry_history_insert', 'registry_history_update',
                               'registry_history_delete']);
