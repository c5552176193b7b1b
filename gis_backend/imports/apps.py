from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "gis_backend.imports"
    label = "imports"
    verbose_name = _("Importación de datos")
