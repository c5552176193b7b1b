"""Token tile requests answered ahead of Django's request handling, with the same answer.

QGIS and scripts fetch tiles with «Authorization: Token …», no cookie and no parameters. For a
cached or small tile, much of the server's time went to Django's handling around the view: URL
resolution, ten middlewares, their wrappers and the response object they pass along.
``TileShortcut`` wraps the WSGI application (gis_backend/config/wsgi.py) and answers such a
request with ``views.plain_tile`` (what the tile view itself runs), between what the
middleware stack does for it:

- before: the request checks of the security, common and locale middlewares, run as the stack
  runs them (HTTPS redirect, allowed host, forbidden user agents, the language), and Django's
  ``request_started`` signal (database connections checked and recycled);
- after: the headers the stack adds to a tile, written as its response processing writes them
  (``stack_headers``: clickjacking, common, locale, security), and ``request_finished`` when the
  server closes the response.

The other middlewares do nothing for such a request: without a cookie there is no session to
read or save, no CSRF cookie to renew and no message; API reads skip the database actor;
whitenoise serves nothing under /api/.

Anything else goes through Django unchanged: other paths and methods, requests with a cookie
(the web map's session), a query string or another kind of credentials, every request
``plain_tile`` does not answer itself (refusals: unknown layer or token, no role…), and any that
fails (Django answers it again, with its own error handling). The shortcut steps aside entirely
when ``settings.MIDDLEWARE`` is not the stack it was written for, or tile URLs are not routed to
the tile view. tests/backend/test_api_tile_wsgi.py compares both paths: status, headers (order
included) and body, cold and cached, gzipped, conditional, HEAD, HTTPS.
"""

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from http.client import responses
from typing import Any

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core import signals
from django.core.handlers.wsgi import WSGIRequest, get_path_info, get_script_name
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.locale import LocaleMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import Resolver404, resolve, set_script_prefix
from django.utils import translation
from django.utils.cache import cc_delim_re

from gis_backend.maps import views

logger = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

PREFIX = "/api/v1/tiles/"
# The tile view's route (maps/urls.py under api/v1/): <str:layer>/<int:z>/<int:x>/<int:y>.pbf
TILE_PATH = re.compile(r"/api/v1/tiles/([^/]+)/([0-9]+)/([0-9]+)/([0-9]+)\.pbf")
# The middleware stack this module reproduces for token tile requests (config/settings.py).
STACK = (
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gis_backend.core.middleware.DatabaseActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
)


def _not_called(request: HttpRequest) -> HttpResponse:
    raise AssertionError("the shortcut runs the middlewares' hooks, never their chain")


def applies() -> bool:
    """Whether the shortcut reproduces what Django would do: the same middleware stack, the
    same session-free CSRF check, no language prefixes in URLs, and tile URLs routed to the
    tile view."""
    if tuple(settings.MIDDLEWARE) != STACK or settings.CSRF_USE_SESSIONS:
        return False
    if is_language_prefix_patterns_used(settings.ROOT_URLCONF)[0]:
        return False
    try:
        return bool(resolve("/api/v1/tiles/parcels/0/0/0.pbf").func is views.tile)
    except Resolver404:
        return False


def token_request(environ: dict[str, Any]) -> bool:
    """A GET or HEAD of a tile with «Authorization: Token …», no cookie and no parameters."""
    return (
        environ.get("REQUEST_METHOD") in ("GET", "HEAD")
        and environ.get("PATH_INFO", "").startswith(PREFIX)
        and not environ.get("QUERY_STRING")
        and not environ.get("HTTP_COOKIE")
        and environ.get("HTTP_AUTHORIZATION", "")[:6].lower() == "token "
    )


def vary_with(value: str, header: str) -> str:
    """A Vary value with ``header`` added, as django.utils.cache.patch_vary_headers adds it."""
    fields = cc_delim_re.split(value)
    if header.lower() in {field.lower() for field in fields}:
        return value
    fields.append(header)
    return "*" if "*" in fields else ", ".join(fields)


class TileBody:
    """The body of a shortcut answer; closing it does what closing Django's response does."""

    def __init__(self, body: bytes, request: HttpRequest) -> None:
        self.body = body
        self.request = request

    def __iter__(self) -> Iterator[bytes]:
        return iter((self.body,))

    def close(self) -> None:
        self.request.close()
        signals.request_finished.send(sender=TileShortcut)


