#!/usr/bin/env bash
# Starts, stops and reports the local servers energize's tests and demo use:
#   a PostgreSQL 15 cluster and an nx-27017 MongoDB wire-protocol server,
# each on a free local port with its own data, PID file and log, under one state
# folder. `start` writes servers.env there (ENERGIZE_PG_URI, ENERGIZE_MONGO_URI).
#
#   scripts/servers.sh start|stop|status|env
# Works as root (PostgreSQL then runs as the `postgres` user) and as a normal user.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
key=$(printf '%s' "$repo" | cksum | cut -d' ' -f1)
state=${ENERGIZE_STATE_DIR:-/tmp/energize-$(id -u)-$key}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
pg_user=energize
pg_password=energize-local

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_for_port() { # host port seconds
  python3 - "$1" "$2" "$3" <<'PY'
import socket, sys, time
host, port, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
deadline = time.time() + limit
while time.time() < deadline:
    try:
        socket.create_connection((host, port), timeout=0.5).close(); sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(1)
PY
}

pg_running() { [ -f "$state/pg/data/postmaster.pid" ] && as_pg "$pg_bin/pg_ctl" -D "$state/pg/data" status >/dev/null 2>&1; }
mongo_running() { [ -f "$state/mongo/pid" ] && kill -0 "$(cat "$state/mongo/pid")" 2>/dev/null; }

start_pg() {
  mkdir -p "$state/pg"
  [ "$(id -u)" -eq 0 ] && chown postgres "$state/pg"
  if [ ! -f "$state/pg/data/PG_VERSION" ]; then
    printf '%s\n' "$pg_password" > "$state/pg/pwfile"
    [ "$(id -u)" -eq 0 ] && chown postgres "$state/pg/pwfile"
    as_pg "$pg_bin/initdb" -D "$state/pg/data" -U "$pg_user" --pwfile="$state/pg/pwfile" \
      --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$state/pg/initdb.log" 2>&1 \
      || { cat "$state/pg/initdb.log"; exit 1; }
    rm -f "$state/pg/pwfile"
  fi
  if ! pg_running; then
    local port; port=$(free_port)
    echo "$port" > "$state/pg/port"
    [ "$(id -u)" -eq 0 ] && chown postgres "$state/pg/port"
    as_pg "$pg_bin/pg_ctl" -D "$state/pg/data" -l "$state/pg/server.log" -w -t 60 \
      -o "-p $port -k $state/pg -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=120" start >/dev/null \
      || { cat "$state/pg/server.log"; exit 1; }
  fi
  PGPASSWORD=$pg_password "$pg_bin/psql" -h 127.0.0.1 -p "$(cat "$state/pg/port")" -U "$pg_user" -d postgres -qAt \
    -c "SELECT 1 FROM pg_database WHERE datname = 'energize'" | grep -q 1 \
    || PGPASSWORD=$pg_password "$pg_bin/psql" -h 127.0.0.1 -p "$(cat "$state/pg/port")" -U "$pg_user" -d postgres -q \
         -c "CREATE DATABASE energize"
}

start_mongo() {
  mkdir -p "$state/mongo"
  if ! mongo_running; then
    local port; port=$(free_port)
    echo "$port" > "$state/mongo/port"
    local python; python=$(bash "$repo/scripts/nx-python.sh")
    mkdir -p "$state/mongo/databases"
    # --data-dir: one SQLite file per logical database (with --db, databases share collections).
    nohup "$python" "$repo/scripts/nx_mongo_server.py" --data-dir "$state/mongo/databases" --host 127.0.0.1 -p "$port" \
      --pid-file "$state/mongo/nx.pid" --log-file "$state/mongo/server.log" >"$state/mongo/stdout.log" 2>&1 &
    echo $! > "$state/mongo/pid"
    wait_for_port 127.0.0.1 "$port" 30 || { echo "nx-27017 did not start:"; cat "$state/mongo/stdout.log"; exit 1; }
  fi
}

write_env() {
  cat > "$state/servers.env" <<ENV
export ENERGIZE_PG_URI="postgresql://$pg_user:$pg_password@127.0.0.1:$(cat "$state/pg/port")/energize"
export ENERGIZE_MONGO_URI="mongodb://127.0.0.1:$(cat "$state/mongo/port")/?serverSelectionTimeoutMS=5000"
export ENERGIZE_STATE_DIR="$state"
ENV
}

case "${1:-status}" in
  start)
    start_pg
    start_mongo
    write_env
    echo "energize: PostgreSQL on 127.0.0.1:$(cat "$state/pg/port"), MongoDB wire protocol (nx-27017) on 127.0.0.1:$(cat "$state/mongo/port")"
    ;;
  stop)
    if pg_running; then as_pg "$pg_bin/pg_ctl" -D "$state/pg/data" -m fast stop >/dev/null; fi
    if mongo_running; then kill "$(cat "$state/mongo/pid")" 2>/dev/null || true; rm -f "$state/mongo/pid"; fi
    echo "energize: local servers stopped"
    ;;
  status)
    pg_running && echo "PostgreSQL: running on port $(cat "$state/pg/port")" || echo "PostgreSQL: stopped"
    mongo_running && echo "MongoDB (nx-27017): running on port $(cat "$state/mongo/port")" || echo "MongoDB (nx-27017): stopped"
    ;;
  env)
    echo "$state/servers.env"
    ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
