#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Hyperledger Fabric 3.1 for the devnet, run natively on loopback (no Docker), TLS everywhere:
#   raft (default): one Raft orderer          bft: four SmartBFT orderers (Fabric 3 BFT)
#   peer0.hospital (HospitalMSP) and peer0.auditor (AuditorMSP), goleveldb, both joined to the channel 'caduceus'
#   the RecordRegistry chaincode as a service: one Java process per org, endorsement AND(Hospital, Auditor)
#
#   devnet/fabric/ctl.sh install             find the Fabric binaries (or fetch the pinned release archive)
#   devnet/fabric/ctl.sh up [--raft|--bft]   create or restart the network; returns when a two-org endorsement works
#   devnet/fabric/ctl.sh down [--wipe]       stop everything; --wipe also deletes the network's state
#   devnet/fabric/ctl.sh health|status
#
# Binaries (peer, orderer, configtxgen, osnadmin; 3.1.x) are looked up in $FABRIC_BIN, then PATH, then the devnet
# cache ($CACHE_DIR/fabric/*/bin, newest 3.1.x), then fetched as the official release archive checked against a pinned
# SHA-256. The project never builds Fabric. Without binaries `up` exits 3 ("cannot be provided on this machine").
# State: $RUN_DIR/fabric/<raft|bft>/ (crypto, config, ledgers; kept by `down`). Logs: $LOG_DIR/fabric-*.log.
# Clients read $CONN_DIR/fabric.properties. Details: devnet/fabric/README.md.
set -euo pipefail
SERVICE=fabric # read by log/die in common.sh
# shellcheck source=../lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
# shellcheck source=crypto.sh
. "$DEVNET_DIR/fabric/crypto.sh"
# shellcheck source=config.sh
. "$DEVNET_DIR/fabric/config.sh"

# Variables a developer's shell may carry for the peer CLI would silently reconfigure the nodes started here.
while read -r var; do unset "$var"; done < <(compgen -e | grep -E '^(CORE|ORDERER|CONFIGTX)_' || true)
unset FABRIC_CFG_PATH

FABRIC_VERSION=3.1.5
FABRIC_RELEASE_BASE="https://github.com/hyperledger/fabric/releases/download/v$FABRIC_VERSION"
# SHA-256 of the official release archives, as published with the v3.1.5 release (the same values appear in
# independent third-party install recipes). An archive with any other hash is refused. Platforms without a pinned
# hash are not downloaded at all.
declare -A FABRIC_RELEASE_SHA256=(
  [linux-amd64]=b9c31fd490991e76f8acb1835dee09fc19fee5428cb13e190ee6e0bdd2c37858
  [linux-arm64]=4a42cad740a7e0373eda6bf1e27c86e9b06132f9bb751daf7f0f7dc1d1bbfed9
  [darwin-arm64]=d67a5c3366746a984f8ee9ae0ebf5c8b357c9d33dd589fa0b7668d739472cef0
)
# Release commits of 3.1.x, to recognise a development build (`peer version` says "latest") by the Fabric module
# version Go embeds in the binary.
declare -A FABRIC_RELEASE_COMMITS=([86c1172bec37]=3.1.5)
TOOLS=(peer orderer configtxgen osnadmin)

FABRIC_HOME="$RUN_DIR/fabric"
CHANNEL=caduceus
CC_NAME=recordregistry
CC_POLICY="AND('HospitalMSP.peer','AuditorMSP.peer')"
CC_JAR="$REPO_DIR/chaincode/target/caduceus-chaincode.jar"
# The chaincode sits on the ledger's hot path (it validates and hashes every entry of every batch): the optimizing
# JIT stays on. Override with CADUCEUS_CHAINCODE_JVM_OPTS.
CC_JVM_OPTS=${CADUCEUS_CHAINCODE_JVM_OPTS:-"-Xms128m -Xmx384m -XX:+UseSerialGC"}
BATCH_TIMEOUT=${CADUCEUS_FABRIC_BATCH_TIMEOUT:-500ms}
MAX_MESSAGE_COUNT=${CADUCEUS_FABRIC_MAX_MESSAGE_COUNT:-500}
PROBE_TIMEOUT=${CADUCEUS_FABRIC_PROBE_TIMEOUT:-120}
NODE_LOG_FORMAT='%{time:2006-01-02 15:04:05.000 MST} [%{module}] %{shortfunc} -> %{level:.4s} %{message}'
# gRPC's transport and the per-call server log would add a line or more per request.
NODE_LOG_SPEC=${CADUCEUS_FABRIC_LOGGING_SPEC:-grpc,comm.grpc.server=warning:info}
ORGS=(hospital auditor)
TOOL_LOG="$LOG_DIR/fabric.log" # output of the CLI tools run by this script

# ---------------------------------------------------------------------------------------------------------------
# Binaries

_tool_version() { # _tool_version BIN: "3.1.5" for a 3.1.x release or recognised development build, else what it says
  local bin=$1 out v mod commit
  case ${bin##*/} in
    configtxgen) out=$("$bin" -version 2>/dev/null) || true ;;
    osnadmin) out="Version: latest" ;; # no version command: identified by its embedded module version below
    *) out=$("$bin" version 2>/dev/null) || true ;;
  esac
  v=$(sed -n 's/^ *Version: *v\{0,1\}\([^ ]*\).*/\1/p' <<<"$out" | head -n 1)
  if [[ $v == latest || -z $v ]]; then
    # A development build: Go records the module version (a pseudo-version ending in the commit) in the binary.
    mod=$(grep -a -o -m 1 -E $'mod\tgithub.com/hyperledger/fabric\t[^\t]+' "$bin" 2>/dev/null | head -n 1 | cut -f3) || true
    commit=${mod##*-}
    if [[ -n $commit && -n ${FABRIC_RELEASE_COMMITS[$commit]:-} ]]; then
      v=${FABRIC_RELEASE_COMMITS[$commit]}
    else
      v="development build ${mod:-of unknown version}"
    fi
  fi
  echo "$v"
}

