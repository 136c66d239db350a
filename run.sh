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

ensure_chromium() {
  # The browser tests (tests/web) drive Debian's Chromium through Playwright, which downloads no
  # browser of its own. Without it they skip, saying why; on CI (CI=true) it must install.
  local chromium=${LEDGERLINK_CHROMIUM:-/usr/bin/chromium}
  [ -x "$chromium" ] && return 0
  local problem="" sudo=""
  if ! command -v apt-get >/dev/null 2>&1; then
    problem="no apt-get on this machine"
  elif [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      problem="not root and no sudo"
    elif [ -t 0 ]; then
      sudo=sudo
    else
      sudo="sudo -n" # no one to type a password
    fi
  fi
  if [ -z "$problem" ]; then
    echo "== chromium (apt-get install chromium, for the browser tests)"
    if ! { $sudo apt-get update -qq &&
      $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }; then
      problem="apt-get install chromium failed"
    elif [ ! -x "$chromium" ]; then
      problem="apt-get installed chromium but $chromium is not there"
    fi
  fi
  [ -z "$problem" ] && return 0
  if [ "${CI:-}" = true ]; then
    echo "!! Chromium is required on CI and could not be installed: $problem" >&2
    exit 1
  fi
  echo "!! Chromium could not be installed ($problem): the browser tests (tests/web) will skip" >&2
  export LEDGERLINK_CHROMIUM_PROBLEM="$problem"
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
    ensure_chromium
    echo "== pytest"
    # Two test processes side by side (LEDGERLINK_TEST_WORKERS; 0: one process): most tests
    # wait on a sandbox, a lease or a worker, so two share the machine's cores well.
    "$VENV/bin/python" -m pytest -n "${LEDGERLINK_TEST_WORKERS:-2}" "$@"
    ;;
  *)
    echo "usage: ./run.sh demo [options] | ./run.sh test [pytest args] | ./run.sh sandbox [options]" >&2
    exit 2
    ;;
esac
