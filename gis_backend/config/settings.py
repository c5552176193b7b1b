"""Settings read from the environment. Plain module: no exec, no star imports.

Environment variables (all optional on a development machine):
- DATABASE_URL: postgis://user:password@host:port/name (default: local PostgreSQL, database padron)
- PADRON_SECRET_KEY: required when PADRON_DEBUG is off
- PADRON_DEBUG: 1/0 (default 1 for development and the demo)
- PADRON_ALLOWED_HOSTS: comma separated (default 127.0.0.1,localhost)
- PADRON_STORAGE_SRID: metric CRS for stored geometry (default 32614, WGS 84 / UTM 14N)
- PADRON_LOG_LEVEL: logging level (default INFO)
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent

DEBUG = env_bool("PADRON_DEBUG", True)
SECRET_KEY = os.environ.get("PADRON_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("PADRON_SECRET_KEY must be set when PADRON_DEBUG is off.")
    SECRET_KEY = "padron-sig-development-only-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env_list("PADRON_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "gis_backend.core",
    "gis_backend.access",
    "gis_backend.registry",
    "gis_backend.imports",
    "gis_backend.linking",
    "gis_backend.demo",
    "gis_backend.maps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gis_backend.core.middleware.DatabaseActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "gis_backend.config.urls"
WSGI_APPLICATION = "gis_backend.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgis://postgres@127.0.0.1:5432/padron"),
        conn_max_age=60,
        engine="django.contrib.gis.db.backends.postgis",
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["OPTIONS"] = {
    # Small map queries run faster without parallel plans or JIT compilation, and the data sits
    # on SSD-like storage (see ../shared/PERF.md).
    "options": "-c max_parallel_workers_per_gather=0 -c jit=off -c random_page_cost=1.1",
}

# Debian 12 ships GDAL 3.6; Django asks for 3.9 only to block GDAL's own file and network access,
# which this project never hands untrusted spatial references to.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Geometry is stored in one metric CRS; the API speaks EPSG:4326.
STORAGE_SRID = int(os.environ.get("PADRON_STORAGE_SRID", "32614"))
API_SRID = 4326

# The utility's service area: an INEGI municipality key of the bundled Guanajuato layer, or the
# path of a vector file. Imports refuse geometry outside it.
SERVICE_AREA = os.environ.get("PADRON_SERVICE_AREA", "11011")

LANGUAGE_CODE = "es-mx"
LANGUAGES = [("es-mx", "Español (México)")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Mexico_City"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = PROJECT_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    # Tests and development do not need collectstatic's manifest.
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
LOGIN_URL = "admin:login"

REST_FRAMEWORK = {
    # Token first: an anonymous request then gets 401 with "WWW-Authenticate: Token".
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# OpenAPI 3 schema at /api/v1/schema/, Swagger UI at /api/v1/docs/ served from the project
# (drf-spectacular-sidecar), no CDN. The schema describes the API, it holds no data: public.
SPECTACULAR_SETTINGS = {
    "TITLE": "Padrón SIG API",
    "DESCRIPTION": "Capas GeoJSON (EPSG:4326), teselas vectoriales, agregados de adeudo y "
    "suspensiones del padrón de usuarios. Autenticación: «Authorization: Token …» "
    "(POST /api/v1/auth/token/) o sesión.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Descriptions are written for API users (Spanish) in extend_schema, not code docstrings.
    "DISABLE_DOCSTRING_DESCRIPTIONS": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PADRON_LOG_LEVEL", "INFO")},
    # pyogrio says 'Created N records' of every file written (the rejects, the report's
    # layers): the commands say it themselves, in Spanish.
    "loggers": {"pyogrio": {"level": "WARNING"}},
}
