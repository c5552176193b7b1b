"""Fixtures of the plugin tests: QGIS headless (pytest-qgis), the plugin, a live backend."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "qgis_plugin"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from backend_server import Backend, start_backend  # noqa: E402

MASTER_PASSWORD = "clave-maestra-de-prueba"


@pytest.fixture(scope="session")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    server = start_backend(tmp_path_factory.mktemp("backend"))
    yield server
    server.stop()


@pytest.fixture(scope="session", autouse=True)
def spanish_locale(qgis_app):
    """The QGIS user locale of the test profile: Mexican Spanish, whatever the machine's LANG
    (an English system would otherwise load the English translation)."""
    from qgis.core import QgsSettings

    QgsSettings().setValue("locale/userLocale", "es_MX")


@pytest.fixture(scope="session")
def auth_ready(qgis_app):
    """The test profile's auth database, unlocked with a master password (QGIS asks the user)."""
    from qgis.core import QgsApplication

    manager = QgsApplication.authManager()
    manager.setPasswordHelperEnabled(False)
    if not manager.masterPasswordIsSet():
        assert manager.setMasterPassword(MASTER_PASSWORD, True)
    return manager


@pytest.fixture
def plugin(qgis_iface, qgis_new_project, auth_ready):
    from padron_sig.plugin import PadronSigPlugin

    instance = PadronSigPlugin(qgis_iface)
    instance.initGui()
    qgis_iface.messageBar().clear_messages()
    yield instance
    instance.unload()
