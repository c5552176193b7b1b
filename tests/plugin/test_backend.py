"""The plugin against a live Padrón SIG server (real Django, real PostGIS, real HTTP)."""

from __future__ import annotations

from typing import Any

import pytest
from backend_server import PASSWORD, Backend, free_port
from padron_sig import connection as conn
from padron_sig import layers as layer_builder
from padron_sig.core import catalogue, inspect
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsAuthMethodConfig,
    QgsProject,
    QgsSettings,
    QgsVectorLayer,
    QgsVectorTileLayer,
)
from qgis.PyQt.QtCore import QPoint, Qt
from qgis.PyQt.QtTest import QTest

pytestmark = pytest.mark.backend
TIMEOUT_MS = 60_000


def connect(plugin, qtbot, server: str, username: str, password: str):
    plugin.show_connect()
    dialog = plugin.dialog
    dialog.server_edit.setText(server)
    dialog.username_edit.setText(username)
    dialog.password_edit.setText(password)
    QTest.mouseClick(dialog.connect_button, Qt.LeftButton)
    qtbot.waitUntil(
        lambda: dialog.task is None and dialog.connect_button.isEnabled(), timeout=TIMEOUT_MS
    )
    return dialog


def warnings(iface) -> list[str]:
    bar = iface.messageBar()
    return [str(m) for level in (Qgis.Warning, Qgis.Critical) for m in bar.get_messages(level)]


def test_connect_stores_token_in_auth_database(plugin, qtbot, backend: Backend) -> None:
    dialog = connect(plugin, qtbot, backend.url + "/", "jefe", PASSWORD)
    assert dialog.connected, dialog.status_label.text()
    assert dialog.status_label.text() == f"Conectado como jefe a {backend.url}."
    token = backend.token("jefe")
    settings = QgsSettings()
    authcfg = settings.value(conn.KEY_AUTHCFG, "", type=str)
    config = QgsAuthMethodConfig()
    assert QgsApplication.authManager().loadAuthenticationConfig(authcfg, config, True)
    assert config.config("token") == token
    for key in settings.allKeys():  # the token is nowhere in plain settings
        assert token not in str(settings.value(key)), key
    assert dialog.password_edit.text() == ""


def test_connect_reports_wrong_password(plugin, qtbot, backend: Backend) -> None:
    dialog = connect(plugin, qtbot, backend.url, "jefe", "no-es-la-contraseña")
    assert not dialog.connected
    assert dialog.status_label.text() == "Usuario o contraseña incorrectos."


def test_connect_reports_unreachable_server(plugin, qtbot) -> None:
    server = f"http://127.0.0.1:{free_port()}"
    dialog = connect(plugin, qtbot, server, "jefe", PASSWORD)
    assert not dialog.connected
    assert dialog.status_label.text().startswith(f"No se pudo conectar con {server}.")


def test_expired_token_gives_a_clear_message(plugin, qtbot, backend: Backend, qgis_iface) -> None:
    plugin.connection.set_session(conn.Session(backend.url, "jefe", "0" * 40))
    task = plugin.load_layers()
    qtbot.waitUntil(lambda: task not in plugin.tasks, timeout=TIMEOUT_MS)
    assert any("La sesión expiró" in m for m in warnings(qgis_iface)), warnings(qgis_iface)


def load(plugin, qtbot, backend: Backend, username: str) -> dict[str, Any]:
    dialog = connect(plugin, qtbot, backend.url, username, PASSWORD)
    assert dialog.connected, dialog.status_label.text()
    task = plugin.load_layers()
    assert task is not None
    qtbot.waitUntil(lambda: task not in plugin.tasks, timeout=TIMEOUT_MS)
    assert task.failure is None, task.failure
    group = QgsProject.instance().layerTreeRoot().findGroup(layer_builder.GROUP_NAME)
    assert group is not None
    return {
        node.layer().customProperty(layer_builder.LAYER_ID_PROPERTY): node.layer()
        for node in group.findLayers()
    }