_valid_bin_dir() { # _valid_bin_dir DIR: all tools there, each 3.1.x; says why not on stderr
  local dir=$1 t v
  for t in "${TOOLS[@]}"; do
    [[ -x $dir/$t ]] || { echo "$dir/$t is missing" >&2; return 1; }
  done
  for t in peer orderer configtxgen osnadmin; do
    v=$(_tool_version "$dir/$t")
    [[ $v =~ ^3\.1\.[0-9]+$ ]] || { echo "$dir/$t is version '$v', not 3.1.x" >&2; return 1; }
  done
}

_platform() {
  local os arch
  os=$(uname -s | tr '[:upper:]' '[:lower:]')
  case $(uname -m) in x86_64 | amd64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
  echo "$os-$arch"
}

_download_release() { # the official archive into $CACHE_DIR/fabric/v$FABRIC_VERSION; output to the tool log
  local platform sha url dest="$CACHE_DIR/fabric/v$FABRIC_VERSION" tmp got
  platform=$(_platform)
  sha=${FABRIC_RELEASE_SHA256[$platform]:-}
  [[ -n $sha ]] || { echo "no pinned SHA-256 for platform $platform: not downloading" >>"$TOOL_LOG"; return 1; }
  command -v curl >/dev/null 2>&1 || { echo "curl is not installed: not downloading" >>"$TOOL_LOG"; return 1; }
  url="$FABRIC_RELEASE_BASE/hyperledger-fabric-$platform-$FABRIC_VERSION.tar.gz"
  tmp=$(mktemp -d "$CACHE_DIR/fabric-download.XXXXXX")
  echo "$(date +%T) downloading $url" >>"$TOOL_LOG"
  if ! curl -fsSL --connect-timeout 15 --max-time 900 -o "$tmp/fabric.tar.gz" "$url" >>"$TOOL_LOG" 2>&1; then
    echo "download of $url failed" >>"$TOOL_LOG"
    rm -rf "$tmp"
    return 1
  fi
  got=$(sha256sum "$tmp/fabric.tar.gz" | cut -d' ' -f1)
  if [[ $got != "$sha" ]]; then
    echo "refusing $url: SHA-256 $got is not the pinned $sha" >>"$TOOL_LOG"
    rm -rf "$tmp"
    return 1
  fi
  mkdir -p "$tmp/x"
  tar -xzf "$tmp/fabric.tar.gz" -C "$tmp/x" bin config >>"$TOOL_LOG" 2>&1 || { rm -rf "$tmp"; return 1; }
  mkdir -p "$dest"
  rm -rf "${dest:?}/bin" "${dest:?}/config"
  mv "$tmp/x/bin" "$tmp/x/config" "$dest/"
  rm -rf "$tmp"
}

find_bin() { # sets BIN to a folder with 3.1.x binaries, or exits 3
  local dir candidates=() why
  if [[ -n ${FABRIC_BIN:-} ]]; then
    why=$(_valid_bin_dir "$FABRIC_BIN" 2>&1) || die "FABRIC_BIN=$FABRIC_BIN is not usable: $why"
    BIN=$FABRIC_BIN
    return 0
  fi
  if dir=$(command -v peer 2>/dev/null); then candidates+=("$(dirname "$dir")"); fi
  while read -r dir; do [[ -n $dir ]] && candidates+=("$dir"); done < <(
    find "$CACHE_DIR/fabric" -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null \
      | awk -F/ '{print $(NF-1) "\t" $0}' | grep -E $'^v?3\\.1\\.[0-9]+\t' | sort -V -r | cut -f2)
  for dir in "${candidates[@]}"; do
    if _valid_bin_dir "$dir" 2>>"$TOOL_LOG"; then BIN=$dir; return 0; fi
  done
  if _download_release && _valid_bin_dir "$CACHE_DIR/fabric/v$FABRIC_VERSION/bin" 2>>"$TOOL_LOG"; then
    BIN="$CACHE_DIR/fabric/v$FABRIC_VERSION/bin"
    log "Fabric $FABRIC_VERSION release binaries installed in $BIN"
    return 0
  fi
  log "Fabric is unavailable on this machine: no Fabric 3.1.x binaries (peer, orderer, configtxgen, osnadmin) in \$FABRIC_BIN, PATH or $CACHE_DIR/fabric/*/bin, and the release archive could not be fetched; install the bin/ folder of hyperledger-fabric-$(_platform)-$FABRIC_VERSION.tar.gz ($FABRIC_RELEASE_BASE/) and export FABRIC_BIN=<that folder>"
  # A connection file left by an earlier network (the machine rebooted, binaries since removed) would point the
  # middleware at a ledger that is not there.
  rm -f "$CONN_DIR/fabric.properties"
  exit 3
}

# ---------------------------------------------------------------------------------------------------------------
# Ordering mode and layout

