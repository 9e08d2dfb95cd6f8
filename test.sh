#!/usr/bin/env bash
# Runs every Steward test: on SQLite, and on a throwaway PostgreSQL 15 server that this script starts on a
# loopback port and stops when it ends. Under CI (CI=true) a PostgreSQL that cannot start is a failure.
set -euo pipefail
cd "$(dirname "$0")"

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_DIR=""
MAILDEV_PID=""
MAILDEV_LOG=$(mktemp /tmp/steward-maildev.XXXXXX.log)
# the run directory of the after-the-run scan: the tests' data directories, captured server logs and the list of every
# personal value and secret they created (tests/Steward.Tests/Infrastructure/Canaries.cs); removed at the end
export STEWARD_TEST_RUN_DIR=$(mktemp -d /tmp/steward-run.XXXXXX)
stop_services() {
  [ -n "$MAILDEV_PID" ] && kill "$MAILDEV_PID" 2>/dev/null || true
  rm -rf "$STEWARD_TEST_RUN_DIR"
  stop_postgres
}
stop_postgres() {
  if [ -n "$PG_DIR" ] && [ -f "$PG_DIR/data/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  [ -z "$PG_DIR" ] || rm -rf "$PG_DIR"   # an && list here would make the trap, and so the script, exit 1
}
trap stop_services EXIT

# initdb refuses root: as root, run the server as the postgres system user
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    local cmd; printf -v cmd '%q ' "$@"
    su postgres -s /bin/bash -c "$cmd"
  else
    "$@"
  fi
}

install_postgres() {
  [ -x "$PG_BIN/initdb" ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test.sh: installing PostgreSQL 15"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
  fi
  [ -x "$PG_BIN/initdb" ]
}

start_postgres() {
  install_postgres || return 1
  PG_DIR=$(mktemp -d /tmp/steward-pg.XXXXXX)
  chmod 755 "$PG_DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
  as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" --auth=trust -E UTF8 -U postgres >/dev/null || return 1
  local port
  for port in $(shuf -i 20000-39999 -n 20); do
    if as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -l "$PG_DIR/server.log" \
        -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off" \
        start >/dev/null; then
      export STEWARD_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
      export STEWARD_TEST_PGDUMP="$PG_BIN/pg_dump"
      echo "test.sh: PostgreSQL 15 on 127.0.0.1:$port"
      return 0
    fi
  done
  return 1
}

if [ -n "${STEWARD_TEST_POSTGRES:-}" ]; then
  echo "test.sh: using the PostgreSQL server in STEWARD_TEST_POSTGRES"
elif ! start_postgres; then
  if [ "${CI:-}" = "true" ]; then
    echo "test.sh: PostgreSQL could not be started; under CI that is a failure" >&2
    [ -n "$PG_DIR" ] && [ -f "$PG_DIR/server.log" ] && cat "$PG_DIR/server.log" >&2
    exit 1
  fi
  echo "test.sh: PostgreSQL could not be started: its tests will be skipped (not under CI)" >&2
fi

# a real SMTP server on loopback for the mail tests: maildev from npm, kept in .tools/
start_maildev() {
  local bin=.tools/node_modules/.bin/maildev
  if [ ! -x "$bin" ]; then
    command -v npm >/dev/null || return 1
    echo "test.sh: installing maildev"
    npm install --silent --no-audit --no-fund --prefix .tools maildev@3.0.0 >/dev/null 2>&1 || return 1
  fi
  local smtp web
  smtp=$(shuf -i 40000-49999 -n 1); web=$((smtp + 10000))
  "$bin" --smtp "$smtp" --web "$web" --ip 127.0.0.1 --silent >"$MAILDEV_LOG" 2>&1 &
  MAILDEV_PID=$!
  for _ in $(seq 1 50); do
    if curl -fs "http://127.0.0.1:$web/api/email" >/dev/null 2>&1; then
      export STEWARD_TEST_SMTP_PORT=$smtp STEWARD_TEST_MAILDEV="http://127.0.0.1:$web"
      echo "test.sh: maildev SMTP on 127.0.0.1:$smtp"
      return 0
    fi
    sleep 0.2
  done
  return 1
}
if [ -z "${STEWARD_TEST_SMTP_PORT:-}" ] && ! start_maildev; then
  if [ "${CI:-}" = "true" ]; then
    echo "test.sh: maildev could not be started; under CI that is a failure" >&2
    cat "$MAILDEV_LOG" >&2 2>/dev/null || true
    exit 1
  fi
  echo "test.sh: maildev could not be started: the SMTP tests will be skipped (not under CI)" >&2
fi

# real Chromium for the console's browser tests: Debian's package, driven by Playwright (which downloads no browser)
install_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test.sh: installing chromium"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  [ -x /usr/bin/chromium ]
}
if ! install_chromium; then
  if [ "${CI:-}" = "true" ]; then
    echo "test.sh: chromium could not be installed; under CI that is a failure" >&2
    exit 1
  fi
  echo "test.sh: no chromium: the browser tests will be skipped (not under CI)" >&2
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

LOG=$(mktemp /tmp/steward-test.XXXXXX.log)
set +e
dotnet test tests/Steward.Tests/Steward.Tests.csproj -c Release --logger "console;verbosity=normal" "$@" 2>&1 | tee $LOG
status=${PIPESTATUS[0]}
set -e

# the plain closing line: "N passed, N failed, N skipped"
count() { grep -aE "^ +$1: +[0-9]+" $LOG | tail -1 | grep -oE '[0-9]+' || echo 0; }
if grep -aqE '^Total tests: +[0-9]+' $LOG; then
  echo "tests: $(count Passed) passed, $(count Failed) failed, $(count Skipped) skipped"
fi

# issue 10: after the whole run, none of the tests' personal values in clear in the test log, the captured server
# logs, the data directories or the mail drop, and none of their secrets in a log (the rules: tools/ScanRun/Program.cs)
scan=0
dotnet run --project tools/ScanRun -c Release -- "$STEWARD_TEST_RUN_DIR" --log "$LOG" \
  ${STEWARD_TEST_MAILDEV:+--maildev "$STEWARD_TEST_MAILDEV"} || scan=$?
[ "$status" -ne 0 ] || status=$scan
exit "$status"