class TileShortcut:
    """WSGI application: token tile requests through ``views.plain_tile``, everything else
    through ``application`` (Django's)."""

    def __init__(self, application: WSGIApp) -> None:
        self.application = application
        self.enabled = applies()
        self.security = SecurityMiddleware(_not_called)
        self.common = CommonMiddleware(_not_called)
        self.locale = LocaleMiddleware(_not_called)
        # What the response processing of the stack writes, from the same settings, computed as
        # the middlewares compute it (see stack_headers).
        self.default_content_type = f"text/html; charset={settings.DEFAULT_CHARSET}"
        self.x_frame_options = XFrameOptionsMiddleware(_not_called).get_xframe_options_value(
            HttpRequest(), HttpResponse()
        )
        # SecurityMiddleware's settings, read as its __init__ reads them.
        self.hsts = None
        if settings.SECURE_HSTS_SECONDS:
            self.hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
            if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
                self.hsts += "; includeSubDomains"
            if settings.SECURE_HSTS_PRELOAD:
                self.hsts += "; preload"
        self.security_headers: list[tuple[str, str]] = []
        if settings.SECURE_CONTENT_TYPE_NOSNIFF:
            self.security_headers.append(("X-Content-Type-Options", "nosniff"))
        if policy := settings.SECURE_REFERRER_POLICY:
            values = [v.strip() for v in policy.split(",")] if isinstance(policy, str) else policy
            self.security_headers.append(("Referrer-Policy", ",".join(values)))
        if coop := settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
            self.security_headers.append(("Cross-Origin-Opener-Policy", coop))

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        answered = self.answer(environ) if self.enabled and token_request(environ) else None
        if answered is None:
            return self.application(environ, start_response)
        request, answer = answered
        status = f"{answer.status} {responses[answer.status]}"
        start_response(status, self.stack_headers(request, answer))
        return TileBody(answer.body, request)

    def answer(self, environ: dict[str, Any]) -> tuple[HttpRequest, views.TileAnswer] | None:
        """The request and the tile view's answer to it, or None to hand it to Django."""
        match = TILE_PATH.fullmatch(get_path_info(environ))
        if match is None:
            return None
        set_script_prefix(get_script_name(environ))
        # Database connections are checked (and recycled past CONN_MAX_AGE) as for any request.
        signals.request_started.send(sender=self.__class__, environ=environ)
        request = WSGIRequest(environ)
        try:
            # A redirect (HTTPS, www), a host not allowed, a forbidden user agent: Django's.
            if self.security.process_request(request) or self.common.process_request(request):
                return None
        except Exception:  # DisallowedHost, PermissionDenied: Django answers them
            return None
        self.locale.process_request(request)
        layer, z, x, y = match.groups()
        try:
            answer = views.plain_tile(request, layer, int(z), int(x), int(y))
        except Exception:
            # Django answers it again, with its own error handling and logging.
            logger.warning("Tile shortcut failed; handing the request to Django", exc_info=True)
            return None
        if answer is None:  # a refusal: DRF's answer, through the whole stack
            return None
        return request, answer

    def stack_headers(
        self, request: HttpRequest, answer: views.TileAnswer
    ) -> list[tuple[str, str]]:
        """The headers of ``answer`` as Django sends them: the view's (``TileAnswer.response``),
        then those the response processing of the stack adds, innermost middleware first. The
        view never sets any of the latter itself."""
        headers = [("Content-Type", answer.content_type or self.default_content_type)]
        headers += answer.headers
        # XFrameOptionsMiddleware
        headers.append(("X-Frame-Options", self.x_frame_options))
        # CommonMiddleware
        headers.append(("Content-Length", str(len(answer.body))))
        # LocaleMiddleware: Vary gains Accept-Language (no i18n URL patterns: applies()), and the
        # language process_request activated
        headers = [
            (name, vary_with(value, "Accept-Language") if name == "Vary" else value)
            for name, value in headers
        ]
        headers.append(("Content-Language", translation.get_language()))
        # SecurityMiddleware
        if self.hsts and request.is_secure():
            headers.append(("Strict-Transport-Security", self.hsts))
        headers += self.security_headers
        return headers
