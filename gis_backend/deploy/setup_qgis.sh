#!/usr/bin/env bash
# Environment of the QGIS plugin tests (tests/plugin), apart from the backend's .venv:
#   1. Debian's QGIS and PyQGIS (qgis, python3-qgis), installed only when missing;
#   2. the virtualenv .venv-qgis on Debian's /usr/bin/python3 — PyQGIS binds only to it — with
#      --system-site-packages so that `import qgis` works, and the pinned test tools.
# Safe to run again: does nothing when everything is in place. Never load pytest-qgis in the
# backend's pytest run; the plugin tests run with .venv-qgis/bin/pytest tests/plugin.
set -euo pipefail
cd "$(dirname "$0")/../.."

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "Se necesita root o sudo para instalar paquetes del sistema: $*" >&2; exit 1; fi
}
missing_packages() {
  local p out=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || out+=("$p")
  done
  echo "${out[@]:-}"
}

# --- 1. QGIS + PyQGIS (Debian 12: QGIS 3.22 LTR, Python 3.11) -----------------------------
NEED=$(missing_packages qgis python3-qgis python3-venv)
if [ -n "$NEED" ]; then
  log "Instalando QGIS para las pruebas del complemento: $NEED (unos 270 MB)"
  as_root apt-get update -qq
  # shellcheck disable=SC2086
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $NEED >/dev/null
fi

# --- 2. .venv-qgis -------------------------------------------------------------------------
# Pinned versions, tested together with QGIS 3.22.16 on Python 3.11.2. qgis-plugin-tools:
# newer releases declare Python >= 3.12, so pip on 3.11 would pick an older one silently.
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
