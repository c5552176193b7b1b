"""WSGI entry point (``padron-admin serve``: gis_backend/deploy/serve.py).

Token requests for map tiles are answered ahead of Django's request handling, with the same
response (gis_backend/maps/tile_wsgi.py); everything else is Django's.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_backend.config.settings")
django_application = get_wsgi_application()

from gis_backend.maps.tile_wsgi import TileShortcut  # noqa: E402  (needs the apps loaded)

application = TileShortcut(django_application)
