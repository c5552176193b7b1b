"""Map API views: thin. They validate parameters (FilterSets), check roles, run the SQL of
``maps.geojson``, ``maps.tiles`` and ``maps.aggregates``, log personal-data reads and return the
bytes PostGIS built."""

import gzip
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import django_filters as df
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from gis_backend.access.permissions import HasRole
from gis_backend.access.personal_data import log_personal_data_access, may_see_personal_data
from gis_backend.maps import aggregates, filters, geojson, tiles
from gis_backend.maps.auth import MapTokenAuthentication
from gis_backend.maps.catalogue import CATALOGUE_PATH, layers, load_catalogue, tiled_layers
from gis_backend.maps.renderers import GeoJSONRenderer, MVTRenderer
from gis_backend.maps.schema import ERROR_SCHEMA, feature_collection_schema, filter_parameters
from gis_backend.maps.summaries import GZIP_MAGIC, live_version, summary_version
from gis_backend.registry import choices
from gis_backend.registry.models import (
    Account,
    Colonia,
    Meter,
    Parcel,
    ReadingRoute,
    Sector,
    StreetSegment,
)

GEOJSON = "application/geo+json"
MVT = "application/vnd.mapbox-vector-tile"
MAX_TILE_ZOOM = 22
GZIP_MIN_BYTES = 1024
TILE_GZIP_MIN_BYTES = 16_384
PAGING = (
    "Páginas de «limit» elementos (por omisión 1000, máximo 10000); «next» lleva a la "
    "siguiente. Coordenadas en EPSG:4326 (lon, lat) con «precision» decimales. Un parámetro "
    "desconocido o con un valor no válido es un error 400 con su mensaje."
)
AGGREGATE_RULES = (
    "FeatureCollection con una unidad (tramo, colonia o sector) por Feature, más «totals» "
    "(todas las cuentas que dejan pasar los filtros) y «unassigned» (cuentas sin esa unidad). "
    "Saldo de una cuenta: su corte de cobranza más reciente; con date_from/date_to, el más "
    "reciente con fecha de corte dentro del periodo. Con adeudo: saldo mayor que cero; "
    "antigüedad por días de atraso: 0–30, 31–90, 91–180, más de 180; share_over_90: "
    "proporción de cuentas con más de 90 días de atraso (la que colorea la coropleta). "
    "Suspensiones: "
    "restricciones, cortes y reconexiones ocurridos en el periodo (todos sin periodo); "
    "suspended/restricted cuentan cuentas por su estatus actual. Una cuenta pertenece al tramo "
    "de su vínculo, a la colonia de su predio (o de su tramo) y a su sector. " + PAGING
)
ERRORS = {
    400: OpenApiResponse(ERROR_SCHEMA, description=_("Parámetro con un valor no válido.")),
    401: OpenApiResponse(ERROR_SCHEMA, description=_("Sin credenciales.")),
    403: OpenApiResponse(ERROR_SCHEMA, description=_("Usuario sin rol.")),
}


class MapView(GenericAPIView):  # type: ignore[type-arg]
    """Authenticated users with a role; parameters validated by ``filterset_class``."""

    authentication_classes = [MapTokenAuthentication, SessionAuthentication]
    permission_classes = [HasRole]
    filterset_class: ClassVar[type[df.FilterSet]] = filters.NoParamsFilterSet
    model: ClassVar[type[Any]] = Account

    def get_queryset(self) -> QuerySet[Any]:
        return self.model.objects.none()

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # GIS clients send all sorts of Accept headers; answer in the endpoint's format anyway.
        return super().perform_content_negotiation(request, force=True)

    def handle_exception(self, exc: Exception) -> Response:
        # Errors are JSON ({"detail": …} or parameter → messages), whatever the endpoint serves.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = "application/json"
        return super().handle_exception(exc)

    def params(self, request: Request) -> dict[str, Any]:
        filterset = self.filterset_class(request.query_params, queryset=self.get_queryset())
        return filterset.cleaned()  # type: ignore[attr-defined,no-any-return]


