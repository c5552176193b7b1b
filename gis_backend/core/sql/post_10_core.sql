-- Functions the other apps' SQL files use; core is the first app, so its files run first.

-- Make trigger functions (without arguments) run as their owner (SECURITY DEFINER), with a
-- search path that no session can shadow (pg_temp last): a QGIS user's role then needs no
-- privilege on the tables the triggers write (row history, tile-ready tables) and cannot write
-- rows of its own there.
CREATE FUNCTION core_run_as_owner(functions text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    f text;
BEGIN
    FOREACH f IN ARRAY functions
    LOOP
        EXECUTE format(
            'ALTER FUNCTION %I() SECURITY DEFINER SET search_path = pg_catalog, %I, pg_temp',
            f, current_schema());
    END LOOP;
END
$$;
