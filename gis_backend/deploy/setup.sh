#!/usr/bin/env bash
# Brings a fresh Debian 12 / Ubuntu machine to a working Padrón SIG installation:
#   1. Debian packages that are missing (PostgreSQL + PostGIS, GDAL/GEOS/PROJ, python3-venv);
#   2. the virtualenv .venv with the pinned Python dependencies;
#   3. a PostGIS database, chosen in this order:
#        DATABASE_URL when set;
#        else a PostgreSQL already listening on 127.0.0.1:5432 (database "padron");
#        else a private cluster initialised under .pgdata/ (git-ignored), on PADRON_PG_PORT (5433).
# Writes var/env (export DATABASE_URL=…) for the Makefile's later steps. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
mkdir -p var

# shellcheck source=gis_backend/deploy/lib.sh
source gis_backend/deploy/lib.sh
pg_answers() { # host port
  pg_isready -q -h "$1" -p "$2" 2>/dev/null
}

# --- 1. system packages ------------------------------------------------------------------
apt_install gdal-bin python3-venv postgresql-client ca-certificates
# Headless Chromium for the web map's browser test (driven by Playwright, no browser download).
apt_install chromium
if [ -z "${DATABASE_URL:-}" ] && pg_answers 127.0.0.1 5432; then
  PG_MAJOR=$(psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -Atc 'SHOW server_version_num' | cut -c1-2)
else
  apt_install postgresql
  PG_MAJOR=$(ls /usr/lib/postgresql | sort -n | tail -1)
fi
# PostGIS for the server that will hold the data (a remote DATABASE_URL brings its own).
if [ -z "${DATABASE_URL:-}" ]; then
  apt_install "postgresql-${PG_MAJOR}-postgis-3"
fi

# --- 2. virtualenv --------------------------------------------------------------------------
PY=${PYTHON:-python3}
STAMP=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$STAMP" ]; then
  log "Creando el entorno virtual .venv con las dependencias fijadas"
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/pip install -q --upgrade 'pip==25.3'
  .venv/bin/pip install -q -e '.[dev]'
  rm -f .venv/.installed-*
  touch "$STAMP"
fi

# --- 3. database ----------------------------------------------------------------------------
if [ -n "${DATABASE_URL:-}" ]; then
  URL=$DATABASE_URL
elif pg_answers 127.0.0.1 5432 && psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  psql -h 127.0.0.1 -U postgres -d postgres -Atc "select 1 from pg_database where datname='padron'" | grep -q 1 \
    || psql -q -h 127.0.0.1 -U postgres -d postgres -c 'CREATE DATABASE padron'
  URL=postgis://postgres@127.0.0.1:5432/padron
else
  PORT=${PADRON_PG_PORT:-5433}
  DATA=$ROOT/.pgdata
  BIN=/usr/lib/postgresql/$PG_MAJOR/bin
  RUNAS=()
  if [ "$(id -u)" -eq 0 ]; then RUNAS=(runuser -u postgres --); fi
  if [ ! -f "$DATA/PG_VERSION" ]; then
    log "Inicializando un clúster privado de PostgreSQL en .pgdata/ (puerto $PORT)"
    mkdir -p "$DATA"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DATA"
    "${RUNAS[@]}" "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! pg_answers 127.0.0.1 "$PORT"; then
    log "Arrancando el clúster privado (.pgdata/, puerto $PORT)"
    "${RUNAS[@]}" "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
      -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1" start >/dev/null
  fi
  psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -Atc "select 1 from pg_database where datname='padron'" | grep -q 1 \
    || psql -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c 'CREATE DATABASE padron'
  URL=postgis://postgres@127.0.0.1:$PORT/padron
fi
printf 'export DATABASE_URL=%q\n' "$URL" > var/env
log "Base de datos: $(printf '%s' "$URL" | sed -E 's#//([^:@/]+):[^@]*@#//\1:***@#')"
