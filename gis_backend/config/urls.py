from django.contrib import admin
from django.urls import path

from gis_backend.core.views import health, home

admin.site.site_header = "Padrón SIG"
admin.site.site_title = "Padrón SIG"
admin.site.index_title = "Administración del padrón"

urlpatterns = [
    path("", home, name="home"),
    path("api/v1/health", health, name="health"),
    path("admin/", admin.site.urls),
]
