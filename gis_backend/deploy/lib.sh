# Shared helpers of the set-up scripts (sourced, not run).

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

APT_UPDATED=0
# apt_install PACKAGE…: install those of the Debian packages that are missing.
apt_install() {
  local need; need=$(missing_packages "$@")
  [ -z "$need" ] && return 0
  log "Instalando paquetes del sistema: $need"
  if [ "$APT_UPDATED" -eq 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  # shellcheck disable=SC2086
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
}
