from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gis_backend import __version__


def registry_counts() -> tuple[dict[str, int], str]:
    """Row counts of the registry's main tables (no personal data) and the PostGIS version."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT (SELECT count(*) FROM registry_parcel),
                   (SELECT count(*) FROM registry_streetsegment),
                   (SELECT count(*) FROM registry_account),
                   (SELECT count(*) FROM registry_meter),
                   postgis_lib_version()
            """
        )
        parcels, segments, accounts, meters, postgis = cursor.fetchone()
    counts = {
        "parcels": parcels,
        "street_segments": segments,
        "accounts": accounts,
        "meters": meters,
    }
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
