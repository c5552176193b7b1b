"""Writes layers/styles/*.qml from the catalogue's colours."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from gis_backend.maps.catalogue import CATALOGUE_PATH, layers
from gis_backend.maps.qml import layer_qml


class Command(BaseCommand):
    help = _("Escribe los estilos QGIS (.qml) de layers/ a partir de los colores del catálogo.")

    def handle(self, *args: Any, **options: Any) -> None:
        for layer in layers().values():
            path = CATALOGUE_PATH.parent / layer.qml
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(layer_qml(layer), encoding="utf-8")
            self.stdout.write(str(path.relative_to(CATALOGUE_PATH.parent.parent)))
