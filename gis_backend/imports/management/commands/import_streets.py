from django.utils.translation import gettext

from gis_backend.imports.command import VectorImportCommand
from gis_backend.imports.streets import StreetImporter


class Command(VectorImportCommand):
    help = gettext("Importa tramos de calle (líneas con nombre) de cualquier fuente vectorial.")
    importer_class = StreetImporter
