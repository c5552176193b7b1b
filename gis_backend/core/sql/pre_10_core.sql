-- Drop what post_10_core.sql creates (re-applied after every migrate).
DROP FUNCTION IF EXISTS core_run_as_owner(text[]);
