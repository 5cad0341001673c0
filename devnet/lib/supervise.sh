#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# supervise.sh NAME CMD...: the devnet's watchdog, as systemd's Restart=on-failure is the deployment's
# (docker/systemd/caduceus.service). Runs CMD and starts it again when it exits unexpectedly (a kill -9, a crash, an
# OutOfMemoryError): after 1 s, then twice as long each time up to 30 s, back to 1 s once it has run for 60 s. A clean
# exit (0, or 143 after SIGTERM) is not restarted, nor is anything once the supervisor is told to stop (SIGTERM, which
# it passes on, or $PID_DIR/NAME.stopping, written by ./caduceus down and restart). More than 5 restarts within 10
# minutes: it gives up and stays down, as systemd's start limit does, so a command that cannot start does not loop.
# Started by start_bg (own process group, log $LOG_DIR/NAME.log); writes the command's pid to $PID_DIR/NAME.child.pid
# and one line "state restarts last_exit last_exit_time" to $PID_DIR/NAME.supervisor for ./caduceus status.
set -uo pipefail
SERVICE="${1:?name}-watchdog" # read by log in common.sh
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
set +e
name=$1; shift
[[ $# -ge 1 ]] || die "usage: supervise.sh NAME CMD..."

CHILD_PID_FILE="$PID_DIR/$name.child.pid"
STATE_FILE="$PID_DIR/$name.supervisor"
STOP_MARKER="$PID_DIR/$name.stopping"
MAX_RESTARTS=5
LIMIT_WINDOW=600
STABLE_AFTER=60
MAX_DELAY=${CADUCEUS_WATCHDOG_MAX_DELAY:-30} # a test shortens it

child=""
stopping=0
restarts=0
last_exit="-"
last_exit_at="-"
recent=() # start times of the restarts within the limit window

# Written whole and renamed, so that a reader never sees half a line.
state() { printf '%s %s %s %s\n' "$1" "$restarts" "$last_exit" "$last_exit_at" >"$STATE_FILE.tmp" && mv -f "$STATE_FILE.tmp" "$STATE_FILE"; }
finish() { state "$1"; rm -f "$CHILD_PID_FILE"; exit "$2"; }

on_stop() {
  stopping=1
  [[ -z $child ]] || kill -TERM "$child" 2>/dev/null
}
trap on_stop TERM INT HUP

rm -f "$STOP_MARKER"
delay=1
while true; do
  started=$(date +%s)
  "$@" &
  child=$!
  echo "$child" >"$CHILD_PID_FILE.tmp" && mv -f "$CHILD_PID_FILE.tmp" "$CHILD_PID_FILE"
  state running
  # wait returns early when a trapped signal arrives; wait again until the command itself has exited.
  while true; do
    wait "$child"; rc=$?
    kill -0 "$child" 2>/dev/null || break
  done
  child=""
  if [[ $stopping -eq 1 || -e $STOP_MARKER ]]; then
    finish stopped 0
  fi
  last_exit=$rc; last_exit_at=$(date +%H:%M:%S)
  if [[ $rc -eq 0 || $rc -eq 143 ]]; then
    log "$name exited cleanly (exit $rc); not restarting it"
    finish stopped 0
  fi
  now=$(date +%s)
  (( now - started >= STABLE_AFTER )) && delay=1
  kept=()
  for t in "${recent[@]}"; do (( now - t < LIMIT_WINDOW )) && kept+=("$t"); done
  recent=("${kept[@]}")
  if (( ${#recent[@]} >= MAX_RESTARTS )); then
    log "$name exited unexpectedly (exit $rc) after $MAX_RESTARTS restarts within ${LIMIT_WINDOW}s; giving up: see $LOG_DIR/$name.log, then ./caduceus restart"
    finish gave-up 1
  fi
  log "$name exited unexpectedly (exit $rc after $((now - started))s); restarting it in ${delay}s"
  state restarting
  sleep "$delay" & wait $!
  if [[ $stopping -eq 1 || -e $STOP_MARKER ]]; then
    finish stopped 0
  fi
  recent+=("$(date +%s)")
  restarts=$((restarts + 1))
  delay=$(( delay * 2 > MAX_DELAY ? MAX_DELAY : delay * 2 ))
done
