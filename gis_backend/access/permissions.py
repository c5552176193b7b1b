"""DRF permission: an authenticated user holding one of the four roles."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from gis_backend.access.personal_data import user_roles


class HasRole(BasePermission):
    message = _("Su usuario no tiene un rol asignado (supervisor, analista, jefe o admin).")

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and user_roles(request.user))
