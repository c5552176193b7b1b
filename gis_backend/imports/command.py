"""The shared shape of the import commands: arguments, error reporting, closing summary."""

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from gis_backend.imports.engine import VectorImporter, run_vector_import
from gis_backend.imports.problems import ImportFileError, Summary
from gis_backend.maps.summaries import refresh_after_commit

MAX_LISTED = 50


class VectorImportCommand(BaseCommand):
    importer_class: type[VectorImporter]

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="GeoPackage, Shapefile, GeoJSON…")
        parser.add_argument("--layer", help=gettext("capa a leer cuando el archivo tiene varias"))
        parser.add_argument(
            "--srid", type=int, help=gettext("EPSG del archivo cuando no lo declara")
        )
        self.add_dry_run_argument(parser)
        parser.add_argument("--rejects", type=Path, help=gettext("archivo de filas rechazadas"))
        parser.add_argument(
            "--map",
            type=Path,
            help=gettext("archivo YAML que renombra campos y valores de la capa"),
        )

    def add_dry_run_argument(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help=gettext("revisa todo sin guardar")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = run_vector_import(
                self.importer_class(),
                options["file"],
                layer=options["layer"],
                srid=options["srid"],
                dry_run=options["dry_run"],
                rejects=options["rejects"],
                progress=sys.stderr.isatty(),
                mapping=options["map"],
            )
        except ImportFileError as exc:
            raise self.nothing_imported(exc) from exc
        self.report(summary)

    @staticmethod
    def nothing_imported(error: ImportFileError) -> CommandError:
        return CommandError(gettext("No se importó nada.\n%(problems)s") % {"problems": error})

    def report(self, summary: Summary) -> None:
        for problem in summary.warnings[:MAX_LISTED]:
            self.stderr.write(
                self.style.WARNING(gettext("Aviso: %(problem)s") % {"problem": problem})
            )
        for problem in summary.errors[:MAX_LISTED]:
            self.stderr.write(
                self.style.ERROR(gettext("Rechazada: %(problem)s") % {"problem": problem})
            )
        hidden = len(summary.errors) + len(summary.warnings) - 2 * MAX_LISTED
        if hidden > 0:
            self.stderr.write(
                gettext("… y %(hidden)s avisos o rechazos más (vea el archivo de rechazos).")
                % {"hidden": hidden}
            )
        for line in summary.lines():
            self.stdout.write(line)
        refresh_after_commit()  # map summaries: in the background, once the import committed
