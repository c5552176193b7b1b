"""Recomputes the low-zoom map summaries. The import and link commands start it in the
background (``--if-stale``) after they commit; run it by hand after other bulk changes."""

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from gis_backend.maps.summaries import refresh_if_stale, refresh_summaries


class Command(BaseCommand):
    help = _("Recalcula los resúmenes de los mapas a escala de ciudad (cuadrícula y tramos).")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--if-stale",
            action="store_true",
            help=_("solo si los datos cambiaron desde el último cálculo"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if options["if_stale"]:
            version, refreshed = refresh_if_stale()
            if not refreshed:
                self.stdout.write(
                    _("Los resúmenes ya estaban al día (versión de datos %(version)s).")
                    % {"version": version}
                )
                return
        else:
            with transaction.atomic():
                version = refresh_summaries()
        self.stdout.write(
            _("Resúmenes recalculados (versión de datos %(version)s) en %(seconds).1f s")
            % {"version": version, "seconds": time.perf_counter() - started}
        )
