#!/usr/bin/env bash
# Sets up a fresh machine: a virtualenv with Tergeu, and with --dev the test tools
# (Chromium for the browser tests, poppler-utils, pgbench for the benchmarks).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)${1:-}"
if [ ! -f "$stamp" ]; then
  "$VENV/bin/pip" install -q --upgrade pip
  if [ "${1:-}" = "--dev" ]; then
    "$VENV/bin/pip" install -q -e ".[dev]"
  else
    "$VENV/bin/pip" install -q -e .
  fi
  touch "$stamp"
fi

if [ "${1:-}" = "--dev" ]; then
  need=()
  command -v chromium >/dev/null || need+=(chromium)
  command -v pdftotext >/dev/null || need+=(poppler-utils)
  command -v certutil >/dev/null || need+=(libnss3-tools)
  command -v pgbench >/dev/null || need+=(postgresql-contrib)
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
      echo "Please install: ${need[*]} (sudo apt-get install ${need[*]})" >&2
      exit 1
    fi
  fi
fi
"$VENV/bin/python" -c "from tergeu.web.translations import compile_catalogues; compile_catalogues()"
