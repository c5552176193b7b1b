"""The application server: ``padron-admin serve`` (``make demo``, ``bench/api.py --serve``,
the QGIS plugin's contract tests) runs the WSGI application (gis_backend/config/wsgi.py) under
granian.

granian reads and writes HTTP in Rust and calls the application from one Python thread per
worker process: a client's connection is kept open between its requests (a map view is dozens
of tile requests over the few connections a browser or QGIS keeps), without tying a worker to
an idle connection. One Python thread per worker: as many requests at a time as workers, so the
two cores and the database serve them without contention. On the 1M-account town it answered
15 % more tile requests a second than gunicorn's thread workers under 50 clients, cold zoom-18
tiles at 1.20–1.37× raw PostGIS's time instead of 1.29–1.53×, cached ones at a p95 of
0.8–1.0 ms instead of 1.0–1.4 (bench/README.md, "The application server").

The host, port and number of workers are the caller's; everything else is fixed here.
"""

import sys
from pathlib import Path

APPLICATION = "gis_backend.config.wsgi:application"

SETTINGS = (
    "--interface", "wsgi",
    "--http", "1",
    "--no-ws",
    # One Rust thread runs each worker's HTTP connections, one Python thread its requests.
    "--runtime-mode", "st",
    "--runtime-threads", "1",
    "--blocking-threads", "1",
    # The Python thread holds the worker's database session (its prepared tile statements):
    # kept while the server is idle for up to ten minutes, not the default 30 s.
    "--blocking-threads-idle-timeout", "600",
    "--respawn-failed-workers",
)  # fmt: skip


def command(host: str, port: int, workers: int, *, access_log: bool = False) -> list[str]:
    """The granian command line serving the application on ``host:port``."""
    granian = Path(sys.executable).parent / "granian"
    argv = [str(granian), APPLICATION, "--host", host, "--port", str(port)]
    argv += ["--workers", str(workers), *SETTINGS]
    argv += ["--access-log"] if access_log else ["--no-access-log"]
    return argv
