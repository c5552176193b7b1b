"""URLs of the Padrón SIG API and the parsing of its answers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

API_PREFIX = "/api/v1/"
TOKEN_PATH = "auth/token/"  # noqa: S105 - a URL path, not a secret
CATALOGUE_PATH = "layers/"
# Most features fetched for one layer in one load: GeoJSON pages are followed up to here.
MAX_FEATURES = 50_000
PAGE_LIMIT = 10_000


class InvalidServerUrl(ValueError):
    """The URL typed in the connect dialog is not an http(s) URL."""


def normalize_server_url(url: str) -> str:
    """``padron.example.mx/`` → ``https://padron.example.mx``; keeps scheme, host, port and a
    sub-path (a server published under /padron), drops query, fragment and a trailing /api/v1."""
    text = (url or "").strip()
    if not text:
        raise InvalidServerUrl("empty")
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidServerUrl(text)
    path = parts.path.rstrip("/")
    if path.endswith(API_PREFIX.rstrip("/")):
        path = path[: -len(API_PREFIX.rstrip("/"))].rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def api_url(server: str, path: str, params: dict[str, Any] | None = None) -> str:
    """Absolute URL of an API path (``layers/``) or server path (``/api/v1/tiles/…``)."""
    base = normalize_server_url(server)
    url = base + path if path.startswith("/") else base + API_PREFIX + path
    if params:
        clean = {k: v for k, v in params.items() if v is not None}
        url += ("&" if "?" in url else "?") + urlencode(clean, safe=",")
    return url


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL, the key the request preprocessor matches on."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return (parts.scheme, (parts.hostname or "").lower(), port)


def same_server(url: str, server: str) -> bool:
    """Whether ``url`` goes to the API server (same scheme, host and port): only those requests
    carry the token."""
    try:
        return origin(url) == origin(normalize_server_url(server))
    except InvalidServerUrl:
        return False


def authorization_header(token: str) -> bytes:
    return b"Token " + token.encode("ascii")


def token_request_body(username: str, password: str) -> bytes:
    return urlencode({"username": username, "password": password}).encode("utf-8")


def parse_token(body: bytes) -> str:
    data = json.loads(body.decode("utf-8"))
    token = data.get("token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        raise ValueError("no token in answer")
    return token


def format_bbox(west: float, south: float, east: float, north: float) -> str:
    """bbox parameter (lon/lat, EPSG:4326) with 6 decimals, about 10 cm."""
    if west > east or south > north:
        raise ValueError("bbox corners reversed")
    return ",".join(f"{v:.6f}" for v in (west, south, east, north))


def features_url(server: str, path: str, bbox: str | None, limit: int = PAGE_LIMIT) -> str:
    return api_url(server, path, {"bbox": bbox, "limit": limit})


@dataclass(frozen=True)
class FeaturePage:
    features: list[dict[str, Any]]
    next_url: str | None


def parse_feature_page(body: bytes) -> FeaturePage:
    data = json.loads(body.decode("utf-8"))
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ValueError("not a FeatureCollection")
    return FeaturePage(list(data.get("features") or []), data.get("next"))


def merge_pages(pages: list[FeaturePage]) -> dict[str, Any]:
    """One FeatureCollection from the pages fetched, to be written as a GeoJSON file. The
    Feature's ``id`` (the API's primary key) is copied into its properties as ``id``, so that it
    survives as an attribute whatever the GeoJSON reader does with Feature ids."""
    features: list[dict[str, Any]] = []
    for page in pages:
        for feature in page.features:
            properties = dict(feature.get("properties") or {})
            if feature.get("id") is not None:
                properties.setdefault("id", feature["id"])
            features.append({**feature, "properties": properties})
    return {"type": "FeatureCollection", "features": features}