parse_flags() { # parse_flags VERB ARGS...: sets ORDERING_FLAG and WIPE. devnet/devnet hands every service all options.
  local verb=$1 a; shift
  ORDERING_FLAG="" WIPE=0
  for a in "$@"; do
    case $verb:$a in
      up:--bft | install:--bft) ORDERING_FLAG=bft ;;
      up:--raft | install:--raft) ORDERING_FLAG=raft ;;
      down:--wipe) WIPE=1 ;;
      *) log "ignoring option '$a' for $verb (options: up [--raft|--bft], down [--wipe])" ;;
    esac
  done
}

resolve_ordering() { # flag, then CADUCEUS_FABRIC_ORDERING, then the network that runs, then the last one up, then raft
  local running=""
  [[ -f $FABRIC_HOME/running ]] && running=$(cat "$FABRIC_HOME/running")
  ORDERING=${ORDERING_FLAG:-${CADUCEUS_FABRIC_ORDERING:-}}
  [[ -n $ORDERING ]] || ORDERING=$running
  [[ -n $ORDERING || ! -f $FABRIC_HOME/last-ordering ]] || ORDERING=$(cat "$FABRIC_HOME/last-ordering")
  ORDERING=${ORDERING:-raft}
  [[ $ORDERING == raft || $ORDERING == bft ]] || die "ordering must be raft or bft, not '$ORDERING'"
  set_layout
}

set_layout() {
  NET_DIR="$FABRIC_HOME/$ORDERING"
  CRYPTO_DIR="$NET_DIR/crypto"
  if [[ $ORDERING == bft ]]; then
    read -r -a ORDERER_PORTS <<<"${CADUCEUS_BFT_ORDERER_PORTS:-$CADUCEUS_ORDERER_PORT 7150 7250 7350}"
    read -r -a ORDERER_ADMIN_PORTS <<<"${CADUCEUS_BFT_ORDERER_ADMIN_PORTS:-$CADUCEUS_ORDERER_ADMIN_PORT 7153 7253 7353}"
    read -r -a ORDERER_OPS_PORTS <<<"${CADUCEUS_BFT_ORDERER_OPS_PORTS:-$CADUCEUS_ORDERER_OPS_PORT 9543 9643 9743}"
    ORDERER_COUNT=4
    [[ ${#ORDERER_PORTS[@]} -eq 4 && ${#ORDERER_ADMIN_PORTS[@]} -eq 4 && ${#ORDERER_OPS_PORTS[@]} -eq 4 ]] \
      || die "CADUCEUS_BFT_ORDERER_PORTS, _ADMIN_PORTS and _OPS_PORTS must each list 4 ports"
  else
    ORDERER_PORTS=("$CADUCEUS_ORDERER_PORT")
    ORDERER_ADMIN_PORTS=("$CADUCEUS_ORDERER_ADMIN_PORT")
    ORDERER_OPS_PORTS=("$CADUCEUS_ORDERER_OPS_PORT")
    ORDERER_COUNT=1
  fi
  ORDERER_TLSCA="$CRYPTO_DIR/orderer/tlsca/tlsca.crt"
  PROPS_FILE="$NET_DIR/fabric.properties"
}

org_msp() { case $1 in hospital) echo HospitalMSP ;; auditor) echo AuditorMSP ;; esac; }
org_port() { case $1 in hospital) echo "$CADUCEUS_PEER_HOSPITAL_PORT" ;; auditor) echo "$CADUCEUS_PEER_AUDITOR_PORT" ;; esac; }
org_cc_port() { case $1 in hospital) echo "$CADUCEUS_PEER_HOSPITAL_CC_PORT" ;; auditor) echo "$CADUCEUS_PEER_AUDITOR_CC_PORT" ;; esac; }
org_ops_port() { case $1 in hospital) echo "$CADUCEUS_PEER_HOSPITAL_OPS_PORT" ;; auditor) echo "$CADUCEUS_PEER_AUDITOR_OPS_PORT" ;; esac; }
org_chaincode_port() { case $1 in hospital) echo "$CADUCEUS_CHAINCODE_PORT" ;; auditor) echo "$CADUCEUS_CHAINCODE_AUDITOR_PORT" ;; esac; }

mode_process_names() {
  local i
  echo fabric-cc-hospital fabric-cc-auditor fabric-peer-hospital fabric-peer-auditor
  for ((i = 0; i < ORDERER_COUNT; i++)); do echo "fabric-orderer$i"; done
}

# ---------------------------------------------------------------------------------------------------------------
# CLI helpers

pcli() { # pcli ORG ARGS...: the peer CLI as ORG's admin, against ORG's peer
  local org=$1; shift
  env FABRIC_CFG_PATH="$NET_DIR/peer-$org" FABRIC_LOGGING_SPEC=warning \
    CORE_PEER_LOCALMSPID="$(org_msp "$org")" CORE_PEER_MSPCONFIGPATH="$CRYPTO_DIR/$org/users/admin/msp" \
    CORE_PEER_ADDRESS="$CADUCEUS_HOST:$(org_port "$org")" CORE_PEER_TLS_ENABLED=true \
    CORE_PEER_TLS_ROOTCERT_FILE="$CRYPTO_DIR/$org/tlsca/tlsca.crt" \
    "$BIN/peer" "$@"
}

orderer_args() { echo "-o $CADUCEUS_HOST:${ORDERER_PORTS[0]} --tls --cafile $ORDERER_TLSCA"; }

osn() { # osn INDEX ARGS...: osnadmin against orderer INDEX's admin endpoint, as the orderer org's admin (mutual TLS)
  local i=$1; shift
  "$BIN/osnadmin" "$@" -o "$CADUCEUS_HOST:${ORDERER_ADMIN_PORTS[i]}" --ca-file "$ORDERER_TLSCA" \
    --client-cert "$CRYPTO_DIR/orderer/users/admin/tls/client.crt" \
    --client-key "$CRYPTO_DIR/orderer/users/admin/tls/client.key"
}

