"""The plugin against a live Padrón SIG server (real Django, real PostGIS, real HTTP)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from backend_server import PASSWORD, Backend, free_port, slow_relay
from padron_sig import connection as conn
from padron_sig import layers as layer_builder
from padron_sig.core import catalogue, inspect
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsAuthMethodConfig,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFields,
    QgsJsonUtils,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsSettings,
    QgsVectorLayer,
    QgsVectorTileLayer,
)
from qgis.PyQt.QtCore import QPoint, QSize, Qt, QTimer
from qgis.PyQt.QtGui import QColor, QImage
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
    authcfg = plugin.connection.saved_authcfg()
    assert authcfg
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
        if layer.loads_as_geojson:
            assert isinstance(map_layer, QgsVectorLayer), layer.id
            assert map_layer.featureCount() > 0, layer.id
            renderer = map_layer.renderer()
            assert renderer.classAttribute() == layer.style_property, layer.id
            assert map_layer.fields().indexOf(layer.style_property) >= 0, layer.id
        else:  # the big layers: vector tiles of the API, styled from the catalogue
            assert isinstance(map_layer, QgsVectorTileLayer), layer.id
            styles = map_layer.renderer().styles()
            grid = layer.grid()
            labels = [c.label for c in layer.style_classes]
            labels += [c.label for c in grid.style_classes] if grid else []
            assert [s.styleName() for s in styles] == labels
            assert f"/api/v1/tiles/{layer.id}/" in map_layer.source()
            assert "authcfg" not in map_layer.source() and "Token" not in map_layer.source()


def render(layer, extent, crs) -> QImage:
    """The layer drawn as QGIS draws it (tiles fetched over HTTP through QGIS networking)."""
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(crs)
    settings.setExtent(extent)
    settings.setOutputSize(QSize(256, 256))
    settings.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    return job.renderedImage()


def coloured_pixels(image: QImage) -> int:
    white = QColor(255, 255, 255).rgb()
    return sum(
        1
        for x in range(0, image.width(), 4)
        for y in range(0, image.height(), 4)
        if image.pixel(x, y) != white
    )


def test_vector_tiles_are_drawn_with_the_token_and_not_without(
    plugin, qtbot, backend: Backend
) -> None:
    loaded = load(plugin, qtbot, backend, "jefe")
    parcels = loaded["parcels"]
    assert isinstance(parcels, QgsVectorTileLayer)
    feature = backend.get_json("/api/v1/parcels/?limit=1")["features"][0]
    lon, lat = feature["geometry"]["coordinates"][0][0][0]
    mercator = QgsCoordinateReferenceSystem("EPSG:3857")
    to_mercator = QgsCoordinateTransform(
        QgsCoordinateReferenceSystem("EPSG:4326"), mercator, QgsProject.instance()
    )
    centre = to_mercator.transform(QgsPointXY(lon, lat))
    extent = QgsRectangle(centre.x() - 150, centre.y() - 150, centre.x() + 150, centre.y() + 150)
    session = plugin.connection.session
    plugin.connection.set_session(None)  # no token: the API refuses the tiles, nothing drawn
    try:
        assert coloured_pixels(render(parcels.clone(), extent, mercator)) == 0
    finally:
        plugin.connection.set_session(session)
    # with it (added by the request preprocessor): the parcels, at zoom ~17
    assert coloured_pixels(render(parcels.clone(), extent, mercator)) > 20


def test_interface_keeps_responding_while_layers_load(plugin, qtbot, backend: Backend) -> None:
    # every answer comes 0.1 s late, so the load lasts seconds even on a fast machine
    with slow_relay(backend.url, delay=0.1) as server:
        dialog = connect(plugin, qtbot, server, "jefe", PASSWORD)
        assert dialog.connected
        ticks: list[float] = []
        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(lambda: ticks.append(time.monotonic()))
        timer.start()
        started = time.monotonic()
        task = plugin.load_layers()
        assert task is not None
        qtbot.waitUntil(lambda: task not in plugin.tasks, timeout=TIMEOUT_MS)
        timer.stop()
        elapsed = time.monotonic() - started
    assert task.failure is None
    assert elapsed > 0.5, elapsed
    # the event loop ran all along: the timer fired through the whole load, never held up long
    during = [t for t in ticks if t <= started + elapsed]
    assert len(during) >= elapsed / 0.05, (len(during), elapsed)
    gaps = [b - a for a, b in zip([started, *during], during, strict=False)]
    assert max(gaps) < 0.5, max(gaps)


def parcel_with_accounts(backend: Backend) -> tuple[dict, list[dict]]:
    accounts = backend.get_json("/api/v1/accounts/?limit=10000")["features"]
    by_parcel: dict[int, list[dict]] = {}
    for feature in accounts:
        pid = feature["properties"].get("parcel_id")
        if pid is not None:
            by_parcel.setdefault(pid, []).append(feature)
    best = max(by_parcel, key=lambda pid: len(by_parcel[pid]))
    parcels = backend.get_json("/api/v1/parcels/?limit=10000")["features"]
    parcel = next(f for f in parcels if f["id"] == best)
    return parcel, by_parcel[best]


def click_parcel(plugin, qtbot, qgis_iface, parcel: dict) -> None:
    canvas = qgis_iface.mapCanvas()
    window = canvas.window()
    window.resize(900, 700)
    window.show()
    [feature] = QgsJsonUtils.stringToFeatureList(json.dumps(parcel), QgsFields(), None)
    geometry = feature.geometry()
    crs = QgsCoordinateReferenceSystem("EPSG:3857")
    geometry.transform(
        QgsCoordinateTransform(
            QgsCoordinateReferenceSystem("EPSG:4326"), crs, QgsProject.instance()
        )
    )
    canvas.setDestinationCrs(crs)
    extent = geometry.boundingBox()
    extent.scale(3)
    canvas.setExtent(extent)
    canvas.refresh()
    point = geometry.pointOnSurface().asPoint()
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
    parcel, expected = parcel_with_accounts(backend)
    click_parcel(plugin, qtbot, qgis_iface, parcel)
    dock = plugin.dock
    assert dock.isVisible()
    assert str(parcel["properties"]["cadastral_key"]) in dock.parcel_label.text()
    assert dock.headers(dock.accounts_table) == list(inspect.ACCOUNT_HEADERS)
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
    # the link's score, as the API sends it, with two decimals (no placeholder)
    scores = {f["properties"]["number"]: f["properties"]["parcel_score"] for f in expected}
    assert [r[7] for r in rows] == [inspect.score_text(scores[r[0]]) for r in rows]
    assert any(r[7] != inspect.MISSING for r in rows)
    assert dock.status_label.text().startswith(f"{len(rows)} cuentas")


def test_click_outside_any_parcel_says_so(plugin, qtbot, backend: Backend) -> None:
    dialog = connect(plugin, qtbot, backend.url, "jefe", PASSWORD)
    assert dialog.connected
    task = plugin.inspect_point(-99.13, 19.43)  # Mexico City: no parcel of this town
    qtbot.waitUntil(lambda: task not in plugin.tasks, timeout=TIMEOUT_MS)
    assert plugin.dock.parcel_label.text() == "No hay un predio de Padrón SIG en ese punto."
    assert plugin.dock.accounts_table.rowCount() == 0


def test_a_later_click_wins_over_an_earlier_one(plugin, qtbot, backend: Backend) -> None:
    dialog = connect(plugin, qtbot, backend.url, "jefe", PASSWORD)
    assert dialog.connected
    parcel, expected = parcel_with_accounts(backend)
    [feature] = QgsJsonUtils.stringToFeatureList(json.dumps(parcel), QgsFields(), None)
    inside = feature.geometry().pointOnSurface().asPoint()
    lon, lat = inside.x(), inside.y()
    first = plugin.inspect_point(-99.13, 19.43)  # nowhere
    plugin.inspect_point(lon, lat)
    qtbot.waitUntil(lambda: not plugin.tasks, timeout=TIMEOUT_MS)
    assert first is not None and first is not plugin.inspect_task
    assert str(parcel["properties"]["cadastral_key"]) in plugin.dock.parcel_label.text()
    assert plugin.dock.accounts_table.rowCount() == len(expected)
