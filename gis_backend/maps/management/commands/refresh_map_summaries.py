"""Recomputes the low-zoom map summaries; run it after a bulk import or a linking run."""

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from gis_backend.maps.summaries import refresh_summaries


class Command(BaseCommand):
    help = _("Recalcula los resúmenes de los mapas a escala de ciudad (cuadrícula y tramos).")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        with transaction.atomic():
            version = refresh_summaries()
        self.stdout.write(
            _("Resúmenes recalculados (versión de datos %(version)s) en %(seconds).1f s")
            % {"version": version, "seconds": time.perf_counter() - started}
        )
