from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from gis_backend.linking.report import markdown, write_report


class Command(BaseCommand):
    help = (
        "Escribe el reporte del padrón: vínculos, motivos, listas de problemas (CSV y GeoPackage)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--out", type=Path, required=True, help="carpeta del reporte")
        parser.add_argument(
            "--truth",
            type=Path,
            help="CSV de verdad de campo (cuenta, clave_catastral) para calificar",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = write_report(options["out"], truth=options["truth"])
        self.stdout.write(markdown(report))
        self.stdout.write(f"Reporte escrito en {options['out']}")
