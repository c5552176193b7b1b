from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkingConfig(AppConfig):
    name = "gis_backend.linking"
    label = "linking"
    verbose_name = _("Vinculación de cuentas")
