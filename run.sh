#!/usr/bin/env bash
# One entry point for a fresh clone: `./run.sh demo` runs the offline demo, `./run.sh test` runs
# lint, types and tests. Each creates .venv on first use and installs what it needs.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
  fi
  local stamp="$VENV/.installed-$1"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    if [ "$1" = dev ]; then
      "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[dev]"
    else
      "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e .
    fi
    touch "$stamp"
  fi
}

start_postgres() {
  # The store and queue tests run on PostgreSQL as well as SQLite.
  if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
    if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
    fi
  fi
}

case "${1:-}" in
  demo)
    shift
    ensure_venv run
    exec "$VENV/bin/ledgerlink" demo "$@"
    ;;
  sandbox)
    shift
    ensure_venv run
    exec "$VENV/bin/ledgerlink" sandbox "$@"
    ;;
  test)
    shift
    ensure_venv dev
    start_postgres
    echo "== ruff"
    "$VENV/bin/ruff" check src tests bench
    "$VENV/bin/ruff" format --check src tests bench
    echo "== mypy"
    "$VENV/bin/mypy" src
    echo "== pytest"
    "$VENV/bin/python" -m pytest "$@"
    ;;
  *)
    echo "usage: ./run.sh demo [options] | ./run.sh test [pytest args] | ./run.sh sandbox [options]" >&2
    exit 2
    ;;
esac
