"""padron-admin load_demo: generate the seeded demo town and load it into the registry.

By default through the real pipeline (files, importers, linker, report: demo/pipeline.py);
``--direct`` COPYs the generated tables straight in (fast, no links, no report)."""

import os
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gis_backend.demo.loader import Timer
from gis_backend.demo.pipeline import PipelineResult, demo_town_pipeline, headline
from gis_backend.demo.service import (
    DEFAULT_TRUTH_DIR,
    LoadResult,
    Outcome,
    RegistryNotEmpty,
    demo_town_load,
)
from gis_backend.demo.town import DEFAULT_ACCOUNTS, DEFAULT_SEED
from gis_backend.imports.problems import ImportFileError

# Labels of both lists below.
PARCELS = gettext_lazy("predios")
STREET_SEGMENTS = gettext_lazy("tramos de calle")
# Closing summary: table and its label for users.
SUMMARY = (
    ("registry_colonia", gettext_lazy("colonias")),
    ("registry_sector", gettext_lazy("sectores")),
    ("registry_readingroute", gettext_lazy("rutas de lectura")),
    ("registry_parcel", PARCELS),
    ("registry_streetsegment", STREET_SEGMENTS),
    ("registry_holder", gettext_lazy("titulares")),
    ("registry_account", gettext_lazy("cuentas")),
    ("registry_meter", gettext_lazy("medidores")),
    ("registry_reading", gettext_lazy("lecturas")),
    ("registry_collectionsnapshot", gettext_lazy("saldos de cobranza")),
    ("registry_suspensionevent", gettext_lazy("eventos de suspensión")),
)
# Files the pipeline imports, and their label for users.
IMPORTED = (("parcels", PARCELS), ("streets", STREET_SEGMENTS), ("padron", gettext_lazy("padrón")))


def default_accounts() -> int:
    value = os.environ.get("DEMO_ACCOUNTS", "").strip()
    if not value:
        return DEFAULT_ACCOUNTS
    try:
        return int(value)
    except ValueError as error:
        raise CommandError(
            _("DEMO_ACCOUNTS debe ser un número entero, no «%s».") % value
        ) from error


class Command(BaseCommand):
    help = _(
        "Genera la ciudad de demostración (determinista, con semilla) y la carga en el padrón "
        "como llegan los datos de un organismo: escribe los tres archivos (predios, calles y "
        "padrón), los importa, vincula cuentas y predios y escribe el reporte del padrón. "
        "Cargarla dos veces no duplica datos."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--accounts",
            type=int,
            default=None,
            help=_("número de cuentas (predeterminado: DEMO_ACCOUNTS o 30000)"),
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=_("semilla (predeterminada: 2026)")
        )
        parser.add_argument(
            "--truth-dir",
            type=Path,
            default=DEFAULT_TRUTH_DIR,
            help=_("carpeta donde se escribe la verdad de referencia (predeterminada: var/demo)"),
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help=_("vacía primero las tablas del padrón y carga la ciudad de nuevo"),
        )
        parser.add_argument(
            "--direct",
            action="store_true",
            help=_(
                "copia las tablas generadas directamente al padrón (COPY), sin archivos, "
                "importadores ni vinculación: mucho más rápido, sin vínculos ni reporte"
            ),
        )
        self.add_history_argument(parser)

    def add_history_argument(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--no-history",
            action="store_true",
            help=_(
                "no registra fila por fila la carga en el historial del padrón (mucho más rápido "
                "con cientos de miles de cuentas); la carga queda registrada en demo_demotown"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = options["accounts"] if options["accounts"] is not None else default_accounts()
        if accounts < 100:
            raise CommandError(_("La ciudad de demostración necesita al menos 100 cuentas."))
        seed = options["seed"]
        verbose = options["verbosity"] > 1
        timer = Timer(report=self._report_phase if verbose else None)
        self.stdout.write(
            _("Ciudad de demostración: semilla %(seed)s, %(accounts)s cuentas.")
            % {"seed": seed, "accounts": accounts}
        )
        load = demo_town_load if options["direct"] else demo_town_pipeline
        try:
            result: LoadResult = load(
                seed=seed,
                accounts=accounts,
                truth_dir=options["truth_dir"],
                replace=options["replace"],
                record_history=not options["no_history"],
                timer=timer,
            )
        except ImportFileError as error:
            raise CommandError(
                _("Un archivo de la ciudad no se pudo importar; no se cargó nada.\n%s") % error
            ) from error
        except RegistryNotEmpty as error:
            raise CommandError(
                _(
                    "El padrón ya contiene datos que no son esta ciudad de demostración; "
                    "no se cargó nada. "
                    "Use --replace para vaciar las tablas del padrón y cargarla."
                )
            ) from error
        if result.outcome is Outcome.ALREADY_LOADED:
            self.stdout.write(_("Esta ciudad de demostración ya está cargada; no se cambió nada."))
        else:
            total = sum(timer.phases.values())
            self.stdout.write(self.style.SUCCESS(_("Ciudad cargada en %.1f s.") % total))
        if isinstance(result, PipelineResult):
            self._imports(result)
        self._summary(result.counts)
        self.stdout.write(_("Verdad de referencia: %s") % result.truth_dir)
        if isinstance(result, PipelineResult):
            self._report(result)

    def _imports(self, result: PipelineResult) -> None:
        if result.files is not None:
            self.stdout.write(_("Archivos del organismo: %s") % result.files.padron.parent)
        for key, label in IMPORTED:
            summary = result.imports.get(key)
            if summary is None:
                continue
            first, *rest = summary.lines()
            for text in [f"  {label}: {first}", *(f"    {line}" for line in rest)]:
                self.stdout.write(self.style.WARNING(text) if summary.rejected else text)

    def _report(self, result: PipelineResult) -> None:
        lines = headline(result.report_dir)
        if not lines:
            self.stdout.write(
                self.style.WARNING(
                    _("No se encontró el reporte del padrón en %s.") % result.report_dir
                )
            )
            return
        self.stdout.write(_("Reporte del padrón: %s") % result.report_dir)
        for line in lines:
            self.stdout.write(f"  {line}")

    def _report_phase(self, name: str, seconds: float) -> None:
        self.stdout.write(f"  {name}: {seconds:.1f} s")

    def _summary(self, counts: dict[str, int]) -> None:
        self.stdout.write(_("Resumen:"))
        for table, label in SUMMARY:
            self.stdout.write(f"  {label}: {counts.get(table, 0):,}")
