"""OpenAPI description of the map API (drf-spectacular): parameters taken from the FilterSets,
and raw schemas for responses built in SQL."""

from typing import Any

import django_filters as df
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from gis_backend.maps import filters


def _type_of(filter_: df.Filter) -> OpenApiTypes:
    if isinstance(filter_, filters.BBoxFilter | filters.OrderingParam | df.BaseInFilter):
        return OpenApiTypes.STR
    if isinstance(filter_, filters.IntegerFilter):
        return OpenApiTypes.INT
    if isinstance(filter_, filters.DecimalFilter):
        return OpenApiTypes.DECIMAL
    if isinstance(filter_, df.DateFilter):
        return OpenApiTypes.DATE
    if isinstance(filter_, filters.StrictBooleanFilter):
        return OpenApiTypes.BOOL
    return OpenApiTypes.STR


def filter_parameters(filterset_class: type[df.FilterSet]) -> list[OpenApiParameter]:
    """One query parameter per filter, with its Spanish label and, for lists, its values."""
    result = []
    for name, filter_ in filterset_class.base_filters.items():
        description = str(filter_.label or name)
        choices = filter_.extra.get("choices")
        if choices:
            values = ", ".join(str(value) for value, _label in choices)
            description += f". Valores separados por comas: {values}"
        result.append(
            OpenApiParameter(
                name, _type_of(filter_), OpenApiParameter.QUERY, description=description
            )
        )
    return result


GEOMETRY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "nullable": True,
    "description": "Geometría GeoJSON en EPSG:4326 (lon, lat), RFC 7946.",
    "properties": {"type": {"type": "string"}, "coordinates": {"type": "array", "items": {}}},
}


def feature_collection_schema(
    properties: tuple[str, ...], extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "type": "object",
        "description": "FeatureCollection GeoJSON (RFC 7946), armada por PostGIS.",
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "numberReturned": {"type": "integer"},
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
            "next": {"type": "string", "nullable": True, "format": "uri"},
            "previous": {"type": "string", "nullable": True, "format": "uri"},
            **(extra or {}),
            "features": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string", "enum": ["Feature"]},
                        "id": {"type": "integer"},
                        "geometry": GEOMETRY_SCHEMA,
                        "properties": {
                            "type": "object",
                            "properties": {name: {} for name in properties},
                        },
                    },
                },
            },
        },
    }


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Parámetro → lista de mensajes (HTTP 400), o «detail» (401, 403, 404).",
    "additionalProperties": {},
}
