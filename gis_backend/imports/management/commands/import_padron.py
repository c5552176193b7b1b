import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext

from gis_backend.imports.command import VectorImportCommand
from gis_backend.imports.padron import import_padron
from gis_backend.imports.problems import ImportFileError
from gis_backend.imports.values import ValueProblem, parse_date


class Command(VectorImportCommand):
    help = gettext("Importa el padrón (CSV del sistema comercial), por número de cuenta.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help=gettext("CSV en UTF-8, CP1252 o Latin-1"))
        parser.add_argument(
            "--map", type=Path, help=gettext("archivo YAML que renombra columnas y valores")
        )
        parser.add_argument(
            "--fecha-corte",
            help=gettext("fecha de corte de los saldos (dd/mm/aaaa); hoy si falta"),
        )
        self.add_dry_run_argument(parser)
        parser.add_argument("--rejects", type=Path, help=gettext("archivo CSV de filas rechazadas"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = parse_date(options["fecha_corte"]) if options["fecha_corte"] else None
        except ValueProblem as exc:
            raise CommandError(f"--fecha-corte: {exc}") from exc
        try:
            summary = import_padron(
                options["file"],
                mapping=options["map"],
                as_of=as_of,
                dry_run=options["dry_run"],
                rejects=options["rejects"],
                progress=sys.stderr.isatty(),
            )
        except ImportFileError as exc:
            raise self.nothing_imported(exc) from exc
        self.report(summary)
