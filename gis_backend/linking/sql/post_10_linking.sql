-- The schema of the linker's working tables (gis_backend/linking/workspace.py): unlogged tables
-- created and dropped inside each linking transaction, so it is empty outside a run.
CREATE SCHEMA IF NOT EXISTS linking_work;