run_logged() { # run_logged WHAT CMD...: CMD's output goes to the tool log; on failure die with its last lines
  local what=$1 out; shift
  if ! out=$("$@" 2>&1); then
    printf '%s %s failed:\n%s\n' "$(date +%T)" "$what" "$out" >>"$TOOL_LOG"
    die "$what failed: $(tail -n 3 <<<"$out" | tr '\n' ' ')(see $TOOL_LOG)"
  fi
  [[ -z $out ]] || printf '%s %s:\n%s\n' "$(date +%T)" "$what" "$out" >>"$TOOL_LOG"
}

run_ordered() { # run_ordered WHAT CMD...: run_logged for a transaction the orderer must take: right after a restart
  # the orderer answers SERVICE_UNAVAILABLE until its consensus has a leader again, so that is retried for a minute
  local what=$1 out i; shift
  for ((i = 0; i < 30; i++)); do
    if out=$("$@" 2>&1); then
      [[ -z $out ]] || printf '%s %s:\n%s\n' "$(date +%T)" "$what" "$out" >>"$TOOL_LOG"
      return 0
    fi
    grep -qE 'SERVICE_UNAVAILABLE|no Raft leader|connection refused' <<<"$out" || break
    printf '%s %s: the orderer is not ready yet, retrying:\n%s\n' "$(date +%T)" "$what" "$out" >>"$TOOL_LOG"
    sleep 2
  done
  printf '%s %s failed:\n%s\n' "$(date +%T)" "$what" "$out" >>"$TOOL_LOG"
  die "$what failed: $(tail -n 3 <<<"$out" | tr '\n' ' ')(see $TOOL_LOG)"
}

# ---------------------------------------------------------------------------------------------------------------
# Network

ensure_crypto() { # idempotent: what exists is kept, what is missing (e.g. added by a newer script) is made
  if [[ ! -f $CRYPTO_DIR/.complete ]]; then
    require_cmd openssl "Install openssl (apt-get install openssl): the network's certificates are made with it."
    log "generating crypto material in $CRYPTO_DIR (openssl, P-256)"
  fi
  mkdir -p "$CRYPTO_DIR"
  chmod 700 "$CRYPTO_DIR"
  local i org
  make_org orderer
  for ((i = 0; i < ORDERER_COUNT; i++)); do
    make_identity orderer orderers "orderer$i" orderer
    make_tls orderer orderers "orderer$i" server
  done
  make_identity orderer users admin admin
  make_tls orderer users admin client
  for org in "${ORGS[@]}"; do
    make_org "$org"
    make_identity "$org" peers peer0 peer
    make_tls "$org" peers peer0 server
    make_identity "$org" users admin admin
    make_tls "$org" users admin client # for the peer's operations endpoint (/metrics needs a client certificate)
  done
  make_identity hospital users writer client writer
  make_identity hospital users bridge client bridge
  make_identity auditor users auditor client auditor
  touch "$CRYPTO_DIR/.complete"
}

ensure_genesis() {
  local block="$NET_DIR/config/genesis.block"
  [[ -f $block ]] && return 0
  write_configtx
  log "creating the genesis block of channel '$CHANNEL' ($ORDERING, batch timeout $BATCH_TIMEOUT)"
  run_logged "configtxgen" "$BIN/configtxgen" -configPath "$NET_DIR/config" -profile Caduceus -channelID "$CHANNEL" \
    -outputBlock "$block.tmp"
  mv "$block.tmp" "$block"
}

start_orderers() {
  local i p
  for ((i = 0; i < ORDERER_COUNT; i++)); do
    write_orderer_yaml "$i"
    is_running "fabric-orderer$i" && continue
    for p in "${ORDERER_PORTS[i]}" "${ORDERER_ADMIN_PORTS[i]}" "${ORDERER_OPS_PORTS[i]}"; do
      require_free_port "$p" "orderer$i"
    done
    start_bg "fabric-orderer$i" env FABRIC_CFG_PATH="$NET_DIR/orderer$i" FABRIC_LOGGING_SPEC="$NODE_LOG_SPEC" \
      FABRIC_LOGGING_FORMAT="$NODE_LOG_FORMAT" "$BIN/orderer"
  done
}

start_peers() {
  local org p
  for org in "${ORGS[@]}"; do
    write_core_yaml "$org" "$(org_msp "$org")" "$(org_port "$org")" "$(org_cc_port "$org")" "$(org_ops_port "$org")"
    is_running "fabric-peer-$org" && continue
    for p in "$(org_port "$org")" "$(org_cc_port "$org")" "$(org_ops_port "$org")"; do
      require_free_port "$p" "peer0.$org"
    done
    start_bg "fabric-peer-$org" env FABRIC_CFG_PATH="$NET_DIR/peer-$org" FABRIC_LOGGING_SPEC="$NODE_LOG_SPEC" \
      FABRIC_LOGGING_FORMAT="$NODE_LOG_FORMAT" "$BIN/peer" node start
  done
}

wait_for_nodes() {
  local i org
  for ((i = 0; i < ORDERER_COUNT; i++)); do
    wait_for_port "${ORDERER_PORTS[i]}" 60 "orderer$i" "fabric-orderer$i"
    wait_for_port "${ORDERER_ADMIN_PORTS[i]}" 30 "orderer$i admin endpoint" "fabric-orderer$i"
  done
  for org in "${ORGS[@]}"; do
    wait_for_port "$(org_port "$org")" 60 "peer0.$org" "fabric-peer-$org"
  done
}

