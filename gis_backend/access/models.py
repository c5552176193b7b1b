"""Who read holders' personal data, and when.

One row per API response that carried unmasked personal data: the user, the time, the endpoint
and the ids of the accounts whose holder data it contained. Never the personal data itself.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonalDataAccess(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("usuario"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="personal_data_accesses",
    )
    # Kept apart from the foreign key so the log survives the user's deletion.
    username = models.CharField(_("nombre de usuario"), max_length=150)
    accessed_at = models.DateTimeField(_("fecha y hora"), auto_now_add=True, db_index=True)
    endpoint = models.CharField(_("recurso consultado"), max_length=300)
    account_ids = ArrayField(
        models.BigIntegerField(), verbose_name=_("cuentas consultadas"), default=list
    )
    account_count = models.PositiveIntegerField(_("número de cuentas"), default=0)

    class Meta:
        verbose_name = _("consulta de datos personales")
        verbose_name_plural = _("consultas de datos personales")
        ordering = ["-accessed_at", "-id"]
        # "Who saw account 123?" is `account_ids @> ARRAY[123]`, answered by this index.
        indexes = [GinIndex(fields=["account_ids"], name="pdaccess_account_ids_gin")]

    def __str__(self) -> str:
        return f"{self.username} {self.accessed_at:%Y-%m-%d %H:%M} ({self.account_count})"
