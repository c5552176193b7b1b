"""Every .qml and layer definition in layers/ loads valid in headless QGIS and carries no host,
password or absolute path."""

import re
from pathlib import Path

import pytest
import yaml
from padron_sig.core import catalogue
from qgis.core import QgsVectorLayer

LAYERS_DIR = Path(__file__).resolve().parents[2] / "layers"
CATALOGUE = catalogue.parse_catalogue(
    yaml.safe_load((LAYERS_DIR / "catalogue.yaml").read_text(encoding="utf-8"))
)
MEMORY_GEOMETRY = {"point": "Point", "line": "LineString", "polygon": "Polygon"}
FORBIDDEN = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bhost\s*=",
        r"password",
        r"\bpasswd\b",
        r"\buser(name)?\s*=",
        r"\bauthcfg\s*=\s*['\"]?\w",
        r"https?://(?!mrcc\.com/qgis\.dtd)",
        r"(?<![\w/])/(home|root|Users|tmp|var|usr|opt|mnt)/",
        r"\b[A-Z]:[\\/]",
        r"file://",
    )
]


def test_every_qml_file_is_in_the_catalogue() -> None:
    files = {p.relative_to(LAYERS_DIR).as_posix() for p in (LAYERS_DIR / "styles").glob("*.qml")}
    assert files == {layer.qml for layer in CATALOGUE}


@pytest.mark.parametrize("layer", CATALOGUE, ids=lambda layer: layer.id)
def test_qml_loads_valid_and_is_clean(layer: catalogue.LayerDef, qgis_new_project) -> None:
    path = LAYERS_DIR / layer.qml
    text = path.read_text(encoding="utf-8")
    for pattern in FORBIDDEN:
        assert not pattern.search(text), f"{layer.qml}: {pattern.pattern}"
    fields = (
        f"field={layer.style_property}:string"
        if layer.style_kind == "categorized"
        else (f"field={layer.style_property}:double")
    )
    memory = QgsVectorLayer(
        f"{MEMORY_GEOMETRY[layer.geometry]}?crs=EPSG:4326&{fields}", layer.id, "memory"
    )
    assert memory.isValid()
    message, ok = memory.loadNamedStyle(str(path))
    assert ok, message
    renderer = memory.renderer()
    assert renderer.type() in ("categorizedSymbol", "graduatedSymbol")
    assert renderer.classAttribute() == layer.style_property
    labels = (
        [c.label() for c in renderer.categories()]
        if renderer.type() == "categorizedSymbol"
        else [r.label() for r in renderer.ranges()]
    )
    assert labels == [cls.label for cls in layer.style_classes]


@pytest.mark.parametrize("layer", CATALOGUE, ids=lambda layer: layer.id)
def test_catalogue_definition_is_clean(layer: catalogue.LayerDef) -> None:
    for url in (layer.tiles, layer.geojson, layer.qml):
        if url is None:
            continue
        assert "://" not in url and "@" not in url, url
        assert not url.startswith("/") or url.startswith("/api/v1/"), url
