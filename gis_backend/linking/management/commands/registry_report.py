from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from gis_backend.imports.problems import ImportFileError
from gis_backend.linking.report import markdown, write_report


class Command(BaseCommand):
    help = gettext(
        "Escribe el reporte del padrón: vínculos, motivos, listas de problemas (CSV y GeoPackage)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--out", type=Path, required=True, help=gettext("carpeta del reporte"))
        parser.add_argument(
            "--truth",
            type=Path,
            help=gettext("CSV de verdad de campo (%(columns)s) para calificar")
            % {"columns": "cuenta, clave_catastral"},
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = write_report(options["out"], truth=options["truth"])
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(markdown(report))
        self.stdout.write(gettext("Reporte escrito en %(path)s") % {"path": options["out"]})