join_orderers() {
  local i out
  for ((i = 0; i < ORDERER_COUNT; i++)); do
    out=$(osn "$i" channel list --channelID "$CHANNEL" 2>&1) || true
    [[ $out == *"Status: 200"* ]] && continue
    log "orderer$i joins channel '$CHANNEL' (osnadmin channel join)"
    out=$(osn "$i" channel join --channelID "$CHANNEL" --config-block "$NET_DIR/config/genesis.block" 2>&1) || true
    echo "$out" >>"$TOOL_LOG"
    [[ $out == *"Status: 201"* ]] || die "orderer$i could not join '$CHANNEL': $(tr '\n' ' ' <<<"$out")"
  done
}

join_peers() {
  local org
  for org in "${ORGS[@]}"; do
    pcli "$org" channel list 2>>"$TOOL_LOG" | grep -qx "$CHANNEL" && continue
    log "peer0.$org joins channel '$CHANNEL'"
    run_logged "peer0.$org channel join" pcli "$org" channel join -b "$NET_DIR/config/genesis.block"
  done
}

# ---------------------------------------------------------------------------------------------------------------
# Chaincode as a service

ensure_jar() { # sets CC_VERSION (12 hex of the jar's SHA-256) and CC_RUN_JAR (a private copy the processes run from)
  if [[ ! -f $CC_JAR ]]; then
    log "building the chaincode jar ($CC_JAR is missing)"
    "$REPO_DIR/mvnw" -q -B -f "$REPO_DIR/pom.xml" -pl chaincode -am package -DskipTests >>"$TOOL_LOG" 2>&1 \
      || die "the chaincode build failed (mvnw -pl chaincode -am package); see $TOOL_LOG"
    [[ -f $CC_JAR ]] || die "the chaincode build did not produce $CC_JAR"
  fi
  local dir="$NET_DIR/chaincode/jars" tmp sha
  mkdir -p "$dir"
  # Copied first, hashed after: a rebuild while we read must not give a hash of one jar and the bytes of another.
  tmp=$(mktemp "$dir/.jar.XXXXXX")
  cp "$CC_JAR" "$tmp"
  sha=$(sha256sum "$tmp" | cut -d' ' -f1)
  CC_VERSION=${sha:0:12}
  CC_LABEL="${CC_NAME}_$CC_VERSION"
  CC_RUN_JAR="$dir/$CC_VERSION.jar"
  if [[ -f $CC_RUN_JAR ]]; then rm -f "$tmp"; else mv "$tmp" "$CC_RUN_JAR"; fi
}

_tgz() { # _tgz DIR OUT FILE...: a reproducible tar.gz (same bytes, same package id, every time)
  local dir=$1 out=$2; shift 2
  tar -C "$dir" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - "$@" | gzip -n -9 >"$out"
}

make_package() { # make_package ORG: sets PKG_FILE[ORG] and PKG_ID[ORG]
  local org=$1 port dir f tmp
  port=$(org_chaincode_port "$org")
  dir="$NET_DIR/chaincode/packages"
  f="$dir/$CC_LABEL-$org-$port.tar.gz"
  mkdir -p "$dir"
  if [[ ! -f $f ]]; then
    tmp=$(mktemp -d)
    mkdir -p "$tmp/code" "$tmp/pkg"
    printf '{"address":"%s:%s","dial_timeout":"10s","tls_required":false}\n' "$CADUCEUS_HOST" "$port" >"$tmp/code/connection.json"
    _tgz "$tmp/code" "$tmp/pkg/code.tar.gz" connection.json
    printf '{"type":"ccaas","label":"%s"}\n' "$CC_LABEL" >"$tmp/pkg/metadata.json"
    _tgz "$tmp/pkg" "$f.tmp" code.tar.gz metadata.json
    mv "$f.tmp" "$f"
    rm -rf "$tmp"
  fi
  PKG_FILE[$org]=$f
  # The package id is the label and the SHA-256 of the package file (what `peer lifecycle chaincode
  # calculatepackageid` prints); checked against queryinstalled below.
  PKG_ID[$org]="$CC_LABEL:$(sha256sum "$f" | cut -d' ' -f1)"
}

start_chaincode() { # start_chaincode ORG: the org's chaincode server for PKG_ID[ORG], restarted if it runs another
  local org=$1 name="fabric-cc-$1" port pkgfile="$PID_DIR/fabric-cc-$1.package"
  port=$(org_chaincode_port "$org")
  if is_running "$name"; then
    [[ -f $pkgfile && $(cat "$pkgfile") == "${PKG_ID[$org]}" ]] && return 0
    log "restarting the $org chaincode server for ${PKG_ID[$org]%%:*}"
    stop_bg "$name"
  fi
  require_free_port "$port" "the $org chaincode server" "$([[ $org == hospital ]] && echo CADUCEUS_CHAINCODE_PORT || echo CADUCEUS_CHAINCODE_AUDITOR_PORT)"
  require_cmd java "Install a JDK 17 or newer (e.g. apt-get install openjdk-17-jdk-headless)."
  # CORE_CHAINCODE_LOGGING_LEVEL: the shim's ContractRouter logs every invoke's arguments at INFO.
  # shellcheck disable=SC2086 # JVM options are a space-separated list on purpose
  (cd "$NET_DIR/chaincode" && start_bg "$name" env CHAINCODE_SERVER_ADDRESS="$CADUCEUS_HOST:$port" \
    CORE_CHAINCODE_ID_NAME="${PKG_ID[$org]}" CORE_PEER_TLS_ENABLED=false \
    CORE_CHAINCODE_LOGGING_LEVEL=WARNING CORE_CHAINCODE_LOGGING_SHIM=WARNING \
    java $CC_JVM_OPTS -jar "$CC_RUN_JAR")
  echo "${PKG_ID[$org]}" >"$pkgfile"
}

