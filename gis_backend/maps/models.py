"""The maps app reads the registry; it owns no Django models.

Its tables (low-zoom summaries, tile cache) are caches created by ``sql/post_10_maps.sql``.
This module exists so that Django sends ``post_migrate`` for the app, which applies the SQL files
(core/sqlfiles.py runs them after the last installed app).
"""
