# shellcheck shell=bash source-path=SCRIPTDIR
# Shared helpers of the devnet scripts. Source it; do not run it.
# Layout:
#   $RUN_DIR            state of the running devnet (gitignored): data, pids, generated config
#   $LOG_DIR            one folder with every service's log
#   $CONN_DIR           one <service>.properties per service: how clients reach it (read by tests and the middleware)
#   $CACHE_DIR          downloads and builds kept across runs (outside the work tree, survives a clean clone)
set -euo pipefail

DEVNET_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(cd "$DEVNET_DIR/.." && pwd)"
RUN_DIR="${CADUCEUS_RUN_DIR:-$DEVNET_DIR/.run}"
LOG_DIR="$RUN_DIR/logs"
PID_DIR="$RUN_DIR/pids"
CONN_DIR="$RUN_DIR/conn"
CACHE_DIR="${CADUCEUS_CACHE_DIR:-$HOME/.cache/caduceus}"
mkdir -p "$RUN_DIR" "$LOG_DIR" "$PID_DIR" "$CONN_DIR" "$CACHE_DIR"
chmod 700 "$CONN_DIR" # PostgreSQL runs as its own user under $RUN_DIR: only conn/ is closed

# shellcheck source=../ports.env
. "$DEVNET_DIR/ports.env"

log()  { printf '%s [%s] %s\n' "$(date +%H:%M:%S)" "${SERVICE:-devnet}" "$*" >&2; }
die()  { printf '%s [%s] ERROR: %s\n' "$(date +%H:%M:%S)" "${SERVICE:-devnet}" "$*" >&2; exit 1; }

require_cmd() { # require_cmd CMD "how to get it"
  command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed. $2"
}

port_open() { # port_open PORT [HOST]: something accepts connections there
  (exec 3<>"/dev/tcp/${2:-$CADUCEUS_HOST}/$1") 2>/dev/null
}

require_free_port() { # require_free_port PORT NAME [VAR]: VAR names the variable that overrides the port
  if port_open "$1"; then
    die "port $1 ($2) is already taken on ${CADUCEUS_HOST}. Stop what uses it or choose another port, e.g. export ${3:-CADUCEUS_<SERVICE>_PORT}=<port>"
  fi
}

wait_for_port() { # wait_for_port PORT SECONDS WHAT [PIDNAME]
  local port=$1 secs=$2 what=$3 pidname=${4:-} i
  for ((i = 0; i < secs * 10; i++)); do
    port_open "$port" && return 0
    if [[ -n $pidname ]] && ! is_running "$pidname"; then
      die "$what exited before opening port $port; see $LOG_DIR/$pidname.log"
    fi
    sleep 0.1
  done
  die "$what did not open port $port within ${secs}s; see $LOG_DIR/${pidname:-devnet}.log"
}

wait_until() { # wait_until SECONDS WHAT CMD...: retry CMD until it succeeds
  local secs=$1 what=$2 i; shift 2
  for ((i = 0; i < secs * 4; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  die "$what not ready within ${secs}s"
}

start_bg() { # start_bg NAME CMD...: own process group, log in $LOG_DIR/NAME.log, pid in $PID_DIR/NAME.pid
  local name=$1; shift
  if is_running "$name"; then log "$name already running (pid $(cat "$PID_DIR/$name.pid"))"; return 0; fi
  setsid "$@" >>"$LOG_DIR/$name.log" 2>&1 < /dev/null &
  echo $! >"$PID_DIR/$name.pid"
}

is_running() { # is_running NAME
  local f="$PID_DIR/$1.pid"
  [[ -f $f ]] && kill -0 "$(cat "$f")" 2>/dev/null
}

stop_bg() { # stop_bg NAME: TERM the process group, KILL after 10 s
  local name=$1 f="$PID_DIR/$1.pid" pid i
  [[ -f $f ]] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

write_conn() { # write_conn SERVICE <<EOF ... EOF: the properties clients use to reach SERVICE
  # Owner-only (0600): some hold credentials (postgres.password), and the middleware refuses secrets others can read.
  (umask 077 && cat >"$CONN_DIR/$1.properties.tmp") && chmod 600 "$CONN_DIR/$1.properties.tmp" \
    && mv "$CONN_DIR/$1.properties.tmp" "$CONN_DIR/$1.properties"
}

mvnw() { "$REPO_DIR/mvnw" -q -B "$@"; }

elapsed_since() { echo $(( $(date +%s) - $1 )); }
