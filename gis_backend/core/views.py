from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from gis_backend import __version__


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Public liveness check: counts of registry rows, no personal data."""
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
    return JsonResponse(
        {
            "status": "ok",
            "version": __version__,
            "postgis": postgis,
            "counts": {
                "parcels": parcels,
                "street_segments": segments,
                "accounts": accounts,
                "meters": meters,
            },
        }
    )
