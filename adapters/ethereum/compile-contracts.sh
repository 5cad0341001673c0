#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Compiles src/main/solidity/*.sol with the devnet's pinned, offline solc-js (npm's solc, never a downloaded native
# compiler) into OUTDIR: <Contract>.abi, <Contract>.bin, <Contract>.bin-runtime.
#   adapters/ethereum/compile-contracts.sh [OUTDIR]     (default: target/solidity of this module)
# The Maven build runs it in generate-resources (exec-maven-plugin) and packages the output as classpath resources
# io/caduceus/adapters/ethereum/<Contract>.{abi,bin,bin-runtime}. It finds node and the cached npm packages the
# same way as devnet/ethereum/solc, and installs them on first use (npm ci of devnet/ethereum/package-lock.json).
set -euo pipefail
SERVICE=compile-contracts # read by log/die in common.sh
MODULE_DIR="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
DEVNET_HOME="$MODULE_DIR/../../devnet"
# shellcheck source=../../devnet/lib/common.sh
. "$DEVNET_HOME/lib/common.sh"
# shellcheck source=../../devnet/ethereum/lib.sh
. "$DEVNET_HOME/ethereum/lib.sh"

OUT_DIR="${1:-$MODULE_DIR/target/solidity}"
require_node
[[ -f $ETH_PREFIX/.complete ]] || eth_install
NODE_PATH="$ETH_MODULES" exec node "$MODULE_DIR/src/build/compile-contracts.js" "$MODULE_DIR" "$OUT_DIR"
