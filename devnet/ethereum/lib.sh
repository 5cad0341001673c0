# shellcheck shell=bash source-path=SCRIPTDIR
# Shared by devnet/ethereum/ctl.sh and devnet/ethereum/solc: where the pinned npm packages (hardhat 2, solc-js)
# live and how to install them. Source it after lib/common.sh.

ETH_SRC_DIR="$DEVNET_DIR/ethereum"
# The cached install is keyed by the lock file: a changed lock gets a fresh prefix, an unchanged one is reused.
ETH_LOCK_ID=$(sha256sum "$ETH_SRC_DIR/package-lock.json" | cut -c1-12)
ETH_PREFIX="$CACHE_DIR/node/ethereum-$ETH_LOCK_ID"
ETH_MODULES="$ETH_PREFIX/node_modules"

require_node() {
  require_cmd node "Install Node.js 18 or newer (e.g. apt-get install nodejs npm)."
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  ((major >= 18)) || die "hardhat 2.29 needs Node.js 18 or newer; '$(command -v node)' is $(node --version)"
}

eth_install() { # npm ci of devnet/ethereum/package-lock.json into $ETH_PREFIX, once
  require_node
  if [[ -f $ETH_PREFIX/.complete ]]; then
    log "hardhat and solc-js cached in $ETH_PREFIX"
    return 0
  fi
  require_cmd npm "Install npm (it comes with Node.js)."
  log "installing hardhat and solc-js (npm ci of devnet/ethereum/package-lock.json) into $ETH_PREFIX"
  local tmp="$ETH_PREFIX.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  cp "$ETH_SRC_DIR/package.json" "$ETH_SRC_DIR/package-lock.json" "$tmp/"
  (cd "$tmp" && npm ci --no-audit --no-fund --loglevel=error >&2) \
    || { rm -rf "$tmp"; die "npm ci failed (npm registry reachable? see the npm output above)"; }
  [[ -f $tmp/node_modules/hardhat/internal/cli/cli.js && -f $tmp/node_modules/solc/soljson.js ]] \
    || { rm -rf "$tmp"; die "hardhat or solc missing after npm ci in $tmp"; }
  touch "$tmp/.complete"
  rm -rf "$ETH_PREFIX"
  mv "$tmp" "$ETH_PREFIX"
  log "installed: hardhat $(node -p "require('$ETH_MODULES/hardhat/package.json').version"), solc-js $(node -p "require('$ETH_MODULES/solc/package.json').version")"
}
