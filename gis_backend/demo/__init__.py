"""The seeded demo town: a Cortazar-like registry with planted anomalies and its ground truth.

- ``town.generate_town(seed, accounts)``: pure numpy, deterministic (same seed and size, same
  bytes); the pieces live in ``grid``, ``streets``, ``colonias``, ``parcels``, ``accounts``,
  ``holders``, ``meters``, ``addresses`` (messy billing addresses) and ``townparts``.
- ``loader.load_town``: COPY into the registry tables in one transaction, readings written by
  PostgreSQL, keys and indexes rebuilt at the end.
- ``truth.write_truth``: ``var/demo/town-<seed>-<accounts>/`` (accounts.csv, anomalies.json,
  town.json), for scoring linking and detection.
- ``export.export_town``: the three files a utility hands over (parcels, streets, padrón).
- ``pipeline.demo_town_pipeline``: the town through those files, the importers, a completion
  by natural keys of what the files do not carry, the linker and the registry report
  (``archivos/`` and ``reporte/`` next to the truth).
- ``padron-admin load_demo [--accounts N] [--seed S] [--truth-dir DIR] [--replace]
  [--no-history] [--direct]``: the pipeline (``--direct``: the COPY loader), idempotent;
  ``DEMO_ACCOUNTS`` sets the default size.
- ``bench/generate_town.py``: the same at a million accounts, timed against raw PostGIS.
"""
