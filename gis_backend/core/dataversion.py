"""The registry's data version: the id of the newest history row.

Every insert, update or delete on a registry table writes history rows
(registry/sql/post_10_history.sql), and a first load in bulk writes one entry per table
(imports/bulk.py), so this number moves whenever what the registry holds may have changed. Map
tiles and cached responses (maps/), and the health check's counts, are keyed by it.
``maps_data_version()`` (maps/sql/post_10_maps.sql) is the same query as a SQL function; this
is the text to write in place (PostgreSQL plans a SQL function that reads a table again on
every call, 30–40 µs, instead of inlining it).
"""

DATA_VERSION_SQL = "(SELECT coalesce(max(h.id), 0) FROM registry_registryhistory AS h)"
