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
CREATE FUNCTION registry_history_insert() RETURNS trigger
LANGUAGE plpgsql SET jit = off AS $$
BEGIN
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
            ('registry_colonia', 'id'),
            ('registry_sector', 'id'),
            ('registry_readingroute', 'id'),
            ('registry_parcel', 'id'),
            ('registry_streetsegment', 'id'),
            ('registry_holder', 'id'),
            ('registry_account', 'id'),
            ('registry_accountlink', 'account_id'),
            ('registry_meter', 'id'),
            ('registry_suspensionevent', 'id'),
            ('registry_collectionsnapshot', 'id')
        ) AS v (table_name, pk)
    LOOP
        EXECUTE format(
            'CREATE TRIGGER history_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
            'FOR EACH STATEMENT EXECUTE FUNCTION registry_history_insert(%L)', t.table_name, t.pk);
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
