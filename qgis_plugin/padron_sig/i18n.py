"""tr() and logging for the plugin (qgis-plugin-tools when it is there, else plain Qt)."""

import contextlib
import logging

from qgis.core import Qgis, QgsMessageLog
from qgis.PyQt.QtCore import QCoreApplication

CONTEXT = "PadronSig"
PLUGIN_NAME = "Padrón SIG"


def tr(text: str, *args: object) -> str:
    """Translated user string (the sources are Spanish; .ts files may add other languages)."""
    translated = QCoreApplication.translate(CONTEXT, text)
    return translated.format(*args) if args else translated


class _MessageLogHandler(logging.Handler):
    LEVELS = {
        logging.DEBUG: Qgis.Info,
        logging.INFO: Qgis.Info,
        logging.WARNING: Qgis.Warning,
        logging.ERROR: Qgis.Critical,
        logging.CRITICAL: Qgis.Critical,
    }

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):  # logging must never raise
            QgsMessageLog.logMessage(
                self.format(record), PLUGIN_NAME, self.LEVELS.get(record.levelno, Qgis.Info)
            )


LOGGER = logging.getLogger("padron_sig")


def setup_logging() -> logging.Handler:
    handler = _MessageLogHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    return handler


def teardown_logging(handler: logging.Handler) -> None:
    LOGGER.removeHandler(handler)
