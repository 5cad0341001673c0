#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# A real PostgreSQL server for the devnet, from Debian's package, as a private cluster on loopback.
#   devnet/postgres/ctl.sh {install|up|down|health|status}
# Data: $RUN_DIR/postgres (owned by the 'postgres' system user, as the server refuses to run as root).
# Log: $LOG_DIR/postgres.log. Clients read postgres.* from $CONN_DIR/postgres.properties.
set -euo pipefail
SERVICE=postgres # read by log/die in common.sh
# shellcheck source=../lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

PG_PORT=$CADUCEUS_POSTGRES_PORT
PG_HOME="$RUN_DIR/postgres"
PG_DATA="$PG_HOME/data"
PG_SOCK="$PG_HOME/sock"
PG_PASSWORD_FILE="$PG_HOME/password"
PG_DB=caduceus
PG_USER=caduceus

pg_bin() { # the newest installed server's bin folder
  local dir
  dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
  [[ -n $dir && -x $dir/initdb ]] && echo "$dir"
}

as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cmd_install() {
  if pg_bin >/dev/null; then
    log "PostgreSQL server found in $(pg_bin)"
    return 0
  fi
  [[ $(id -u) -eq 0 ]] || die "PostgreSQL is not installed and installing it needs root: sudo apt-get install -y postgresql"
  require_cmd apt-get "Install PostgreSQL 15 or newer with your package manager."
  # Only this private cluster is wanted: no system-wide 'main' cluster on port 5432.
  mkdir -p /etc/postgresql-common
  [[ -f /etc/postgresql-common/createcluster.conf ]] || echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf
  log "installing Debian's postgresql package"
  apt-get update -qq >>"$LOG_DIR/postgres-install.log" 2>&1 || die "apt-get update failed; see $LOG_DIR/postgres-install.log"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >>"$LOG_DIR/postgres-install.log" 2>&1 \
    || die "apt-get install postgresql failed; see $LOG_DIR/postgres-install.log"
  pg_bin >/dev/null || die "postgresql installed but no initdb under /usr/lib/postgresql/*/bin"
}

init_cluster() {
  [[ -f $PG_DATA/PG_VERSION ]] && return 0
  local bin; bin=$(pg_bin)
  mkdir -p "$PG_HOME" "$PG_SOCK"
  [[ -f $PG_PASSWORD_FILE ]] || (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$PG_PASSWORD_FILE")
  if [[ $(id -u) -eq 0 ]]; then chown -R postgres:postgres "$PG_HOME"; fi
  log "initialising a cluster in $PG_DATA"
  as_postgres "$bin/initdb" -D "$PG_DATA" -U postgres --auth-local=peer --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >>"$LOG_DIR/postgres.log" 2>&1 || die "initdb failed; see $LOG_DIR/postgres.log"
}

create_database() {
  local bin; bin=$(pg_bin)
  local password; password=$(cat "$PG_PASSWORD_FILE")
  as_postgres "$bin/psql" -h "$PG_SOCK" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -q -d postgres >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN CREATE ROLE $PG_USER LOGIN; END IF;
END \$\$;
ALTER ROLE $PG_USER PASSWORD '$password';
SELECT 'CREATE DATABASE $PG_DB OWNER $PG_USER' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_DB')
\gexec
SQL
}

probe() { "$(pg_bin)/pg_isready" -q -h "$CADUCEUS_HOST" -p "$PG_PORT" -d "$PG_DB" -t 2; }

cmd_health() {
  if pg_bin >/dev/null && is_running postgres && probe; then echo "postgres healthy at $CADUCEUS_HOST:$PG_PORT"; return 0; fi
  echo "postgres not healthy at $CADUCEUS_HOST:$PG_PORT" >&2
  return 1
}

cmd_up() {
  cmd_install
  if is_running postgres && probe; then log "already running and healthy at $CADUCEUS_HOST:$PG_PORT"; publish; return 0; fi
  require_free_port "$PG_PORT" "PostgreSQL" CADUCEUS_POSTGRES_PORT
  init_cluster
  local bin; bin=$(pg_bin)
  log "starting PostgreSQL $("$bin/postgres" --version | awk '{print $3}') at $CADUCEUS_HOST:$PG_PORT"
  start_bg postgres runuser -u postgres -- "$bin/postgres" -D "$PG_DATA" -p "$PG_PORT" -h "$CADUCEUS_HOST" -k "$PG_SOCK" \
    -c fsync=on -c shared_buffers=64MB -c max_connections=50
  wait_for_port "$PG_PORT" 60 "PostgreSQL" postgres
  wait_until 30 "PostgreSQL at $CADUCEUS_HOST:$PG_PORT" probe
  create_database
  publish
  log "healthy at $CADUCEUS_HOST:$PG_PORT (pid $(cat "$PID_DIR/postgres.pid"))"
}

publish() {
  write_conn postgres <<EOF
# Written by devnet/postgres/ctl.sh up: a private PostgreSQL cluster on loopback (devnet only).
postgres.jdbc.url=jdbc:postgresql://$CADUCEUS_HOST:$PG_PORT/$PG_DB
postgres.user=$PG_USER
postgres.password=$(cat "$PG_PASSWORD_FILE")
EOF
}

cmd_down() {
  if is_running postgres; then log "stopping PostgreSQL (pid $(cat "$PID_DIR/postgres.pid"))"; fi
  stop_bg postgres
  rm -f "$CONN_DIR/postgres.properties"
}

cmd_status() {
  if is_running postgres; then
    echo "pid $(cat "$PID_DIR/postgres.pid"), $CADUCEUS_HOST:$PG_PORT, database $PG_DB"
  else
    echo "not running"
  fi
}

case ${1:-} in
  install) cmd_install ;;
  up) cmd_up ;;
  down) cmd_down ;;
  health) cmd_health ;;
  status) cmd_status ;;
  *) echo "usage: $0 {install|up|down|health|status}" >&2; exit 2 ;;
esac
