-- Drop what post_10_linking.sql creates (re-applied after every migrate). The kept inputs are a
-- cache: dropping them with their schema costs the next linking run one full preparation, and
-- dropping the function drops the triggers on the registry tables that mark them out of date.
DROP SCHEMA IF EXISTS linking_inputs CASCADE;
DROP FUNCTION IF EXISTS linking_parcels_changed() CASCADE;
