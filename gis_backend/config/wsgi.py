"""WSGI entry point (gunicorn gis_backend.config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_backend.config.settings")
application = get_wsgi_application()
