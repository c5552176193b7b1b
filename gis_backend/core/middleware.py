"""Tells the database who is acting, so history triggers record the application user.

Edits made outside the application (QGIS, psql) are recorded with the database role instead.
Reads of the API need none of it: GET, HEAD and OPTIONS under ``/api/`` (tiles, GeoJSON,
aggregates; they write no registry row) skip it and the two round trips it costs a session user.
Other GET views keep it: a page may change the registry on GET.
"""

from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READ_ONLY_PREFIX = "/api/"


class DatabaseActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in READ_ONLY_METHODS and request.path.startswith(READ_ONLY_PREFIX):
            return self.get_response(request)
        user = getattr(request, "user", None)
        actor = user.get_username() if user is not None and user.is_authenticated else ""
        if actor:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('padron.actor', %s, false)", [actor])
        try:
            return self.get_response(request)
        finally:
            if actor:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('padron.actor', '', false)")
