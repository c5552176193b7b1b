from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "gis_backend.registry"
    label = "registry"
    verbose_name = _("Padrón de usuarios")