def documented(**kwargs: Any) -> Any:
    """OpenAPI description of a view's GET."""
    return extend_schema_view(get=extend_schema(**kwargs))


def page_links(request: Request, limit: int, offset: int, has_more: bool) -> dict[str, Any]:
    def url(new_offset: int) -> str:
        query = request.query_params.copy()
        query["offset"] = str(new_offset)
        query["limit"] = str(limit)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "limit": limit,
        "offset": offset,
        "next": url(offset + limit) if has_more else None,
        "previous": url(max(offset - limit, 0)) if offset > 0 else None,
    }


def accepts_gzip(request: HttpRequest | Request) -> bool:
    return "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "").lower()


def geojson_response(request: Request, body: bytes, *, personal: bool = False) -> HttpResponse:
    """The GeoJSON bytes, gzipped when the client accepts it and they are worth it: GeoJSON
    shrinks about 13 times (../shared/PERF.md), and level 1 compresses a 10,000-feature page
    in a few tens of milliseconds, less than sending it uncompressed over most networks."""
    if len(body) >= GZIP_MIN_BYTES and accepts_gzip(request):
        response = HttpResponse(gzip.compress(body, compresslevel=1, mtime=0), content_type=GEOJSON)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(body, content_type=GEOJSON)
    response["Vary"] = "Accept-Encoding"
    # Responses with holder data must not linger in any cache.
    response["Cache-Control"] = "private, no-store" if personal else "private, no-cache"
    return response


class FeatureCollectionView(MapView):
    """A GeoJSON layer: FeatureCollection in EPSG:4326 built by PostGIS, paged."""

    renderer_classes = [GeoJSONRenderer, JSONRenderer]
    layer: ClassVar[geojson.FeatureLayer]

    def get(self, request: Request) -> HttpResponse:
        params = self.params(request)
        personal = may_see_personal_data(request.user)
        page = geojson.select_features(self.layer, params, personal=personal)
        log_personal_data_access(request, page.personal_data_ids)
        body = geojson.feature_collection(
            page.features,
            numberReturned=len(page.features),
            **page_links(request, page.limit, page.offset, page.has_more),
        )
        return geojson_response(request, body, personal=bool(page.personal_data_ids))


def layer_schema(layer: geojson.FeatureLayer, filterset: type[df.FilterSet], summary: str) -> Any:
    return documented(
        operation_id=f"{layer.name}_list",
        summary=summary,
        description=summary + " " + PAGING,
        parameters=filter_parameters(filterset),
        responses={(200, GEOJSON): feature_collection_schema(layer.properties), **ERRORS},
        tags=["capas GeoJSON"],
    )


@layer_schema(
    geojson.ACCOUNTS,
    filters.AccountFilterSet,
    "Cuentas ubicadas en su toma o en su predio. Titular, teléfono, correo y domicilio de "
    "notificación: solo para analista, jefe y admin (null para supervisor, con "
    "holder_masked=true); cada respuesta con datos personales queda registrada.",
)
class AccountsView(FeatureCollectionView):
    layer = geojson.ACCOUNTS
    filterset_class = filters.AccountFilterSet


@documented(
    operation_id="account_retrieve",
    summary="Una cuenta como Feature GeoJSON (mismas reglas de datos personales).",
    responses={(200, GEOJSON): OpenApiTypes.OBJECT, 404: ERROR_SCHEMA, **ERRORS},
    tags=["capas GeoJSON"],
)
class AccountDetailView(MapView):
    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    def get(self, request: Request, pk: int) -> HttpResponse:
        self.params(request)  # no parameters: refuses unknown ones
        personal = may_see_personal_data(request.user)
        page = geojson.select_features(
            geojson.ACCOUNTS,
            {"limit": 1},
            personal=personal,
            extra_conditions=("q.id = %(pk)s",),
            extra_params={"pk": pk},
        )
        if not page.features:
            raise Http404(_("La cuenta no existe o no tiene ubicación en el mapa."))
        log_personal_data_access(request, page.personal_data_ids)
        return geojson_response(
            request, page.features[0].encode(), personal=bool(page.personal_data_ids)
        )


