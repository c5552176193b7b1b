"""The web map page in headless Chromium (Playwright + Debian's chromium): it logs in, draws the
catalogue's layers from the API's tiles and GeoJSON, shows legend and totals, and filters.

Needs ``playwright`` (PyPI) and Debian's ``chromium``; skipped where either is missing."""

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.db import connections

from gis_backend.maps import summaries
from tests.backend.api_factories import build_town

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def browser_page(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # meanwhile are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # Earlier transactional tests may have left summaries of their own data.
    monkeypatch.setattr(summaries, "MIN_AGE_SECONDS", 0.0)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            # WebGL through SwiftShader: there is no GPU here.
            args=["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--no-sandbox"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="es-MX")
        page.set_default_timeout(30_000)
        page.live_server_url = live_server.url
        page.console_errors = []
        page.requests = []
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        page.on("request", lambda request: page.requests.append(request.url))
        yield page
        browser.close()
        # Code run while Playwright's sync API is active gets database connections of its own
        # (asgiref's thread-locals follow the greenlet's context): close them, or they keep the
        # test database from being dropped.
        connections.close_all()


def log_in(page: Any, role: str) -> None:
    user = User.objects.create_user(role, password="clave-1")
    user.groups.add(Group.objects.get_or_create(name=role)[0])  # flushed by earlier tests
    page.goto(f"{page.live_server_url}/mapa/")
    assert "/mapa/entrar/" in page.url  # anonymous: to the login form
    page.fill("#id_username", role)
    page.fill("#id_password", "clave-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{page.live_server_url}/mapa/**")
    page.wait_for_function("window.mapReady === true")


def rendered(page: Any, layer: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = page.evaluate(
        """(layer) => window.padronMap.queryRenderedFeatures({layers: [layer]})
                        .map((f) => ({id: f.id, properties: f.properties}))""",
        layer,
    )
    return result


def go_to(page: Any, zoom: float) -> None:
    """Centre the map on the test town's parcels at this zoom and wait for the tiles."""
    page.evaluate(
        """(zoom) => { window.mapReady = false;
                       window.padronMap.jumpTo({center: [-100.958085, 20.480086], zoom});
                       window.padronMap.once('idle', () => { window.mapReady = true; }); }""",
        zoom,
    )
    page.wait_for_function("window.mapReady === true")


def test_web_map_draws_layers_legend_and_totals(browser_page: Any) -> None:
    page = browser_page
    build_town()
    log_in(page, "supervisor")

    legend = page.inner_text("#legend")
    expected = [
        "Predios por estatus y adeudo",
        "Sin cuenta",
        "Adeudo de más de 180 días",
        "Adeudo por tramo de calle",
        "Adeudo por colonia",
        "Corte / suspensión",
    ]
    for text in expected:
        assert text in legend
    page.wait_for_selector("#totals table")
    totals = page.inner_text("#totals")
    assert "Cuentas\t7" in totals
    assert "$9,300.50" in totals

    # Town scale: colonias choropleth and segments with arrears, no parcels yet.
    go_to(page, 14)
    assert {f["properties"]["name"] for f in rendered(page, "colonias-fill")} == {
        "Zona Centro",
        "Las Fuentes",
    }
    assert rendered(page, "segments-line")
    assert rendered(page, "parcels-fill") == []

    # Close zoom: parcels by status and accounts.
    go_to(page, 17)
    classes = {f["properties"]["map_class"] for f in rendered(page, "parcels-fill")}
    assert {"sin_cuenta", "suspendido", "restringido", "31_90"} <= classes
    numbers = {f["properties"]["number"] for f in rendered(page, "accounts-circle")}
    assert numbers == {"A1", "A2", "A3", "A4", "A5", "A7"}
    assert rendered(page, "suspensions-circle")

    # Filter: only suspended accounts.
    for status in ("activo", "restringido", "baja_temporal", "baja_definitiva"):
        page.uncheck(f"#filter-status input[value={status}]")
    # Redrawing takes a moment on a busy machine: wait for it rather than for a fixed time.
    page.wait_for_function(
        """() => {
            const shown = window.padronMap.queryRenderedFeatures({layers: ['accounts-circle']})
                .map((f) => f.properties.number);
            return shown.length === 1 && shown[0] === 'A3';
        }"""
    )
    assert {f["properties"]["number"] for f in rendered(page, "accounts-circle")} == {"A3"}

    # Everything came from this server: no CDN, no outside tiles.
    assert all(url.startswith(page.live_server_url) or url.startswith(("blob:", "data:"))
               for url in page.requests), page.requests  # fmt: skip
    assert any("/api/v1/tiles/parcels/" in url for url in page.requests)
    assert page.console_errors == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "web_map.png"))


def test_period_filter_reloads_suspensions_and_totals(browser_page: Any) -> None:
    page = browser_page
    build_town()
    log_in(page, "jefe")
    go_to(page, 17)
    assert len(rendered(page, "suspensions-circle")) >= 1
    page.fill("#date-from", "2020-01-01")
    page.dispatch_event("#date-from", "change")
    page.wait_for_function(
        "document.querySelector('#totals').innerText.includes('Reconexiones\\t1')"
    )
    page.fill("#date-to", "2019-01-01")
    page.dispatch_event("#date-to", "change")
    assert "anterior a la inicial" in page.inner_text("#filter-error")
    assert page.console_errors == []
