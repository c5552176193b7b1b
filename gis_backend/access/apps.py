from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "gis_backend.access"
    label = "access"
    verbose_name = _("Acceso y roles")
