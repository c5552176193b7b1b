"""Network work in QgsTask: run() in a worker thread touches no widget and no project; each task
hands its result to a callback in finished(), on the main thread."""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qgis.core import QgsTask

from padron_sig.core import api, catalogue, inspect
from padron_sig.core.errors import Failure, Kind
from padron_sig.i18n import LOGGER, tr
from padron_sig.network import RequestFailed, get, post_form


class ApiTask(QgsTask):
    """A task with one outcome: ``result`` or ``failure``; ``on_done(task)`` on the main thread."""

    def __init__(self, description: str, server: str, on_done: Callable[[ApiTask], None]) -> None:
        super().__init__(description, QgsTask.CanCancel)
        self.server = server
        self.on_done = on_done
        self.result: Any = None
        self.failure: Failure | None = None

    def run(self) -> bool:
        try:
            self.result = self.work()
            return True
        except RequestFailed as exc:
            self.failure = exc.failure
        except ValueError:  # JSON or catalogue that is not the API's
            LOGGER.warning(traceback.format_exc())
            self.failure = Failure(Kind.BAD_ANSWER, server=self.server)
        except Exception:
            LOGGER.error(traceback.format_exc())
            self.failure = Failure(Kind.BAD_ANSWER, server=self.server)
        return False

    def work(self) -> Any:
        raise NotImplementedError

    def finished(self, result: bool) -> None:
        if self.isCanceled() and self.failure is None and self.result is None:
            self.failure = Failure(Kind.CANCELLED, server=self.server)
        self.on_done(self)


class LoginTask(ApiTask):
    def __init__(self, server: str, username: str, password: str, on_done: Callable) -> None:
        super().__init__(tr("Conectando con Padrón SIG"), server, on_done)
        self.username = username
        self._password = password

    def work(self) -> str:
        body = api.token_request_body(self.username, self._password)
        self._password = ""
        answer = post_form(
            api.api_url(self.server, api.TOKEN_PATH), body, self.server, login=True, feedback=None
        )
        return api.parse_token(answer)


class LoadLayersTask(ApiTask):
    """Catalogue, and for the GeoJSON layers their style and the features of the extent,
    written to ``folder`` (the vector tile layers fetch their tiles as QGIS draws them). Result:
    list of (LayerDef, qml path or None, geojson path or None, truncated) in drawing order."""

    def __init__(self, server: str, bbox: str | None, folder: Path, on_done: Callable) -> None:
        super().__init__(tr("Cargando capas de Padrón SIG"), server, on_done)
        self.bbox = bbox
        self.folder = folder

    def work(self) -> list[tuple[Any, Path | None, Path | None, bool]]:
        data = json.loads(get(api.api_url(self.server, api.CATALOGUE_PATH), self.server))
        layers = catalogue.drawing_order(catalogue.parse_catalogue(data))
        result = []
        for index, layer in enumerate(layers):
            if self.isCanceled():
                raise RequestFailed(Failure(Kind.CANCELLED, server=self.server))
            qml_path = None
            if layer.qml and layer.loads_as_geojson:  # tile layers: styled from the catalogue
                qml = get(api.api_url(self.server, f"layers/{layer.id}/style.qml"), self.server)
                qml_path = self.folder / f"{layer.id}.qml"
                qml_path.write_bytes(qml)
            geojson_path, truncated = None, False
            if layer.loads_as_geojson:
                geojson_path, truncated = self._fetch_features(layer)
            result.append((layer, qml_path, geojson_path, truncated))
            self.setProgress(100 * (index + 1) / len(layers))
        return result

    def _fetch_features(self, layer: catalogue.LayerDef) -> tuple[Path, bool]:
        url: str | None = api.features_url(self.server, layer.geojson or "", self.bbox)
        pages, count = [], 0
        while url and count < api.MAX_FEATURES and not self.isCanceled():
            page = api.parse_feature_page(get(url, self.server))
            pages.append(page)
            count += len(page.features)
            url = page.next_url
        path = self.folder / f"{layer.id}.geojson"
        path.write_text(json.dumps(api.merge_pages(pages)), encoding="utf-8")
        return path, bool(url)


class InspectTask(ApiTask):
    """The parcel under a clicked point (lon/lat) and its accounts and meters (``parcel=``
    filter of the API). Result: {"parcel": feature or None, "accounts": [...], "meters": [...]}."""

    # Half-side of the search box around the click, in degrees (about 1 m).
    SEARCH = 0.00001

    def __init__(self, server: str, lon: float, lat: float, on_done: Callable) -> None:
        super().__init__(tr("Consultando el predio"), server, on_done)
        self.lon = lon
        self.lat = lat

    def _all(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        url: str | None = api.api_url(self.server, path, {**params, "limit": 1000})
        features: list[dict[str, Any]] = []
        while url and len(features) < api.MAX_FEATURES and not self.isCanceled():
            page = api.parse_feature_page(get(url, self.server))
            features.extend(page.features)
            url = page.next_url
        return features

    def work(self) -> dict[str, Any]:
        d = self.SEARCH
        bbox = api.format_bbox(self.lon - d, self.lat - d, self.lon + d, self.lat + d)
        candidates = self._all("parcels/", {"bbox": bbox})
        parcel = inspect.parcel_at(candidates, self.lon, self.lat)
        if parcel is None:
            return {"parcel": None, "accounts": [], "meters": []}
        pid = parcel.get("id")
        return {
            "parcel": parcel,
            "accounts": self._all("accounts/", {"parcel": pid}),
            "meters": self._all("meters/", {"parcel": pid}),
        }
