"""The layer catalogue (layers/): consistent with the API, styles valid, served to clients."""

from xml.etree import ElementTree as ET

import pytest
from rest_framework.test import APIClient

from gis_backend.maps import tiles
from gis_backend.maps.catalogue import CATALOGUE_PATH, layers, load_catalogue
from gis_backend.maps.filters import MAP_CLASS_CHOICES
from gis_backend.maps.qml import rgba
from tests.backend.api_factories import build_town, token_client

pytestmark = pytest.mark.django_db


def test_every_layer_is_complete_and_its_qml_holds_its_colours() -> None:
    for layer in layers().values():
        assert layer.title and layer.description, layer.id
        assert layer.geometry in {"point", "line", "polygon"}
        assert layer.minzoom <= layer.maxzoom
        assert layer.source["type"] in {"vector_tiles", "geojson"}
        path = CATALOGUE_PATH.parent / layer.qml
        root = ET.parse(path).getroot()  # noqa: S314  (the project's own files)
        assert root.tag == "qgis"
        renderer = root.find("renderer-v2")
        assert renderer is not None and renderer.get("attr") == layer.style["property"]
        colours = {option.get("value") for option in root.iter("Option")}
        for item in layer.style.get("classes", []) + layer.style.get("stops", []):
            assert rgba(item["color"]) in colours, (layer.id, item)


def test_tiled_layers_match_the_tile_code() -> None:
    for layer in layers().values():
        if not layer.is_tiled:
            continue
        assert layer.source["tiles"] == f"/api/v1/tiles/{layer.id}/{{z}}/{{x}}/{{y}}.pbf"
        for tile_layer in layer.tile_layers:
            assert tile_layer.id in tiles.TILE_FIELDS
        assert layer.style["property"] in tiles.TILE_FIELDS[layer.id]


def test_map_classes_of_the_catalogue_are_those_the_api_computes() -> None:
    catalogue = [item["value"] for item in load_catalogue()["map_classes"]]
    assert catalogue == [value for value, _label in MAP_CLASS_CHOICES]


def test_catalogue_lookups_and_styles_are_served() -> None:
    build_town()
    client: APIClient = token_client("supervisor")
    catalogue = client.get("/api/v1/layers/").json()
    assert [layer["id"] for layer in catalogue["layers"]] == list(layers())
    style = client.get("/api/v1/layers/parcels/style.qml")
    assert style.status_code == 200 and style["Content-Type"] == "application/xml"
    assert b"categorizedSymbol" in style.getvalue()
    lookups = client.get("/api/v1/lookups/").json()
    assert [c["name"] for c in lookups["colonias"]] == ["Las Fuentes", "Zona Centro"]
    assert {"value": "suspendido", "label": "Suspendido / cortado"} in lookups["status"]
    assert lookups["sectors"][0]["code"] == "01"
