"""What demo town the registry holds, so that loading it again changes nothing."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoTown(models.Model):
    class Method(models.TextChoices):
        DIRECT = "direct", _("carga directa (COPY)")
        PIPELINE = "pipeline", _("importadores y vinculador")

    seed = models.BigIntegerField(_("semilla"))
    accounts = models.PositiveIntegerField(_("cuentas"))
    generator_version = models.PositiveIntegerField(_("versión del generador"))
    fingerprint = models.CharField(_("huella (SHA-256)"), max_length=64)
    counts = models.JSONField(_("filas por tabla"), default=dict)
    truth_dir = models.CharField(
        _("carpeta de la verdad de referencia"), max_length=500, blank=True
    )
    method = models.CharField(
        _("cómo se cargó"), max_length=10, choices=Method.choices, default=Method.DIRECT
    )
    loaded_at = models.DateTimeField(_("cargada"), auto_now_add=True)

    class Meta:
        verbose_name = _("ciudad de demostración")
        verbose_name_plural = _("ciudades de demostración")

    def __str__(self) -> str:
        return f"{self.seed}/{self.accounts}"