install_packages() {
  local org
  for org in "${ORGS[@]}"; do
    pcli "$org" lifecycle chaincode queryinstalled -O json 2>>"$TOOL_LOG" | grep -qF "\"${PKG_ID[$org]}\"" && continue
    log "installing $CC_LABEL on peer0.$org"
    run_logged "install on peer0.$org" pcli "$org" lifecycle chaincode install "${PKG_FILE[$org]}"
    pcli "$org" lifecycle chaincode queryinstalled -O json 2>>"$TOOL_LOG" | grep -qF "\"${PKG_ID[$org]}\"" \
      || die "peer0.$org does not list package ${PKG_ID[$org]} after installing it (see $TOOL_LOG)"
  done
}

deploy_definition() { # approve for both orgs and commit, only what is not done yet
  local committed seq version org approved need_commit=0
  committed=$(pcli hospital lifecycle chaincode querycommitted -C "$CHANNEL" -n "$CC_NAME" -O json 2>/dev/null) || committed='{}'
  seq=$(jq -r '.sequence // 0' <<<"$committed")
  version=$(jq -r '.version // ""' <<<"$committed")
  if [[ $version != "$CC_VERSION" ]]; then
    seq=$((seq + 1))
    need_commit=1
    log "deploying $CC_NAME version $CC_VERSION as sequence $seq${version:+ (was $version)}"
  fi
  for org in "${ORGS[@]}"; do
    approved=$(pcli "$org" lifecycle chaincode queryapproved -C "$CHANNEL" -n "$CC_NAME" --sequence "$seq" -O json 2>/dev/null) || approved="{}"
    if [[ $(jq -r '.version // ""' <<<"$approved") == "$CC_VERSION" \
      && $(jq -r '.source.Type.LocalPackage.package_id // ""' <<<"$approved") == "${PKG_ID[$org]}" ]]; then
      continue
    fi
    log "$(org_msp "$org") approves $CC_NAME $CC_VERSION (sequence $seq)"
    # shellcheck disable=SC2046 # orderer_args is a word list on purpose
    run_ordered "approve for $org" pcli "$org" lifecycle chaincode approveformyorg $(orderer_args) -C "$CHANNEL" \
      -n "$CC_NAME" -v "$CC_VERSION" --package-id "${PKG_ID[$org]}" --sequence "$seq" \
      --signature-policy "$CC_POLICY" --waitForEventTimeout 60s
  done
  if ((need_commit)); then
    log "committing $CC_NAME $CC_VERSION (sequence $seq, endorsement $CC_POLICY)"
    # shellcheck disable=SC2046 # orderer_args is a word list on purpose
    run_ordered "commit" pcli hospital lifecycle chaincode commit $(orderer_args) -C "$CHANNEL" -n "$CC_NAME" \
      -v "$CC_VERSION" --sequence "$seq" --signature-policy "$CC_POLICY" --waitForEventTimeout 60s \
      --peerAddresses "$CADUCEUS_HOST:$CADUCEUS_PEER_HOSPITAL_PORT" --tlsRootCertFiles "$CRYPTO_DIR/hospital/tlsca/tlsca.crt" \
      --peerAddresses "$CADUCEUS_HOST:$CADUCEUS_PEER_AUDITOR_PORT" --tlsRootCertFiles "$CRYPTO_DIR/auditor/tlsca/tlsca.crt"
  fi
  echo "version=$CC_VERSION sequence=$seq" >"$NET_DIR/chaincode/deployed"
  # Older jars and packages are of no further use.
  find "$NET_DIR/chaincode/jars" -name '*.jar' ! -name "$CC_VERSION.jar" -delete
  find "$NET_DIR/chaincode/packages" -name '*.tar.gz' ! -name "$CC_LABEL-*" -delete
}

# ---------------------------------------------------------------------------------------------------------------
# Connection file and readiness

write_properties() { # $PROPS_FILE: what clients need, published to $CONN_DIR once the network is ready
  local i endpoints="" c="$CRYPTO_DIR"
  for ((i = 0; i < ORDERER_COUNT; i++)); do endpoints+="${endpoints:+,}$CADUCEUS_HOST:${ORDERER_PORTS[i]}"; done
  (
    umask 077
    cat >"$PROPS_FILE" <<EOF
# Written by devnet/fabric/ctl.sh up: Hyperledger Fabric $FABRIC_VERSION ($ORDERING) on loopback, TLS on.
fabric.channel=$CHANNEL
fabric.chaincode=$CC_NAME
fabric.ordering=$ORDERING
fabric.peers=hospital,auditor
fabric.orderer.endpoints=$endpoints
fabric.hospital.msp.id=HospitalMSP
fabric.hospital.peer.endpoint=$CADUCEUS_HOST:$CADUCEUS_PEER_HOSPITAL_PORT
fabric.hospital.peer.host.alias=peer0.hospital.$FABRIC_DOMAIN
fabric.hospital.peer.tls.ca.cert=$c/hospital/tlsca/tlsca.crt
fabric.hospital.user.cert=$c/hospital/users/writer/msp/signcerts/cert.pem
fabric.hospital.user.key=$c/hospital/users/writer/msp/keystore/priv_sk
fabric.bridge.msp.id=HospitalMSP
fabric.bridge.peer.endpoint=$CADUCEUS_HOST:$CADUCEUS_PEER_HOSPITAL_PORT
fabric.bridge.peer.host.alias=peer0.hospital.$FABRIC_DOMAIN
fabric.bridge.peer.tls.ca.cert=$c/hospital/tlsca/tlsca.crt
fabric.bridge.user.cert=$c/hospital/users/bridge/msp/signcerts/cert.pem
fabric.bridge.user.key=$c/hospital/users/bridge/msp/keystore/priv_sk
fabric.auditor.msp.id=AuditorMSP
fabric.auditor.peer.endpoint=$CADUCEUS_HOST:$CADUCEUS_PEER_AUDITOR_PORT
fabric.auditor.peer.host.alias=peer0.auditor.$FABRIC_DOMAIN
fabric.auditor.peer.tls.ca.cert=$c/auditor/tlsca/tlsca.crt
fabric.auditor.user.cert=$c/auditor/users/auditor/msp/signcerts/cert.pem
fabric.auditor.user.key=$c/auditor/users/auditor/msp/keystore/priv_sk
EOF
  )
}