@layer_schema(
    geojson.PARCELS,
    filters.ParcelFilterSet,
    "Predios con el estatus más grave de sus cuentas, su saldo y la antigüedad del adeudo.",
)
class ParcelsView(FeatureCollectionView):
    layer = geojson.PARCELS
    filterset_class = filters.ParcelFilterSet
    model = Parcel


@layer_schema(geojson.SEGMENTS, filters.SegmentFilterSet, "Tramos de calle.")
class SegmentsView(FeatureCollectionView):
    layer = geojson.SEGMENTS
    filterset_class = filters.SegmentFilterSet
    model = StreetSegment


@layer_schema(
    geojson.METERS,
    filters.MeterFilterSet,
    "Medidores en su ubicación o, sin ella, en la de su cuenta.",
)
class MetersView(FeatureCollectionView):
    layer = geojson.METERS
    filterset_class = filters.MeterFilterSet
    model = Meter


@documented(
    summary="Adeudo (número, monto y antigüedad 0–30, 31–90, 91–180, >180 días) y suspensiones "
    "por tramo, colonia o sector, para coropletas.",
    operation_id="aggregates_retrieve",
    description=AGGREGATE_RULES,
    parameters=[
        OpenApiParameter(
            "unit", str, OpenApiParameter.PATH, enum=list(aggregates.UNITS), description="Unidad"
        ),
        *filter_parameters(filters.AggregateFilterSet),
    ],
    responses={
        (200, GEOJSON): feature_collection_schema(
            ("name", *aggregates.FIGURES),
            {"totals": {"type": "object"}, "unassigned": {"type": "object"}},
        ),
        404: ERROR_SCHEMA,
        **ERRORS,
    },
    tags=["agregados"],
)
class AggregateView(MapView):
    renderer_classes = [GeoJSONRenderer, JSONRenderer]
    filterset_class = filters.AggregateFilterSet

    def get(self, request: Request, unit: str) -> HttpResponse:
        if unit not in aggregates.UNITS:
            raise Http404(_("Unidad desconocida. Use segments, colonias o sectors."))
        params = self.params(request)
        key = tiles.cache_key(f"aggregates/{unit}", 0, 0, 0, dict(request.query_params.items()))
        if aggregates.uses_summary(params):
            version, body = summary_version(key)
        else:
            version, body = live_version(key)
        if body is None:
            result = aggregates.aggregate(unit, params)
            body = geojson.feature_collection(
                result.features,
                numberReturned=len(result.features),
                date_from=params.get("date_from"),
                date_to=params.get("date_to"),
                totals=result.totals,
                unassigned=result.unassigned,
                **page_links(request, result.limit, result.offset, result.has_more),
            )
            tiles.store_tile(key, version, body)
        return geojson_response(request, body)


# Vary of every tile response; a tile served without DRF adds "Accept", as DRF's dispatch does.
TILE_VARY = "Authorization, Cookie, Accept-Encoding"


@dataclass(frozen=True)
class TileAnswer:
    """A tile response as the tile views make it: status, content type (None: Django's default,
    for a 304), the headers after it in order, and the body. ``response()`` is the HttpResponse
    that goes through Django; ``maps.tile_wsgi`` sends the same without building one."""

    status: int
    content_type: str | None
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def response(self) -> HttpResponse:
        response = HttpResponse(self.body, status=self.status, content_type=self.content_type)
        for name, value in self.headers:
            response[name] = value
        return response


def tile_headers(etag: str, vary: str = TILE_VARY) -> tuple[tuple[str, str], ...]:
    return (("ETag", etag), ("Cache-Control", "private, max-age=60"), ("Vary", vary))


