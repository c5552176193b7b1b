"""The web map page (/mapa/): MapLibre GL JS served by the app, reading the API and the layer
catalogue. Anyone with a role may open it; the API decides what each role receives."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse, reverse_lazy
from django.views.decorators.http import require_GET

from gis_backend.access.personal_data import may_see_personal_data, user_roles
from gis_backend.maps.catalogue import load_catalogue
from gis_backend.maps.tiles import data_bounds


@require_GET
@login_required(login_url=reverse_lazy("map-login"))
def web_map(request: HttpRequest) -> HttpResponse:
    roles = sorted(role.value for role in user_roles(request.user))
    if not roles:
        raise PermissionDenied("Su usuario no tiene un rol asignado.")
    west, south, east, north = data_bounds()
    config = {
        "catalogue": load_catalogue(),
        "bounds": [west, south, east, north],
        "roles": roles,
        "personalData": may_see_personal_data(request.user),
        "api": "/api/v1/",
    }
    return render(request, "maps/map.html", {"config": config, "roles": roles})


class MapLoginView(LoginView):
    template_name = "maps/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return reverse("web-map")


urlpatterns = [
    path("", web_map, name="web-map"),
    path("entrar/", MapLoginView.as_view(), name="map-login"),
]
