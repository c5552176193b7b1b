from django.urls import path

from gis_backend.maps import views

urlpatterns = [
    path("accounts/", views.AccountsView.as_view(), name="api-accounts"),
    path("accounts/<int:pk>/", views.AccountDetailView.as_view(), name="api-account"),
    path("parcels/", views.ParcelsView.as_view(), name="api-parcels"),
    path("segments/", views.SegmentsView.as_view(), name="api-segments"),
    path("meters/", views.MetersView.as_view(), name="api-meters"),
    path("aggregates/<str:unit>/", views.AggregateView.as_view(), name="api-aggregates"),
    path("tiles/<str:layer>.json", views.TileJSONView.as_view(), name="api-tilejson"),
    path(
        "tiles/<str:layer>/<int:z>/<int:x>/<int:y>.pbf",
        # A plain Django view (no DRF dispatch, no request transaction); it hands what is not
        # a plain authorised GET to views.TileView, which the OpenAPI schema documents.
        views.tile,
        name="api-tile",
    ),
    path("layers/", views.CatalogueView.as_view(), name="api-layers"),
    path("layers/<str:layer>/style.qml", views.LayerStyleView.as_view(), name="api-layer-style"),
    path("lookups/", views.LookupsView.as_view(), name="api-lookups"),
]