publish() {
  install -m 600 "$PROPS_FILE" "$CONN_DIR/.fabric.properties.tmp"
  mv "$CONN_DIR/.fabric.properties.tmp" "$CONN_DIR/fabric.properties"
}

PROBE_SRC="$DEVNET_DIR/fabric/probe"
probe_prefix() { echo "$CACHE_DIR/node/fabric-probe-$(sha256sum "$PROBE_SRC/package-lock.json" | cut -c1-12)"; }

install_probe() { # npm ci of the probe's lock file into the cache, once; returns 1 when Node.js/npm cannot do it
  local prefix tmp
  prefix=$(probe_prefix)
  [[ -f $prefix/.complete ]] && return 0
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || return 1
  log "installing the Gateway readiness probe (npm ci of devnet/fabric/probe) into $prefix"
  tmp="$prefix.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  cp "$PROBE_SRC/package.json" "$PROBE_SRC/package-lock.json" "$tmp/"
  if ! (cd "$tmp" && npm ci --omit=optional --no-audit --no-fund --loglevel=error >>"$TOOL_LOG" 2>&1); then
    rm -rf "$tmp"
    log "npm ci of the probe failed (see $TOOL_LOG); falling back to the peer CLI probe"
    return 1
  fi
  touch "$tmp/.complete"
  rm -rf "$prefix"
  mv "$tmp" "$prefix"
}

_peers_known() { # _peers_known ORG: gossip on ORG's peer knows another peer of the channel (operations metrics)
  local org=$1 n
  n=$(curl -fsS --max-time 3 --cacert "$CRYPTO_DIR/$org/tlsca/tlsca.crt" \
    --cert "$CRYPTO_DIR/$org/users/admin/tls/client.crt" --key "$CRYPTO_DIR/$org/users/admin/tls/client.key" \
    "https://$CADUCEUS_HOST:$(org_ops_port "$org")/metrics" 2>/dev/null \
    | sed -n "s/^gossip_membership_total_peers_known{channel=\"$CHANNEL\"} \\([0-9.e+]*\\)$/\\1/p")
  [[ -n $n ]] && awk -v n="$n" 'BEGIN { exit !(n >= 1) }'
}

_cc_query() { # _cc_query ORG: the chaincode answers on ORG's peer
  pcli "$1" chaincode query -C "$CHANNEL" -n "$CC_NAME" -c '{"Args":["org.hyperledger.fabric:GetMetadata"]}' >/dev/null
}

wait_ready() {
  local org
  for org in "${ORGS[@]}"; do wait_for_port "$(org_chaincode_port "$org")" 60 "the $org chaincode server" "fabric-cc-$org"; done
  if install_probe; then
    # One endorsement through each org's Gateway with the two-org policy, as the middleware does it (probe.js).
    NODE_PATH="$(probe_prefix)/node_modules" node "$PROBE_SRC/probe.js" "$PROPS_FILE" "$PROBE_TIMEOUT" "${ORGS[@]}" 2>>"$TOOL_LOG" \
      || die "the network is up but a two-org endorsement through the Gateway did not succeed within ${PROBE_TIMEOUT}s; see $TOOL_LOG and $LOG_DIR/fabric-peer-*.log"
  else
    # Without Node.js: the chaincode answers on both peers and gossip knows the other org; the Gateway's discovery
    # needs one more state-info round (1 s here) to see the chaincode on the other org's peer.
    for org in "${ORGS[@]}"; do wait_until 60 "chaincode query on peer0.$org" _cc_query "$org"; done
    for org in "${ORGS[@]}"; do wait_until "$PROBE_TIMEOUT" "gossip membership of peer0.$org" _peers_known "$org"; done
    sleep 3
  fi
}

# ---------------------------------------------------------------------------------------------------------------
# Verbs

cmd_install() {
  find_bin
  log "Fabric $(_tool_version "$BIN/peer") binaries in $BIN"
  install_probe || log "Node.js/npm unavailable: up will use the peer CLI readiness probe"
}

stop_all() { # chaincode servers, then peers, then orderers; each group in parallel
  local group n
  for group in "fabric-cc-hospital fabric-cc-auditor" "fabric-peer-hospital fabric-peer-auditor" \
    "fabric-orderer0 fabric-orderer1 fabric-orderer2 fabric-orderer3"; do
    for n in $group; do
      if is_running "$n"; then log "stopping $n (pid $(cat "$PID_DIR/$n.pid"))"; fi
      stop_bg "$n" &
    done
    wait
  done
  rm -f "$PID_DIR"/fabric-cc-*.package "$FABRIC_HOME/running"
}

