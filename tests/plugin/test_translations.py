"""Translations: every user string of the plugin goes through tr(), is in the .ts files and is
translated there; the committed .qm files are what lrelease makes of them; and choosing English
in QGIS changes what the user reads."""

from __future__ import annotations

import ast
import shutil
import sys
from pathlib import Path

import pytest
from qgis.core import QgsSettings

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "qgis_plugin"))

import translations  # noqa: E402

LOCALE_KEY = "locale/userLocale"


def test_tr_calls_take_a_literal_and_keyword_values_only() -> None:
    """pylupdate5 reads tr("…") with a string literal; a second positional argument would be
    taken for a translator comment, a variable for nothing at all."""
    for path in translations.sources():
        if path.suffix != ".py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "tr":
                where = f"{path.name}:{node.lineno}"
                assert len(node.args) == 1, where
                assert isinstance(node.args[0], ast.Constant | ast.JoinedStr), where
                assert isinstance(node.args[0], ast.Constant), f"{where}: f-string in tr()"


@pytest.mark.parametrize("language", translations.LANGUAGES)
def test_ts_has_every_string_of_the_sources_translated(language: str, tmp_path: Path) -> None:
    committed = translations.ts_path(language)
    fresh = tmp_path / committed.name
    shutil.copy(committed, fresh)
    translations.update(fresh)  # what pylupdate5 finds in today's sources
    found = translations.messages(fresh)
    assert set(found) == set(translations.messages(committed)), (
        "python3 qgis_plugin/translations.py update"
    )
    untranslated = [source for (_, source), text in found.items() if not text]
    assert untranslated == []
    # placeholders survive translation
    for (_, source), text in found.items():
        assert sorted(_placeholders(source)) == sorted(_placeholders(text or "")), source


def _placeholders(text: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


@pytest.mark.parametrize("language", translations.LANGUAGES)
def test_committed_qm_is_the_compiled_ts(language: str, tmp_path: Path) -> None:
    qm = tmp_path / f"{language}.qm"
    translations.release(translations.ts_path(language), qm)
    assert qm.read_bytes() == translations.qm_path(language).read_bytes(), (
        "python3 qgis_plugin/translations.py release"
    )


@pytest.fixture
def english():
    QgsSettings().setValue(LOCALE_KEY, "en_US")
    yield
    QgsSettings().setValue(LOCALE_KEY, "es_MX")  # the tests' locale (conftest.py)


def test_english_locale_translates_what_the_user_reads(
    english, qgis_iface, qgis_new_project, auth_ready
) -> None:
    from padron_sig.core.errors import Failure, Kind, user_message
    from padron_sig.i18n import tr, translate
    from padron_sig.plugin import PadronSigPlugin

    plugin = PadronSigPlugin(qgis_iface)
    plugin.initGui()
    try:
        assert plugin.translator is not None
        assert [a.text() for a in plugin.actions] == ["Connect…", "Load layers", "Inspect parcel"]
        dock = plugin.dock
        assert dock.windowTitle() == "Parcel (Padrón SIG)"
        assert dock.headers(dock.accounts_table)[:3] == ["Account", "Holder", "Status"]
        plugin.show_connect()
        assert plugin.dialog.windowTitle() == "Connect to Padrón SIG"
        assert plugin.dialog.server_label.text() == "Server"
        assert plugin.dialog.connect_button.text() == "Connect"
        failure = Failure(Kind.UNREACHABLE, server="http://x:1")
        assert user_message(failure, translate).startswith("Could not connect to http://x:1.")
        assert tr("{count} capas cargadas.", count=3) == "3 layers loaded."
    finally:
        plugin.unload()
    # unloaded: the translator is gone with the plugin
    assert tr("Cargar capas") == "Cargar capas"


def test_spanish_is_the_source(qgis_iface, qgis_new_project, auth_ready) -> None:
    from padron_sig.plugin import PadronSigPlugin

    assert QgsSettings().value(LOCALE_KEY) == "es_MX"
    plugin = PadronSigPlugin(qgis_iface)
    plugin.initGui()
    try:
        assert plugin.translator is None  # no es.qm: the sources are Spanish
        assert plugin.dock.windowTitle() == "Predio (Padrón SIG)"
        assert plugin.actions[0].text() == "Conectar…"
    finally:
        plugin.unload()
