"""The Processing provider, headless through processing.run, against the live backend."""

from __future__ import annotations

from pathlib import Path

import pytest
from backend_server import PASSWORD, Backend
from qgis.core import (
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsRectangle,
    QgsVectorLayer,
)
from test_backend import connect

pytestmark = pytest.mark.backend
ALGORITHM = "padron_sig:descargar_cuentas"


@pytest.fixture(scope="module")
def processing_ready(qgis_app):
    from processing.core.Processing import Processing

    Processing.initialize()


def run(output: Path, **parameters) -> tuple[dict, QgsVectorLayer]:
    import processing

    result = processing.run(ALGORITHM, {**parameters, "OUTPUT": str(output)})
    layer = QgsVectorLayer(result["OUTPUT"], "cuentas", "ogr")
    assert layer.isValid()
    return result, layer


@pytest.mark.parametrize("username", ["jefe", "supervisor"])
def test_download_accounts_to_a_geopackage(
    plugin, qtbot, backend: Backend, processing_ready, tmp_path: Path, username: str
) -> None:
    assert connect(plugin, qtbot, backend.url, username, PASSWORD).connected
    result, layer = run(tmp_path / "cuentas.gpkg")
    api = backend.get_json("/api/v1/accounts/?limit=10000", username)["features"]
    assert result["COUNT"] == len(api) == layer.featureCount() > 0
    names = layer.fields().names()
    for field in ("number", "status", "balance", "parcel_id", "parcel_score", "holder_name"):
        assert field in names, field
    by_number = {f["number"]: f for f in layer.getFeatures()}
    assert set(by_number) == {f["properties"]["number"] for f in api}
    sample = api[0]["properties"]
    assert by_number[sample["number"]]["status"] == sample["status"]
    holders = [f["holder_name"] for f in layer.getFeatures()]
    if username == "supervisor":  # masked by the server, as in the dock
        assert all(h is None or h == "" or str(h) == "NULL" for h in holders)
    else:
        assert any(h and str(h) != "NULL" for h in holders)


def test_download_accounts_of_an_extent_and_status(
    plugin, qtbot, backend: Backend, processing_ready, tmp_path: Path
) -> None:
    assert connect(plugin, qtbot, backend.url, "jefe", PASSWORD).connected
    everything = backend.get_json("/api/v1/accounts/?limit=10000")["features"]
    lons = sorted(f["geometry"]["coordinates"][0] for f in everything)
    lats = sorted(f["geometry"]["coordinates"][1] for f in everything)
    # the western half of the town
    west, east = lons[0] - 1e-5, lons[len(lons) // 2]
    south, north = lats[0] - 1e-5, lats[-1] + 1e-5
    extent = f"{west},{east},{south},{north} [EPSG:4326]"
    _, layer = run(tmp_path / "oeste.gpkg", EXTENT=extent, STATUS=[0])  # 0: activo
    bbox = f"{west:.6f},{south:.6f},{east:.6f},{north:.6f}"
    expected = backend.get_json(f"/api/v1/accounts/?limit=10000&status=activo&bbox={bbox}")
    numbers = sorted(f["number"] for f in layer.getFeatures())
    assert numbers == sorted(f["properties"]["number"] for f in expected["features"])
    assert 0 < len(numbers) < len(everything)
    assert layer.extent().intersects(QgsRectangle(west, south, east, north))


class Feedback(QgsProcessingFeedback):
    """What the Processing dialog's log would show."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[str] = []

    def reportError(self, error: str, fatalError: bool = False) -> None:
        self.errors.append(error)


def test_download_without_session_says_to_connect(
    plugin, processing_ready, tmp_path: Path, monkeypatch
) -> None:
    import processing

    plugin.connection.set_session(None)
    monkeypatch.setattr(plugin.connection, "restore", lambda: None)
    feedback = Feedback()
    with pytest.raises(QgsProcessingException):
        processing.run(ALGORITHM, {"OUTPUT": str(tmp_path / "x.gpkg")}, feedback=feedback)
    assert any("No hay sesión con el servidor. Use «Conectar»" in e for e in feedback.errors)
    assert not (tmp_path / "x.gpkg").exists()
