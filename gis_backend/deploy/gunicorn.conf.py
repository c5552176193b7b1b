"""gunicorn settings of ``make demo`` and ``bench/api.py --serve`` (``--config``); the command
line still chooses the address and the number of workers.

Thread workers keep a client's HTTP connection open between its requests (keep-alive); sync
workers close it after every response. A map view is dozens of tile requests over the few
connections a browser or QGIS keeps: each then skips the TCP handshake, and stays with the
worker, and the database session, that served the previous one. One thread per worker: as many
requests at a time as sync workers, so the same use of the two cores and of the database
(bench/README.md, ``api.py``).
"""

worker_class = "gthread"
threads = 1
# Seconds an idle connection is kept open for its client's next request.
keepalive = 5
