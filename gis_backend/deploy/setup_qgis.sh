#!/usr/bin/env bash
# Environment of the QGIS plugin tests (tests/plugin), apart from the backend's .venv:
#   1. Debian's QGIS and PyQGIS (qgis, python3-qgis) and the Qt translation tools pylupdate5
#      (pyqt5-dev-tools) and lrelease (qttools5-dev-tools), installed only when missing;
#   2. the virtualenv .venv-qgis on Debian's /usr/bin/python3 — PyQGIS binds only to it — with
#      --system-site-packages so that `import qgis` works, and the pinned test tools.
# Safe to run again: does nothing when everything is in place. Never load pytest-qgis in the
# backend's pytest run; the plugin tests run with .venv-qgis/bin/pytest tests/plugin.
set -euo pipefail
cd "$(dirname "$0")/../.."

# shellcheck source=gis_backend/deploy/lib.sh
source gis_backend/deploy/lib.sh

# --- 1. QGIS + PyQGIS (Debian 12: QGIS 3.22 LTR, Python 3.11; about 270 MB) ----------------
# pylupdate5 and lrelease: qgis_plugin/translations.py and tests/plugin/test_translations.py
# (the .qm files are committed, so `make plugin` itself needs neither).
apt_install qgis python3-qgis python3-venv pyqt5-dev-tools qttools5-dev-tools

# --- 2. .venv-qgis -------------------------------------------------------------------------
# Pinned versions, tested together with QGIS 3.22.16 on Python 3.11.2. qgis-plugin-tools:
# newer releases declare Python >= 3.12, so pip on 3.11 would pick an older one silently; the
# plugin bundles this same version into its zip (PLUGIN_TOOLS_VERSION in qgis_plugin/build_zip.py,
# checked by tests/plugin/test_zip.py).
REQS=(
  "pytest==8.4.2"
  "pytest-qt==4.5.0"
  "pytest-qgis==5.0.2"
  "qgis-plugin-tools==1.1.1"
  "PyYAML==6.0.3"
)
STAMP=.venv-qgis/.installed-$(printf '%s\n' "${REQS[@]}" | sha1sum | cut -c1-12)
if [ ! -f "$STAMP" ]; then
  log "Creando .venv-qgis (Python de Debian con PyQGIS) con las herramientas de prueba fijadas"
  [ -x .venv-qgis/bin/python ] || /usr/bin/python3 -m venv --system-site-packages .venv-qgis
  .venv-qgis/bin/pip install -q "${REQS[@]}" 2> >(grep -v "is ignored: it is neither" >&2)
  .venv-qgis/bin/python -c 'import qgis.core, pytest_qgis, qgis_plugin_tools' \
    || { echo "PyQGIS o las herramientas de prueba no se importan en .venv-qgis" >&2; exit 1; }
  rm -f .venv-qgis/.installed-*
  touch "$STAMP"
fi
log "Entorno de pruebas de QGIS listo: .venv-qgis ($(.venv-qgis/bin/python -c 'from qgis.core import Qgis; print(Qgis.QGIS_VERSION)'))"
