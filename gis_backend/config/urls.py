from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from gis_backend.access.views import TokenView
from gis_backend.core.views import health, home

admin.site.site_header = "Padrón SIG"
admin.site.site_title = "Padrón SIG"
admin.site.index_title = "Administración del padrón"

urlpatterns = [
    path("", home, name="home"),
    path("api/v1/health", health, name="health"),
    path("api/v1/auth/token/", TokenView.as_view(), name="api-token"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("gis_backend.maps.urls")),
    path("mapa/", include("gis_backend.maps.page")),
    path("admin/", admin.site.urls),
]
