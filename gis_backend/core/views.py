from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gis_backend import __version__
from gis_backend.core.dataversion import DATA_VERSION_SQL

# Counting a million-row table reads all of it (0.1–0.4 s each); the health check is public and
# polled by load balancers and monitors. Counts are taken again only when the data version has
# moved (core/dataversion.py): {database alias: (version, counts)}, per process.
_counts_seen: dict[str, tuple[int, dict[str, int]]] = {}


def registry_counts() -> tuple[dict[str, int], str]:
    """Row counts of the registry's main tables (no personal data) and the PostGIS version."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {DATA_VERSION_SQL}, postgis_lib_version()")
        version, postgis = cursor.fetchone()
        seen = _counts_seen.get(connection.alias)
        if seen is not None and seen[0] == version:
            return seen[1], postgis
        cursor.execute(
            """
            SELECT (SELECT count(*) FROM registry_parcel),
                   (SELECT count(*) FROM registry_streetsegment),
                   (SELECT count(*) FROM registry_account),
                   (SELECT count(*) FROM registry_meter)
            """
        )
        parcels, segments, accounts, meters = cursor.fetchone()
    counts = {
        "parcels": parcels,
        "street_segments": segments,
        "accounts": accounts,
        "meters": meters,
    }
    _counts_seen[connection.alias] = (version, counts)
    return counts, postgis


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Public liveness check: counts of registry rows, no personal data."""
    counts, postgis = registry_counts()
    return JsonResponse(
        {"status": "ok", "version": __version__, "postgis": postgis, "counts": counts}
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    counts, _postgis = registry_counts()
    return render(request, "core/home.html", {"counts": counts})