def test_every_catalogue_layer_loads_valid_with_style(
    plugin, qtbot, backend: Backend, qgis_iface
) -> None:
    loaded = load(plugin, qtbot, backend, "jefe")
    expected = catalogue.drawing_order(
        catalogue.parse_catalogue(backend.get_json("/api/v1/layers/"))
    )
    group = QgsProject.instance().layerTreeRoot().findGroup(layer_builder.GROUP_NAME)
    assert [
        n.layer().customProperty(layer_builder.LAYER_ID_PROPERTY) for n in group.findLayers()
    ] == [layer.id for layer in expected]
    assert warnings(qgis_iface) == []
    for layer in expected:
        map_layer = loaded[layer.id]
        assert map_layer.isValid(), layer.id
        assert map_layer.name() == layer.title
        if isinstance(map_layer, QgsVectorLayer):
            assert layer.loads_as_geojson
            assert map_layer.featureCount() > 0, layer.id
            renderer = map_layer.renderer()
            assert renderer.classAttribute() == layer.style_property, layer.id
            assert map_layer.fields().indexOf(layer.style_property) >= 0, layer.id
        else:  # tiles only, or GeoJSON without the style's property (segments)
            assert isinstance(map_layer, QgsVectorTileLayer)
            styles = map_layer.renderer().styles()
            assert [s.styleName() for s in styles] == [c.label for c in layer.style_classes]
            assert f"/api/v1/tiles/{layer.id}/" in map_layer.source()


def parcel_with_accounts(parcels: QgsVectorLayer, backend: Backend) -> tuple[Any, list[dict]]:
    accounts = backend.get_json("/api/v1/accounts/?limit=10000")["features"]
    by_parcel: dict[int, list[dict]] = {}
    for feature in accounts:
        pid = feature["properties"].get("parcel_id")
        if pid is not None:
            by_parcel.setdefault(pid, []).append(feature)
    best = max(by_parcel, key=lambda pid: len(by_parcel[pid]))
    for feature in parcels.getFeatures():
        if feature["id"] == best:
            return feature, by_parcel[best]
    raise AssertionError("parcel not in the layer")


def click_parcel(plugin, qtbot, qgis_iface, feature) -> None:
    canvas = qgis_iface.mapCanvas()
    window = canvas.window()
    window.resize(900, 700)
    window.show()
    parcels = plugin.parcels_layer()
    canvas.setDestinationCrs(parcels.crs())
    extent = feature.geometry().boundingBox()
    extent.scale(3)
    canvas.setExtent(extent)
    canvas.refresh()
    point = feature.geometry().pointOnSurface().asPoint()
    pixel = canvas.getCoordinateTransform().transform(point)
    plugin.inspect_action.trigger()
    assert canvas.mapTool() is plugin.tool
    plugin.dock.setFloating(True)
    QTest.mouseClick(
        canvas.viewport(), Qt.LeftButton, Qt.NoModifier, QPoint(int(pixel.x()), int(pixel.y()))
    )
    qtbot.waitUntil(
        lambda: not plugin.tasks and plugin.dock.accounts_table.rowCount() > 0, timeout=TIMEOUT_MS
    )


@pytest.mark.parametrize("username", ["jefe", "supervisor"])
def test_click_on_parcel_shows_its_accounts(
    plugin, qtbot, backend: Backend, qgis_iface, username: str
) -> None:
    load(plugin, qtbot, backend, username)
    feature, expected = parcel_with_accounts(plugin.parcels_layer(), backend)
    click_parcel(plugin, qtbot, qgis_iface, feature)
    dock = plugin.dock
    assert dock.isVisible()
    assert str(feature["cadastral_key"]) in dock.parcel_label.text()
    rows = dock.cell_texts(dock.accounts_table)
    assert sorted(r[0] for r in rows) == sorted(f["properties"]["number"] for f in expected)
    holders = [r[1] for r in rows]
    names = {f["properties"]["number"]: f["properties"]["holder_name"] for f in expected}
    if username == "supervisor":
        assert holders == [inspect.MASK] * len(rows)
    else:
        assert inspect.MASK not in holders
        assert [r[1] for r in rows] == [names[r[0]] or inspect.MISSING for r in rows]
        assert any(h != inspect.MISSING for h in holders)
    assert dock.status_label.text().startswith(f"{len(rows)} cuentas")
