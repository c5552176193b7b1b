"""POST /api/v1/auth/token/: username and password → the user's API token."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response


class TokenView(ObtainAuthToken):
    """Returns the user's token (created on first use). Scripts and the QGIS plugin then send
    ``Authorization: Token <token>`` on every request."""

    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="Obtener el token de la API con usuario y contraseña.",
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            400: OpenApiResponse(description="Usuario o contraseña incorrectos."),
        },
        tags=["autenticación"],
        auth=[],
    )
    def post(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().post(request, *args, **kwargs)
