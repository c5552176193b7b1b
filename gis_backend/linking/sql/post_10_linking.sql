-- The schema of the linker's working tables (gis_backend/linking/workspace.py): unlogged tables
-- created and dropped inside each linking transaction, so it is empty outside a run.
CREATE SCHEMA IF NOT EXISTS linking_work;

-- The linker's inputs kept between runs (gis_backend/linking/inputs.py): every account's and
-- every parcel's parsed address, and the street segments in front of every parcel. Their tables
-- are unlogged (a crash empties them; the next run prepares them again) and are created by the
-- linker, which drops and creates them again whenever its code changes (`fingerprint`).
CREATE SCHEMA linking_inputs;

CREATE TABLE linking_inputs.state (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    -- digest of the linking code that prepared the tables; NULL: none prepared
    fingerprint text,
    -- the parcel-side inputs (lk_parcel, lk_parcel_segment) match the parcel and street layers
    parcels_ready boolean NOT NULL DEFAULT false
);
INSERT INTO linking_inputs.state DEFAULT VALUES;

-- The parcel-side inputs are read from the parcels, their colonias and the street segments:
-- any statement that changes what they read marks them out of date, and the next linking run
-- prepares them again. (Account-side inputs are compared with the accounts on every run.) The
-- update takes the row's lock even when the flag is already down: a linking run, which locks the
-- row first, then waits for that transaction and reads the parcels it wrote.
CREATE FUNCTION linking_parcels_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE linking_inputs.state SET parcels_ready = false;
    RETURN NULL;
END;
$$;

CREATE TRIGGER linking_inputs_changed
    AFTER INSERT OR DELETE OR UPDATE OF cadastral_key, street, number, colonia_id, geom
    ON registry_parcel FOR EACH STATEMENT EXECUTE FUNCTION linking_parcels_changed();
CREATE TRIGGER linking_inputs_truncated
    AFTER TRUNCATE ON registry_parcel
    FOR EACH STATEMENT EXECUTE FUNCTION linking_parcels_changed();
CREATE TRIGGER linking_inputs_changed
    AFTER INSERT OR DELETE OR UPDATE OF geom, name_normalized, colonia_id
    ON registry_streetsegment FOR EACH STATEMENT EXECUTE FUNCTION linking_parcels_changed();
CREATE TRIGGER linking_inputs_truncated
    AFTER TRUNCATE ON registry_streetsegment
    FOR EACH STATEMENT EXECUTE FUNCTION linking_parcels_changed();
CREATE TRIGGER linking_inputs_changed
    AFTER INSERT OR DELETE OR UPDATE OF name
    ON registry_colonia FOR EACH STATEMENT EXECUTE FUNCTION linking_parcels_changed();
CREATE TRIGGER linking_inputs_truncated
    AFTER TRUNCATE ON registry_colonia
    FOR EACH STATEMENT EXECUTE FUNCTION linking_parcels_changed();

-- Run as its owner: a QGIS user's role edits parcels and has no rights on the linker's state.
SELECT core_run_as_owner(ARRAY['linking_parcels_changed']);