def tile_answer(
    request: HttpRequest | Request,
    body: bytes,
    etag: str,
    *,
    key: str = "",
    version: int = 0,
    vary: str = TILE_VARY,
) -> TileAnswer:
    """The tile, gzipped for clients that accept it (browsers and QGIS do) when it is large
    enough to gain: MVT shrinks 2.3–2.8 times, and level 1 costs 0.7 ms for a 77 KB zoom-16
    tile, 2.5 ms for the densest 280 KB zoom-15 one (bench/README.md); the first such request
    stores the gzipped body in the cache (``key``, ``version``) for the next ones. Smaller
    tiles go as they are. The gzipped representation has a weak ETag, as Django's
    GZipMiddleware gives it."""
    if body[:2] == GZIP_MAGIC:  # stored gzipped, asked for by a client that accepts it
        packed: bytes | None = body
    elif len(body) >= TILE_GZIP_MIN_BYTES and accepts_gzip(request):
        packed = gzip.compress(body, compresslevel=1, mtime=0)
        if key:
            tiles.store_gzip(key, version, packed)
    else:
        packed = None
    if packed is not None:
        gzipped = (("Content-Encoding", "gzip"), *tile_headers(f"W/{etag}", vary))
        return TileAnswer(200, MVT, gzipped, packed)
    return TileAnswer(200, MVT, tile_headers(etag, vary), body)


@documented(
    operation_id="tile_retrieve",
    summary="Tesela vectorial (Mapbox Vector Tile) de una capa del catálogo.",
    description="Capas: parcels, accounts, segments, suspensions. Por debajo de detail_minzoom "
    "la tesela lleva la cuadrícula resumen (<capa>_grid) o geometría generalizada. ETag e "
    "If-None-Match (304). Parámetros solo para suspensions.",
    parameters=[
        OpenApiParameter(
            "layer",
            str,
            OpenApiParameter.PATH,
            enum=["parcels", "accounts", "segments", "suspensions"],
        ),
        *filter_parameters(filters.SuspensionTileFilterSet),
    ],
    responses={(200, MVT): OpenApiTypes.BINARY, 304: None, 404: ERROR_SCHEMA, **ERRORS},
    tags=["teselas"],
)
class TileView(MapView):
    renderer_classes = [MVTRenderer, JSONRenderer]

    def handle_exception(self, exc: Exception) -> Response:
        # Tiles are served without a request transaction (urls.py). DRF's error handler takes
        # an enclosing transaction for the request's and marks it for rollback; the only one
        # there can be is a caller's (a test's), which this view's refusals must not spoil.
        enclosing = connection.in_atomic_block
        doomed = connection.needs_rollback
        response = super().handle_exception(exc)
        if enclosing and not doomed:
            transaction.set_rollback(False)
        return response

    def get(self, request: Request, layer: str, z: int, x: int, y: int) -> HttpResponse:
        definition = tiled_layers().get(layer)
        if definition is None:
            raise Http404(_("Capa de teselas desconocida."))
        if z > MAX_TILE_ZOOM or x >= 2**z or y >= 2**z:
            raise ValidationError(
                {"tile": [_("Tesela fuera de rango: z de 0 a 22, x e y de 0 a 2^z − 1.")]}
            )
        options = tile_options(layer, request.query_params)
        plan = tiles.plan_tile(definition, z, x, y, options)
        key = tiles.cache_key(layer, z, x, y, options)
        version, body = tiles.version_and_cached(plan, key, gzip=accepts_gzip(request))
        return serve_tile(request, plan, z, x, y, key, version, body).response()


def tile_options(layer: str, query: Any) -> dict[str, Any]:
    """The tile's validated parameters (only suspensions take some); raises ValidationError."""
    filterset = (
        filters.SuspensionTileFilterSet if layer == "suspensions" else filters.NoParamsFilterSet
    )
    return filterset(query, queryset=Account.objects.none()).cleaned()  # type: ignore[attr-defined,no-any-return]


