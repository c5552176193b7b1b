from django.utils.translation import gettext

from gis_backend.imports.command import VectorImportCommand
from gis_backend.imports.parcels import ParcelImporter


class Command(VectorImportCommand):
    help = gettext("Importa predios (polígonos con clave_catastral) de cualquier fuente vectorial.")
    importer_class = ParcelImporter
