"""The layer catalogue (layers/catalogue.yaml): one description of each layer, read by the API,
the web map page and the QGIS plugin."""

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

CATALOGUE_PATH = Path(settings.PROJECT_DIR) / "layers" / "catalogue.yaml"


@dataclass(frozen=True)
class TileLayer:
    id: str
    minzoom: int
    maxzoom: int


@dataclass(frozen=True)
class Layer:
    id: str
    title: str
    description: str
    geometry: str
    source: dict[str, Any]
    minzoom: int
    maxzoom: int
    style: dict[str, Any]
    qml: str
    detail: dict[str, Any] | None = None
    detail_minzoom: int | None = None
    tile_layers: tuple[TileLayer, ...] = field(default_factory=tuple)

    @property
    def is_tiled(self) -> bool:
        return self.source.get("type") == "vector_tiles"


@cache
def load_catalogue(path: Path = CATALOGUE_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


@cache
def layers() -> dict[str, Layer]:
    result: dict[str, Layer] = {}
    for entry in load_catalogue()["layers"]:
        entry = dict(entry)
        tile_layers = tuple(TileLayer(**tile) for tile in entry.pop("tile_layers", []))
        result[entry["id"]] = Layer(tile_layers=tile_layers, **entry)
    return result


def tiled_layers() -> dict[str, Layer]:
    return {key: layer for key, layer in layers().items() if layer.is_tiled}