def serve_tile(
    request: HttpRequest | Request,
    plan: tiles.TilePlan | None,
    z: int,
    x: int,
    y: int,
    key: str,
    version: int,
    body: bytes | None,
    *,
    vary: str = TILE_VARY,
) -> TileAnswer:
    """304 for a client holding this version, else the tile (built and stored on a miss)."""
    etag = tiles.etag_for(key, version)
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH", "")
    if etag in if_none_match:  # the strong ETag, or the weak one of the gzipped tile
        weak = f"W/{etag}" in if_none_match
        return TileAnswer(304, None, tile_headers(f"W/{etag}" if weak else etag, vary), b"")
    if body is None:
        body = tiles.render_and_store(plan, z, x, y, key, version)
    return tile_answer(request, body, etag, key=key, version=version, vary=vary)


TILE_VIEW = TileView.as_view()
# What DRF's dispatch adds to a response of TileView: APIView.default_response_headers, and
# "Accept" in Vary (its content negotiation).
TILE_ALLOW = "GET, HEAD, OPTIONS"
PLAIN_TILE_VARY = f"{TILE_VARY}, Accept"


def token_or_user(request: HttpRequest) -> tuple[str, Any] | None:
    """The token of an «Authorization: Token …» header, or the id of the session's active user;
    None for anything else (no credentials, another scheme, a malformed header), which
    ``TileView`` answers as DRF does."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        parts = header.split()
        if header.isascii() and len(parts) == 2 and parts[0].lower() == "token":
            return parts[1], None
        return None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active:
        return "", user.pk
    return None


def plain_tile(request: HttpRequest, layer: str, z: int, x: int, y: int) -> TileAnswer | None:
    """The answer to a plain, authorised GET (or HEAD) of a tile, or None for anything else
    (other methods, unknown layers, out-of-range addresses, invalid parameters, refused or
    missing credentials), which ``TileView`` answers as before. One database round trip per
    tile: token or session user, roles, data version and cached body in one statement, which
    also builds and stores a missing detail tile (``tiles.lookup``)."""
    definition = tiled_layers().get(layer)
    if (
        request.method not in ("GET", "HEAD")
        or definition is None
        or z > MAX_TILE_ZOOM
        or x >= 2**z
        or y >= 2**z
    ):
        return None
    options: dict[str, Any] = {}
    if request.GET:
        try:
            options = tile_options(layer, request.GET)
        except ValidationError:
            return None
    credentials = token_or_user(request)
    if credentials is None:
        return None
    token, user_id = credentials
    plan = tiles.plan_tile(definition, z, x, y, options)
    key = tiles.cache_key(layer, z, x, y, options)
    # A client sending If-None-Match may hold the tile: its ETag is checked before building.
    build = None if "HTTP_IF_NONE_MATCH" in request.META else (z, x, y)
    found = tiles.lookup(
        plan, key, token=token, user_id=user_id, gzip=accepts_gzip(request), build=build
    )
    if not found.allowed:  # unknown token, inactive user, no role: DRF's 401 or 403
        return None
    answer = serve_tile(
        request, plan, z, x, y, key, found.version, found.body, vary=PLAIN_TILE_VARY
    )
    return replace(answer, headers=(*answer.headers, ("Allow", TILE_ALLOW)))


@csrf_exempt
@transaction.non_atomic_requests
def tile(request: HttpRequest, layer: str, z: int, x: int, y: int) -> HttpResponse:
    """GET of a tile without DRF's dispatch (``plain_tile``): the same answers as ``TileView``,
    which serves everything else. Reads and one idempotent cache write: no transaction around
    the request (BEGIN and COMMIT are two round trips more per tile). Token requests without
    cookies or parameters usually reach ``plain_tile`` sooner still, through
    ``maps.tile_wsgi`` (gis_backend/config/wsgi.py)."""
    answer = plain_tile(request, layer, z, x, y)
    if answer is None:
        return TILE_VIEW(request, layer=layer, z=z, x=x, y=y)  # type: ignore[no-any-return]
    return answer.response()


# drf-spectacular documents the URL's view through these (as it does for ``as_view()``).
tile.cls = TileView  # type: ignore[attr-defined]
tile.initkwargs = {}  # type: ignore[attr-defined]


@documented(
    operation_id="tilejson_retrieve",
    summary="Documento TileJSON 3.0 de una capa de teselas.",
    responses={200: OpenApiTypes.OBJECT, 404: ERROR_SCHEMA, **ERRORS},
    tags=["teselas"],
)
class TileJSONView(MapView):
    renderer_classes = [JSONRenderer]

    def get(self, request: Request, layer: str) -> Response:
        self.params(request)
        definition = tiled_layers().get(layer)
        if definition is None:
            raise Http404(_("Capa de teselas desconocida."))
        bounds = tiles.data_bounds()
        template = request.build_absolute_uri(f"/api/v1/tiles/{layer}/") + "{z}/{x}/{y}.pbf"
        return Response(
            {
                "tilejson": "3.0.0",
                "name": definition.title,
                "description": definition.description,
                "version": "1.0.0",
                "attribution": "Padrón SIG",
                "scheme": "xyz",
                "tiles": [template],
                "minzoom": definition.minzoom,
                "maxzoom": definition.maxzoom,
                "bounds": bounds,
                "center": [
                    round((bounds[0] + bounds[2]) / 2, 6),
                    round((bounds[1] + bounds[3]) / 2, 6),
                    max(definition.minzoom, 13),
                ],
                "vector_layers": [
                    {
                        "id": tile_layer.id,
                        "description": definition.title,
                        "minzoom": tile_layer.minzoom,
                        "maxzoom": tile_layer.maxzoom,
                        "fields": tiles.TILE_FIELDS[tile_layer.id],
                    }
                    for tile_layer in definition.tile_layers
                ],
            }
        )


@documented(
    operation_id="layers_retrieve",
    summary="Catálogo de capas (layers/catalogue.yaml): fuentes, zooms, colores y estilos QGIS.",
    responses={200: OpenApiTypes.OBJECT, **ERRORS},
    tags=["catálogo"],
)
class CatalogueView(MapView):
    renderer_classes = [JSONRenderer]

    def get(self, request: Request) -> Response:
        self.params(request)
        return Response(load_catalogue())


@documented(
    operation_id="layer_style_retrieve",
    summary="Estilo QGIS (.qml) de una capa del catálogo.",
    responses={(200, "application/xml"): OpenApiTypes.STR, 404: ERROR_SCHEMA, **ERRORS},
    tags=["catálogo"],
)
class LayerStyleView(MapView):
    def get(self, request: Request, layer: str) -> FileResponse:
        self.params(request)
        definition = layers().get(layer)
        if definition is None:
            raise Http404(_("Capa desconocida."))
        path = CATALOGUE_PATH.parent / definition.qml
        return FileResponse(path.open("rb"), content_type="application/xml", filename=path.name)


def choice_list(choices_: Any) -> list[dict[str, str]]:
    return [{"value": value, "label": str(label)} for value, label in choices_]


@documented(
    operation_id="lookups_retrieve",
    summary="Valores para los filtros: colonias, sectores, rutas, estatus, tarifas, métodos.",
    responses={200: OpenApiTypes.OBJECT, **ERRORS},
    tags=["catálogo"],
)
class LookupsView(MapView):
    renderer_classes = [JSONRenderer]

    def get(self, request: Request) -> Response:
        self.params(request)
        return Response(
            {
                "colonias": list(Colonia.objects.values("id", "name", "settlement_type")),
                "sectors": list(Sector.objects.values("id", "code", "name")),
                "routes": list(ReadingRoute.objects.values("id", "code", "sector_id")),
                "status": choice_list(choices.AccountStatus.choices),
                "tariff": choice_list(choices.Tariff.choices),
                "link_method": choice_list(filters.LINK_METHOD_CHOICES),
                "aging": choice_list(filters.AGING_CHOICES),
                "map_class": choice_list(filters.MAP_CLASS_CHOICES),
                "land_use": choice_list(choices.LandUse.choices),
                "meter_state": choice_list(choices.MeterState.choices),
                "suspension_kind": choice_list(choices.SuspensionKind.choices),
            }
        )
