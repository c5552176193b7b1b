-- History of registry edits: drop what post_10_history.sql creates (re-applied after every
-- migrate). CASCADE drops the triggers that use these functions on every registry table.
DROP FUNCTION IF EXISTS registry_history_insert() CASCADE;
DROP FUNCTION IF EXISTS registry_history_update() CASCADE;
DROP FUNCTION IF EXISTS registry_history_delete() CASCADE;
DROP FUNCTION IF EXISTS registry_history_columns(regclass);
DROP FUNCTION IF EXISTS registry_history_actor();
