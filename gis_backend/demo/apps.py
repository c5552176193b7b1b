from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "gis_backend.demo"
    label = "demo"
    verbose_name = _("Ciudad de demostración")
