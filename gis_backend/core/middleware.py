"""Tells the database who is acting, so history triggers record the application user.

Edits made outside the application (QGIS, psql) are recorded with the database role instead.
"""

from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse


class DatabaseActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
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
