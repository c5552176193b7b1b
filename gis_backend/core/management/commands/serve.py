"""Serves the application as ``make demo`` does: granian with the settings of
gis_backend/deploy/serve.py (the process is replaced by the server)."""

import os
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from gis_backend.deploy.serve import command


class Command(BaseCommand):
    help = _("Sirve la aplicación (granian, WSGI) con la configuración de producción.")
    requires_system_checks = []  # the server's workers load the application and its checks

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help=_("dirección (127.0.0.1)"))
        parser.add_argument("--port", type=int, default=8000, help=_("puerto (8000)"))
        parser.add_argument("--workers", type=int, default=3, help=_("procesos (3)"))
        parser.add_argument(
            "--access-log", action="store_true", help=_("escribe el registro de accesos")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        argv = command(
            options["host"], options["port"], options["workers"], access_log=options["access_log"]
        )
        os.execv(argv[0], argv)  # noqa: S606  (fixed program, arguments built from options)
