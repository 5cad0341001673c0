#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The devnet's Ethereum dev node: hardhat 2.29 (`hardhat node`, chain id 31337, automine) on loopback, plus the
# offline Solidity compiler launcher devnet/ethereum/solc (solc-js).
#   devnet/ethereum/ctl.sh {install|up|down|health|status}
# npm packages: devnet/ethereum/package-lock.json, installed with npm ci into $CACHE_DIR/node/ethereum-<lock hash>.
# Runtime dir: $RUN_DIR/ethereum. Log: $LOG_DIR/ethereum.log. Clients read $CONN_DIR/ethereum.properties.
set -euo pipefail
SERVICE=ethereum # read by log/die in common.sh
# shellcheck source=../lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=lib.sh
. "$DEVNET_DIR/ethereum/lib.sh"

PORT=$CADUCEUS_ETH_PORT
RPC_URL="http://$CADUCEUS_HOST:$PORT"
CHAIN_ID=31337
ETH_RUN="$RUN_DIR/ethereum"
# Hardhat's well-known account #0 (mnemonic "test test ... junk"). PUBLIC test key: for this devnet only, never
# for any real network.
DEV_PRIVATE_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80

rpc() { # rpc METHOD [PARAMS_JSON]: one JSON-RPC call, prints the response body
  curl -fsS --max-time 5 -H 'Content-Type: application/json' \
    --data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":${2:-[]}}" "$RPC_URL"
}

probe() { # the node answers eth_chainId with 31337 (0x7a69)
  port_open "$PORT" || return 1
  [[ $(rpc eth_chainId 2>/dev/null) == *'"result":"0x7a69"'* ]]
}

cmd_install() {
  require_cmd curl "Install curl (apt-get install curl): the health check uses it."
  eth_install
}

cmd_health() {
  if is_running ethereum && probe; then
    echo "ethereum healthy at $RPC_URL (chain id $CHAIN_ID)"
    return 0
  fi
  echo "ethereum not healthy at $RPC_URL" >&2
  return 1
}

cmd_up() {
  if is_running ethereum && probe; then
    log "already running and healthy at $RPC_URL"
    publish
    return 0
  fi
  if is_running ethereum; then
    die "a hardhat process is running (pid $(cat "$PID_DIR/ethereum.pid")) but does not answer at $RPC_URL; run devnet/devnet down ethereum first"
  fi
  cmd_install
  require_free_port "$PORT" "Ethereum JSON-RPC" CADUCEUS_ETH_PORT
  # A hardhat project of its own under $RUN_DIR: config, an empty sources folder, the cached node_modules.
  mkdir -p "$ETH_RUN/contracts"
  cp "$DEVNET_DIR/ethereum/hardhat.config.js" "$ETH_RUN/hardhat.config.js"
  ln -sfn "$ETH_MODULES" "$ETH_RUN/node_modules"
  log "starting hardhat node at $RPC_URL (chain id $CHAIN_ID)"
  (
    cd "$ETH_RUN"
    export HARDHAT_DISABLE_TELEMETRY_PROMPT=true FORCE_COLOR=0 NO_COLOR=1
    start_bg ethereum node "$ETH_MODULES/hardhat/internal/cli/cli.js" node --hostname "$CADUCEUS_HOST" --port "$PORT"
  )
  wait_for_port "$PORT" 60 "hardhat node" ethereum
  wait_until 30 "eth_chainId at $RPC_URL" probe
  publish
  log "healthy at $RPC_URL (pid $(cat "$PID_DIR/ethereum.pid"))"
}

publish() {
  write_conn ethereum <<EOF
# Written by devnet/ethereum/ctl.sh up: hardhat node (automine) on loopback.
ethereum.rpc.url=$RPC_URL
ethereum.chain.id=$CHAIN_ID
# Hardhat's well-known account #0: a PUBLIC test key, for this devnet only. Never use it on a real network.
ethereum.dev.private.key=$DEV_PRIVATE_KEY
# Offline Solidity compiler (solc-js): <launcher> OUTDIR FILE.sol... writes <Contract>.abi/.bin and combined.json
ethereum.solc.compile=$DEVNET_DIR/ethereum/solc
EOF
}

cmd_down() {
  if is_running ethereum; then
    log "stopping hardhat node (pid $(cat "$PID_DIR/ethereum.pid"))"
  fi
  stop_bg ethereum
  rm -f "$CONN_DIR/ethereum.properties"
}

cmd_status() {
  if is_running ethereum; then
    local pid block
    pid=$(cat "$PID_DIR/ethereum.pid")
    block=$(rpc eth_blockNumber 2>/dev/null | sed -n 's/.*"result":"\(0x[0-9a-fA-F]*\)".*/\1/p')
    printf 'pid=%s rpc=%s chain=%s block=%s uptime=%ss rss=%sMB\n' "$pid" "$RPC_URL" "$CHAIN_ID" \
      "$((${block:-0}))" "$(ps -o etimes= -p "$pid" | tr -d ' ')" "$(($(ps -o rss= -p "$pid" | tr -d ' ') / 1024))"
  else
    echo "not running (rpc would be $RPC_URL)"
    return 1
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