cmd_up() {
  local started i org
  started=$(date +%s)
  find_bin
  require_cmd jq "Install jq (apt-get install jq): the chaincode lifecycle's JSON answers are read with it."
  resolve_ordering
  if [[ -f $FABRIC_HOME/running && $(cat "$FABRIC_HOME/running") != "$ORDERING" ]]; then
    log "the $(cat "$FABRIC_HOME/running") network runs: stopping it to bring up the $ORDERING one (its state is kept)"
    stop_all
  fi
  mkdir -p "$NET_DIR"
  echo "$ORDERING" >"$FABRIC_HOME/last-ordering"
  if [[ -f $NET_DIR/config/genesis.block ]]; then
    log "bringing up the existing $ORDERING network in $NET_DIR"
  else
    log "creating a $ORDERING network in $NET_DIR (Fabric $(_tool_version "$BIN/peer") from $BIN)"
  fi
  ensure_crypto
  ensure_genesis
  echo "$ORDERING" >"$FABRIC_HOME/running"
  echo "$BIN" >"$FABRIC_HOME/bin"
  start_orderers
  start_peers
  # The chaincode servers start now too: the JVMs warm up while the channel and the lifecycle are dealt with.
  ensure_jar
  declare -gA PKG_FILE=() PKG_ID=()
  for org in "${ORGS[@]}"; do make_package "$org"; start_chaincode "$org"; done
  wait_for_nodes
  join_orderers
  join_peers
  install_packages
  deploy_definition
  write_properties
  wait_ready
  publish
  log "ready after $(elapsed_since "$started")s: $ORDERING, $ORDERER_COUNT orderer(s) from :${ORDERER_PORTS[0]}, peers :$CADUCEUS_PEER_HOSPITAL_PORT (HospitalMSP) :$CADUCEUS_PEER_AUDITOR_PORT (AuditorMSP), $CC_NAME $CC_VERSION; $CONN_DIR/fabric.properties"
}

cmd_down() {
  stop_all
  rm -f "$CONN_DIR/fabric.properties"
  if ((WIPE)); then
    log "deleting $FABRIC_HOME"
    rm -rf "$FABRIC_HOME"
  fi
}

_healthz() { # _healthz ORG: the peer's operations endpoint reports OK
  command -v curl >/dev/null 2>&1 || return 0
  curl -fsS --max-time 3 --cacert "$CRYPTO_DIR/$1/tlsca/tlsca.crt" "https://$CADUCEUS_HOST:$(org_ops_port "$1")/healthz" >/dev/null 2>&1
}

cmd_health() {
  local n i org bad=()
  if [[ ! -f $FABRIC_HOME/running ]]; then
    echo "fabric not running" >&2
    return 1
  fi
  ORDERING=$(cat "$FABRIC_HOME/running")
  set_layout
  for n in $(mode_process_names); do is_running "$n" || bad+=("$n (no process)"); done
  for ((i = 0; i < ORDERER_COUNT; i++)); do port_open "${ORDERER_PORTS[i]}" || bad+=("orderer$i :${ORDERER_PORTS[i]}"); done
  for org in "${ORGS[@]}"; do
    port_open "$(org_port "$org")" || bad+=("peer0.$org :$(org_port "$org")")
    _healthz "$org" || bad+=("peer0.$org healthz")
    port_open "$(org_chaincode_port "$org")" || bad+=("$org chaincode :$(org_chaincode_port "$org")")
  done
  if ((${#bad[@]})); then
    echo "fabric ($ORDERING) not healthy: ${bad[*]}" >&2
    return 1
  fi
  echo "fabric ($ORDERING) healthy: $ORDERER_COUNT orderer(s), 2 peers, 2 chaincode servers"
}

cmd_status() {
  local org h heights="" cc=""
  if [[ ! -f $FABRIC_HOME/running ]]; then
    ORDERING_FLAG=""
    resolve_ordering
    echo "not running (last network: $ORDERING, state $([[ -d $NET_DIR ]] && echo kept || echo none))"
    return 1
  fi
  ORDERING=$(cat "$FABRIC_HOME/running")
  set_layout
  BIN=$(cat "$FABRIC_HOME/bin" 2>/dev/null) || BIN="?"
  for org in "${ORGS[@]}"; do
    h=$(pcli "$org" channel getinfo -c "$CHANNEL" 2>/dev/null | sed -n 's/.*"height":\([0-9]*\).*/\1/p') || true
    heights+=" $org=${h:-?}"
  done
  [[ -f $NET_DIR/chaincode/deployed ]] && cc=" $CC_NAME $(cat "$NET_DIR/chaincode/deployed")"
  echo "ordering=$ORDERING orderers=$ORDERER_COUNT heights:$heights$cc bin=$BIN"
}

verb=${1:-}
[[ $# -gt 0 ]] && shift
case $verb in
  install) parse_flags install "$@"; cmd_install ;;
  up) parse_flags up "$@"; cmd_up ;;
  down) parse_flags down "$@"; cmd_down ;;
  health) parse_flags health "$@"; cmd_health ;;
  status) parse_flags status "$@"; cmd_status ;;
  *) echo "usage: $0 {install|up [--raft|--bft]|down [--wipe]|health|status}" >&2; exit 2 ;;
esac
