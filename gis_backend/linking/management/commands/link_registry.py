import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from gis_backend.imports.problems import DRY_RUN
from gis_backend.linking.linker import link_registry
from gis_backend.linking.report import method_label
from gis_backend.maps.summaries import refresh_after_commit


class Command(BaseCommand):
    help = gettext(
        "Vincula cada cuenta con su predio y su tramo de calle (método, confianza, candidatos)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help=gettext("calcula todo sin guardar")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = link_registry(dry_run=options["dry_run"], progress=sys.stderr.isatty())
        linked = summary.accounts - summary.unlinked
        share = 100 * linked / summary.accounts if summary.accounts else 0
        if options["dry_run"]:
            self.stdout.write(str(DRY_RUN))
        self.stdout.write(
            gettext(
                "Cuentas %(accounts)s · vinculadas a predio %(linked)s (%(share).1f %%) · "
                "ambiguas %(ambiguous)s · sin vincular %(unlinked)s · "
                "verificadas por una persona (respetadas) %(kept_verified)s · "
                "vínculos escritos %(written)s"
            )
            % {
                "accounts": summary.accounts,
                "linked": linked,
                "share": share,
                "ambiguous": summary.ambiguous,
                "unlinked": summary.unlinked,
                "kept_verified": summary.kept_verified,
                "written": summary.written,
            }
        )
        for method, count in sorted(summary.by_method.items(), key=lambda item: -item[1]):
            self.stdout.write(f"  {method_label(method)}: {count}")
        refresh_after_commit()  # map summaries: in the background, once the links committed
