"""Translation, logging, settings and .ui loading for the plugin, on qgis-plugin-tools.

The installed plugin carries its own copy of qgis-plugin-tools (``padron_sig/qgis_plugin_tools``,
put into the zip by ``build_zip.py``), so the user's QGIS needs no pip install; running from the
source tree (the tests), the same pinned version comes from ``.venv-qgis``.

Every user string goes through ``tr()`` (context ``@default``, qgis-plugin-tools' default) with
keyword placeholders only — ``tr("Conectado como {user}.", user=name)`` — so that pylupdate5
collects it; ``qgis_plugin/translations.py`` writes the ``.ts`` and ``.qm`` files."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qgis.PyQt.QtCore import QCoreApplication, QTranslator

if (Path(__file__).parent / "qgis_plugin_tools").is_dir():  # bundled in the zip
    from .qgis_plugin_tools.tools import custom_logging, resources, settings
    from .qgis_plugin_tools.tools import i18n as qpt_i18n
else:  # source tree: the pinned package of .venv-qgis
    from qgis_plugin_tools.tools import custom_logging, resources, settings  # type: ignore
    from qgis_plugin_tools.tools import i18n as qpt_i18n  # type: ignore

PLUGIN_NAME = "Padrón SIG"
LOGGER_NAME = "padron_sig"
LOGGER = logging.getLogger(LOGGER_NAME)
I18N_DIR = Path(__file__).parent / "resources" / "i18n"

get_setting = settings.get_setting
set_setting = settings.set_setting
load_ui = resources.load_ui


CONTEXT = "@default"  # qgis-plugin-tools' tr() context, the one pylupdate5 gives tr("…")


def tr(text: str, **values: Any) -> str:
    """The user string in the QGIS language (Spanish sources), ``{name}`` placeholders filled."""
    return qpt_i18n.tr(text, context=CONTEXT, **values)


def translate(text: str) -> str:
    """The translation of a template, placeholders left for the caller (the core's functions
    take this as their ``translate`` argument)."""
    return QCoreApplication.translate(CONTEXT, text)


def install_translator() -> QTranslator | None:
    """Loads and installs ``resources/i18n/<locale>.qm`` for the QGIS user locale (found by
    qgis-plugin-tools' ``setup_translation``); None when there is none (Spanish: the sources)."""
    _locale, path = qpt_i18n.setup_translation(folder=str(I18N_DIR))
    if not path:
        return None
    translator = QTranslator()
    if not translator.load(path):
        LOGGER.warning("No se pudo cargar la traducción %s", path)
        return None
    QCoreApplication.installTranslator(translator)
    return translator


def remove_translator(translator: QTranslator | None) -> None:
    if translator is not None:
        QCoreApplication.removeTranslator(translator)


def setup_logging(message_bar: Any = None) -> Callable[[], None]:
    """The plugin's logger to the QGIS message log (tab «Padrón SIG»), a log file in the profile
    and the console, by qgis-plugin-tools; returns the teardown for ``unload()``."""
    return custom_logging.setup_loggers(
        LOGGER_NAME, message_log_name=PLUGIN_NAME, message_bar=message_bar
    )
