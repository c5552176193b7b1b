import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from gis_backend.linking.linker import link_registry
from gis_backend.maps.summaries import refresh_after_commit


class Command(BaseCommand):
    help = "Vincula cada cuenta con su predio y su tramo de calle (método, confianza, candidatos)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="calcula todo sin guardar")

    def handle(self, *args: Any, **options: Any) -> None:
        summary = link_registry(dry_run=options["dry_run"], progress=sys.stderr.isatty())
        linked = summary.accounts - summary.unlinked
        share = 100 * linked / summary.accounts if summary.accounts else 0
        if options["dry_run"]:
            self.stdout.write("Simulación (--dry-run): no se guardó nada.")
        self.stdout.write(
            f"Cuentas {summary.accounts} · vinculadas a predio {linked} ({share:.1f} %) · "
            f"ambiguas {summary.ambiguous} · sin vincular {summary.unlinked} · "
            f"verificadas por una persona (respetadas) {summary.kept_verified} · "
            f"vínculos escritos {summary.written}"
        )
        for method, count in sorted(summary.by_method.items(), key=lambda item: -item[1]):
            self.stdout.write(f"  {method}: {count}")
        refresh_after_commit()  # map summaries: in the background, once the links committed
