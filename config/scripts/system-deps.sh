#!/usr/bin/env bash
# Install the Debian/Ubuntu packages wangge needs, only those missing.
# Uses sudo when not root. Safe to run again: with everything present it does nothing.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "错误 Error: not root and sudo is missing; install the packages listed in README as root." >&2
    exit 1
  fi
fi

have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# PostgreSQL major version: the one installed, else the distribution's default.
pg_version() {
  local v
  v=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1 || true)
  if [ -z "$v" ]; then
    v=$(apt-cache policy postgresql 2>/dev/null | awk '/Candidate:/ {print $2}' | sed -E 's/^([0-9]+).*/\1/')
  fi
  echo "$v"
}

need=()
for p in ca-certificates util-linux gdal-bin; do have "$p" || need+=("$p"); done
ls /usr/lib/*-linux-gnu/libgeos_c.so* >/dev/null 2>&1 || need+=(libgeos-c1v5)
# Python and Node.js may come from elsewhere (pyenv, NodeSource): check what runs, not packages.
python3 -c "import ensurepip, venv" >/dev/null 2>&1 || need+=(python3 python3-venv)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
# Browser tests drive Debian's Chromium headless; CJK fonts make Chinese text render.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
have fonts-noto-cjk || need+=(fonts-noto-cjk)
# PDF reports: WeasyPrint lays out with Pango; the suite checks pages with pdftoppm.
ls /usr/lib/*-linux-gnu/libpangoft2-1.0.so.0 >/dev/null 2>&1 || need+=(libpangoft2-1.0-0)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
# `make bench` times import_osm beside osm2pgsql on the same extract.
command -v osm2pgsql >/dev/null 2>&1 || need+=(osm2pgsql)
# Rate-limit and login-failure counters live in a private Redis under var/.
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
# The GIS-client tests open /ogcapi/ and /tiles/ in QGIS, headless, through its Python
# bindings (Debian's python3 runs them: they are not on PyPI).
have python3-qgis || need+=(python3-qgis)
have qgis-providers || need+=(qgis-providers)
# Django compiles the English translations with gettext's msgfmt.
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)

updated=0
update_once() { if [ $updated -eq 0 ]; then $SUDO apt-get update -q; updated=1; fi; }

PGV=$(pg_version)
if [ -z "$PGV" ]; then update_once; PGV=$(pg_version); fi
for p in "postgresql-$PGV" "postgresql-$PGV-postgis-3"; do have "$p" || need+=("$p"); done

# libgeos-c1v5 is named libgeos-c1t64 on newer Ubuntu; accept either.
if [[ " ${need[*]} " == *" libgeos-c1v5 "* ]] && have libgeos-c1t64; then
  need=("${need[@]/libgeos-c1v5}")
fi

missing=()
for p in "${need[@]}"; do [ -n "$p" ] && missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "系统软件包已就绪 System packages present (PostgreSQL $PGV + PostGIS 3, GDAL, Node.js, Chromium)."
  exit 0
fi
echo "安装系统软件包 Installing system packages: ${missing[*]}"
update_once
if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; then
  # Newer Ubuntu renamed the GEOS C library package.
  missing=("${missing[@]/libgeos-c1v5/libgeos-c1t64}")
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi
# Debian starts a system-wide cluster on install; wangge runs its own under var/ instead.
