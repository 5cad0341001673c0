#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The Fabric network of docker/compose.yaml, set up from the official hyperledger/fabric-tools image. Same shape as the
# devnet's (devnet/fabric/ctl.sh): one Raft orderer, peer0.hospital (HospitalMSP) and peer0.auditor (AuditorMSP),
# channel 'caduceus' (no system channel), TLS everywhere, the RecordRegistry chaincode as a service, endorsement
# AND('HospitalMSP.peer','AuditorMSP.peer'); the nodes are compose services instead of loopback processes.
#
#   setup.sh init      service fabric-init:  crypto material if absent, the channel's genesis block, the ccaas package,
#                      and the demo edge CA with the middleware's server key store (MLLP over TLS, HTTPS)
#   setup.sh network   service fabric-setup: the orderer joins (osnadmin) and the peers join the channel, the chaincode
#                      is installed, approved by both orgs and committed, both peers answer through it, and the
#                      middleware's configuration folder gets fabric.properties and the client identities it names,
#                      tls.properties and the key store it names; the edge CA's certificate is exported for clients
#
# Both are idempotent: every `docker compose up` runs them again and they do only what is missing.
# Volumes (see compose.yaml): $CRYPTO_DIR, $ARTIFACTS_DIR and, for `network`, $CADUCEUS_MIDDLEWARE_CONFIG_DIR.
# The crypto material is the devnet's, made by devnet/fabric/crypto.sh: compose mounts docker/fabric and that file
# where they are in the repository (under /opt/caduceus), so this script finds it at the same relative path.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CRYPTO_DIR=/var/hyperledger/crypto        # configtx.yaml and orderer.yaml name paths under it
ARTIFACTS_DIR=/var/hyperledger/artifacts  # genesis block, chaincode package and its id
CHANNEL=caduceus
CC_NAME=recordregistry
CC_POLICY="AND('HospitalMSP.peer','AuditorMSP.peer')"
# The ccaas package's code is only connection.json: a new chaincode image needs no new definition. A new version
# (CADUCEUS_CHAINCODE_VERSION) makes a new package and definition (sequence + 1).
CC_VERSION=${CADUCEUS_CHAINCODE_VERSION:-1.0}
CC_LABEL="${CC_NAME}_$CC_VERSION"
# Where each peer dials its org's chaincode service: the peer image's ccaas builder fills {{.peername}} from the
# peer's CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG, so one package (one package id) serves both orgs.
CC_ADDRESS=${CADUCEUS_CHAINCODE_ADDRESS:-"chaincode-{{.peername}}:9999"}
ORGS=(hospital auditor)
ORDERER=orderer:7050
ORDERER_ADMIN=orderer:7053
PEER_PORT=7051
READY_TIMEOUT=${CADUCEUS_FABRIC_READY_TIMEOUT:-180}

log() { printf '%s fabric-setup: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# shellcheck source=../../devnet/fabric/crypto.sh
. "$SCRIPT_DIR/../../devnet/fabric/crypto.sh"

org_msp() { case $1 in hospital) echo HospitalMSP ;; auditor) echo AuditorMSP ;; *) die "unknown org $1" ;; esac; }

pcli() { # pcli ORG ARGS...: the peer CLI as ORG's admin, against ORG's peer
  local org=$1; shift
  env FABRIC_LOGGING_SPEC=warning CORE_PEER_LOCALMSPID="$(org_msp "$org")" \
    CORE_PEER_MSPCONFIGPATH="$CRYPTO_DIR/$org/users/admin/msp" CORE_PEER_ADDRESS="peer0.$org:$PEER_PORT" \
    CORE_PEER_TLS_ENABLED=true CORE_PEER_TLS_ROOTCERT_FILE="$CRYPTO_DIR/$org/tlsca/tlsca.crt" \
    peer "$@"
}

ORDERER_ARGS=(-o "$ORDERER" --tls --cafile "$CRYPTO_DIR/orderer/tlsca/tlsca.crt")

osn() { # osnadmin ARGS... against the orderer's admin endpoint, as the orderer org's admin (mutual TLS)
  osnadmin "$@" -o "$ORDERER_ADMIN" --ca-file "$CRYPTO_DIR/orderer/tlsca/tlsca.crt" \
    --client-cert "$CRYPTO_DIR/orderer/users/admin/tls/client.crt" \
    --client-key "$CRYPTO_DIR/orderer/users/admin/tls/client.key"
}

run() { # run WHAT CMD...: CMD's output is shown only when it fails
  local what=$1 out; shift
  out=$("$@" 2>&1) || die "$what failed: $out"
}

retry() { # retry SECONDS WHAT CMD...: until CMD succeeds, at most SECONDS; shows CMD's last output if it never does
  local limit=$1 what=$2 deadline out; shift 2
  deadline=$((SECONDS + limit))
  until out=$("$@" 2>&1); do
    ((SECONDS < deadline)) || die "$what did not succeed within ${limit}s: $out"
    sleep 2
  done
}

# ---------------------------------------------------------------------------------------------------------------
# init

need_openssl() {
  command -v openssl >/dev/null 2>&1 && return 0
  log "installing openssl (apt-get): the fabric-tools image has none"
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends openssl; } >/dev/null 2>&1 \
    || die "openssl is missing from the fabric-tools image and apt-get could not install it"
}

ensure_crypto() {
  [[ -f $CRYPTO_DIR/.complete ]] && return 0
  need_openssl
  log "generating crypto material in $CRYPTO_DIR (openssl, P-256)"
  mkdir -p "$CRYPTO_DIR"
  chmod 700 "$CRYPTO_DIR"
  local org
  make_org orderer
  make_identity orderer orderers orderer0 orderer
  make_tls orderer orderers orderer0 server orderer
  make_identity orderer users admin admin
  make_tls orderer users admin client
  for org in "${ORGS[@]}"; do
    make_org "$org"
    make_identity "$org" peers peer0 peer
    make_tls "$org" peers peer0 server "peer0.$org"
    make_identity "$org" users admin admin
  done
  make_identity hospital users writer client writer
  make_identity hospital users bridge client bridge
  make_identity auditor users auditor client auditor
  touch "$CRYPTO_DIR/.complete"
}

ensure_genesis() {
  local block="$ARTIFACTS_DIR/genesis.block" ca_sum
  ca_sum=$(sha256sum "$CRYPTO_DIR/orderer/tlsca/tlsca.crt" | cut -d' ' -f1)
  if [[ -f $block ]]; then
    # A genesis block made with other crypto: the crypto volume was deleted and the others were kept.
    [[ $(cat "$ARTIFACTS_DIR/genesis.crypto" 2>/dev/null) == "$ca_sum" ]] \
      || die "the genesis block in $ARTIFACTS_DIR was made with other crypto material; start over with: docker compose -f docker/compose.yaml down -v"
    return 0
  fi
  log "creating the genesis block of channel '$CHANNEL' (configtxgen, profile Caduceus)"
  run configtxgen configtxgen -configPath "$SCRIPT_DIR" -profile Caduceus -channelID "$CHANNEL" \
    -outputBlock "$block.tmp"
  mv "$block.tmp" "$block"
  echo "$ca_sum" >"$ARTIFACTS_DIR/genesis.crypto"
}

_tgz() { # _tgz DIR OUT FILE...: a reproducible tar.gz
  local dir=$1 out=$2; shift 2
  tar -C "$dir" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - "$@" | gzip -n -9 >"$out"
}

ensure_package() { # the ccaas package for CC_VERSION and, for the chaincode services, its package id
  local dir="$ARTIFACTS_DIR/chaincode" pkg tmp id
  pkg="$dir/$CC_LABEL.tar.gz"
  mkdir -p "$dir"
  if [[ ! -f $pkg ]]; then
    log "packaging $CC_LABEL (ccaas, address $CC_ADDRESS)"
    tmp=$(mktemp -d)
    mkdir -p "$tmp/code" "$tmp/pkg"
    printf '{"address":"%s","dial_timeout":"10s","tls_required":false}\n' "$CC_ADDRESS" >"$tmp/code/connection.json"
    _tgz "$tmp/code" "$tmp/pkg/code.tar.gz" connection.json
    printf '{"type":"ccaas","label":"%s"}\n' "$CC_LABEL" >"$tmp/pkg/metadata.json"
    _tgz "$tmp/pkg" "$pkg.tmp" code.tar.gz metadata.json
    mv "$pkg.tmp" "$pkg"
    rm -rf "$tmp"
  fi
  # The package id is the label and the SHA-256 of the package file (what `peer lifecycle chaincode
  # calculatepackageid` prints); fabric-setup checks it against what the peers installed.
  id="$CC_LABEL:$(sha256sum "$pkg" | cut -d' ' -f1)"
  printf '%s\n' "$id" >"$dir/package-id.tmp"
  chmod 644 "$dir/package-id.tmp"
  mv "$dir/package-id.tmp" "$dir/package-id"
}

# The demo's edge PKI: a CA of its own (not the Fabric orgs') and the middleware's server certificate, for MLLP over
# TLS and HTTPS, in a PKCS12 key store with a random password. Clients trust the CA, which fabric-setup exports.
# The certificate names the compose service, localhost, 127.0.0.1 and CADUCEUS_TLS_SERVER_NAMES (space-separated DNS
# names or IP addresses under which clients reach the published ports); a change of those names reissues it.
EDGE_DIR=$CRYPTO_DIR/edge

_edge_names() { # the subjectAltName value for the server certificate
  local names="DNS:middleware, DNS:localhost, IP:127.0.0.1" name extra
  read -ra extra <<<"${CADUCEUS_TLS_SERVER_NAMES:-}"
  for name in "${extra[@]}"; do
    if [[ $name =~ ^[0-9.]+$ || $name == *:* ]]; then names+=", IP:$name"; else names+=", DNS:$name"; fi
  done
  echo "$names"
}

ensure_edge_tls() {
  local names
  names=$(_edge_names)
  if [[ -f $EDGE_DIR/server.p12 && $(cat "$EDGE_DIR/server.names" 2>/dev/null) == "$names" ]]; then return 0; fi
  need_openssl
  mkdir -p "$EDGE_DIR"
  chmod 700 "$EDGE_DIR"
  _make_ca "$EDGE_DIR" ca "/O=caduceus demo/CN=Caduceus demo edge CA"
  log "issuing the middleware's TLS server certificate ($names)"
  _issue "$EDGE_DIR/ca.crt" "$EDGE_DIR/ca.key" "$EDGE_DIR/server.key" "$EDGE_DIR/server.crt" "/O=caduceus demo/CN=middleware" \
    "keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $names"
  [[ -s $EDGE_DIR/server.p12.password ]] \
    || (umask 077 && openssl rand -hex 24 >"$EDGE_DIR/server.p12.password") || die "openssl could not make a password"
  (umask 077 && openssl pkcs12 -export -name middleware -inkey "$EDGE_DIR/server.key" -in "$EDGE_DIR/server.crt" \
    -certfile "$EDGE_DIR/ca.crt" -passout "file:$EDGE_DIR/server.p12.password" -out "$EDGE_DIR/server.p12.tmp") \
    || die "openssl could not write the middleware's PKCS12 key store"
  mv "$EDGE_DIR/server.p12.tmp" "$EDGE_DIR/server.p12"
  chmod 600 "$EDGE_DIR"/*.key "$EDGE_DIR/server.p12" "$EDGE_DIR/server.p12.password"
  echo "$names" >"$EDGE_DIR/server.names"
}

cmd_init() {
  mkdir -p "$ARTIFACTS_DIR"
  ensure_crypto
  ensure_edge_tls
  ensure_genesis
  ensure_package
  log "init done: crypto, genesis block, package $(cat "$ARTIFACTS_DIR/chaincode/package-id")"
}

# ---------------------------------------------------------------------------------------------------------------
# network

join_orderer() {
  local out
  out=$(osn channel list --channelID "$CHANNEL" 2>&1) || true
  [[ $out == *"Status: 200"* ]] && return 0
  log "the orderer joins channel '$CHANNEL' (osnadmin channel join)"
  out=$(osn channel join --channelID "$CHANNEL" --config-block "$ARTIFACTS_DIR/genesis.block" 2>&1) || true
  [[ $out == *"Status: 201"* ]] || die "the orderer could not join '$CHANNEL': $out"
}

_joined() { pcli "$1" channel list 2>/dev/null | grep -qx "$CHANNEL"; }
_join() { _joined "$1" || pcli "$1" channel join -b "$ARTIFACTS_DIR/genesis.block"; }

join_peers() {
  local org
  for org in "${ORGS[@]}"; do
    _joined "$org" && continue
    log "peer0.$org joins channel '$CHANNEL'"
    # The orderer may need a moment after its join before it serves the channel to a peer.
    retry 60 "peer0.$org channel join" _join "$org"
  done
}

_installed() { pcli "$1" lifecycle chaincode queryinstalled -O json 2>/dev/null | grep -qF "\"$PKG_ID\""; }

install_package() {
  local org
  for org in "${ORGS[@]}"; do
    _installed "$org" && continue
    log "installing $CC_LABEL on peer0.$org"
    run "install on peer0.$org" pcli "$org" lifecycle chaincode install "$ARTIFACTS_DIR/chaincode/$CC_LABEL.tar.gz"
    _installed "$org" || die "peer0.$org does not list package $PKG_ID after installing it"
  done
}

_approved() { # _approved ORG SEQ: ORG approved this version and package as sequence SEQ
  local approved
  approved=$(pcli "$1" lifecycle chaincode queryapproved -C "$CHANNEL" -n "$CC_NAME" --sequence "$2" -O json 2>/dev/null) \
    || return 1
  [[ $(jq -r '.version // ""' <<<"$approved") == "$CC_VERSION" \
    && $(jq -r '.source.Type.LocalPackage.package_id // ""' <<<"$approved") == "$PKG_ID" ]]
}

_committed() { # _committed SEQ: the channel runs this version as sequence SEQ
  local committed
  committed=$(pcli hospital lifecycle chaincode querycommitted -C "$CHANNEL" -n "$CC_NAME" -O json 2>/dev/null) || return 1
  [[ $(jq -r '.version // ""' <<<"$committed") == "$CC_VERSION" && $(jq -r '.sequence // 0' <<<"$committed") == "$1" ]]
}

# Each step checks first, so that a retry after a failure the orderer reported (no Raft leader yet) or a timeout
# that hid a success does not submit the same definition twice.
_approve() { # _approve ORG SEQ
  _approved "$1" "$2" && return 0
  pcli "$1" lifecycle chaincode approveformyorg "${ORDERER_ARGS[@]}" -C "$CHANNEL" -n "$CC_NAME" -v "$CC_VERSION" \
    --package-id "$PKG_ID" --sequence "$2" --signature-policy "$CC_POLICY" --waitForEventTimeout 60s
}

_commit() { # _commit SEQ
  _committed "$1" && return 0
  pcli hospital lifecycle chaincode commit "${ORDERER_ARGS[@]}" -C "$CHANNEL" -n "$CC_NAME" -v "$CC_VERSION" \
    --sequence "$1" --signature-policy "$CC_POLICY" --waitForEventTimeout 60s \
    --peerAddresses "peer0.hospital:$PEER_PORT" --tlsRootCertFiles "$CRYPTO_DIR/hospital/tlsca/tlsca.crt" \
    --peerAddresses "peer0.auditor:$PEER_PORT" --tlsRootCertFiles "$CRYPTO_DIR/auditor/tlsca/tlsca.crt"
}

deploy_definition() { # approve for both orgs and commit, only what is not done yet
  local committed seq version org
  committed=$(pcli hospital lifecycle chaincode querycommitted -C "$CHANNEL" -n "$CC_NAME" -O json 2>/dev/null) || committed='{}'
  seq=$(jq -r '.sequence // 0' <<<"$committed")
  version=$(jq -r '.version // ""' <<<"$committed")
  [[ $version == "$CC_VERSION" ]] && return 0
  seq=$((seq + 1))
  log "deploying $CC_NAME version $CC_VERSION as sequence $seq${version:+ (was $version)}"
  for org in "${ORGS[@]}"; do
    _approved "$org" "$seq" && continue
    log "$(org_msp "$org") approves $CC_NAME $CC_VERSION (sequence $seq)"
    retry 120 "approval by $(org_msp "$org")" _approve "$org" "$seq"
  done
  log "committing $CC_NAME $CC_VERSION (sequence $seq, endorsement $CC_POLICY)"
  retry 120 "commit of $CC_NAME $CC_VERSION" _commit "$seq"
}

_cc_query() { # _cc_query ORG: the chaincode answers on ORG's peer (the peer dials the org's chaincode service)
  pcli "$1" chaincode query -C "$CHANNEL" -n "$CC_NAME" -c '{"Args":["org.hyperledger.fabric:GetMetadata"]}'
}

wait_ready() {
  local org
  for org in "${ORGS[@]}"; do
    retry "$READY_TIMEOUT" "a chaincode query on peer0.$org" _cc_query "$org"
  done
}

_put() { # _put SRC DEST: a copy the middleware's user alone can read
  install -m 600 -o "$MIDDLEWARE_UID" -g "$MIDDLEWARE_UID" "$1" "$2"
}

write_middleware_config() { # fabric.properties, the identities it names, and the deployer's own *.properties
  local dir=$MIDDLEWARE_CONFIG_DIR new f name org user
  new="$dir/.fabric.new"
  rm -rf "$new"
  install -d -m 700 -o "$MIDDLEWARE_UID" -g "$MIDDLEWARE_UID" "$new" "$new/tlsca" "$new/users"
  for org in "${ORGS[@]}"; do _put "$CRYPTO_DIR/$org/tlsca/tlsca.crt" "$new/tlsca/$org.crt"; done
  for user in hospital/writer hospital/bridge auditor/auditor; do
    name=${user#*/}
    install -d -m 700 -o "$MIDDLEWARE_UID" -g "$MIDDLEWARE_UID" "$new/users/$name"
    _put "$CRYPTO_DIR/${user%/*}/users/$name/msp/signcerts/cert.pem" "$new/users/$name/cert.pem"
    _put "$CRYPTO_DIR/${user%/*}/users/$name/msp/keystore/priv_sk" "$new/users/$name/key.pem"
  done
  rm -rf "$dir/fabric"
  mv "$new" "$dir/fabric"
  local c="$dir/fabric"
  cat >"$dir/.fabric.properties.tmp" <<PROPS
# Written by docker/fabric/setup.sh (service fabric-setup): the compose Fabric network, TLS on.
fabric.channel=$CHANNEL
fabric.chaincode=$CC_NAME
fabric.ordering=raft
fabric.peers=hospital,auditor
fabric.orderer.endpoints=$ORDERER
fabric.hospital.msp.id=HospitalMSP
fabric.hospital.peer.endpoint=peer0.hospital:$PEER_PORT
fabric.hospital.peer.host.alias=peer0.hospital.$FABRIC_DOMAIN
fabric.hospital.peer.tls.ca.cert=$c/tlsca/hospital.crt
fabric.hospital.user.cert=$c/users/writer/cert.pem
fabric.hospital.user.key=$c/users/writer/key.pem
fabric.bridge.msp.id=HospitalMSP
fabric.bridge.peer.endpoint=peer0.hospital:$PEER_PORT
fabric.bridge.peer.host.alias=peer0.hospital.$FABRIC_DOMAIN
fabric.bridge.peer.tls.ca.cert=$c/tlsca/hospital.crt
fabric.bridge.user.cert=$c/users/bridge/cert.pem
fabric.bridge.user.key=$c/users/bridge/key.pem
fabric.auditor.msp.id=AuditorMSP
fabric.auditor.peer.endpoint=peer0.auditor:$PEER_PORT
fabric.auditor.peer.host.alias=peer0.auditor.$FABRIC_DOMAIN
fabric.auditor.peer.tls.ca.cert=$c/tlsca/auditor.crt
fabric.auditor.user.cert=$c/users/auditor/cert.pem
fabric.auditor.user.key=$c/users/auditor/key.pem
PROPS
  # The deployer's files (docker/config) replace the previous copies; one named fabric.properties or tls.properties
  # replaces ours.
  for f in "$dir"/*.properties; do
    if [[ -e $f && $(basename "$f") != fabric.properties && $(basename "$f") != tls.properties ]]; then rm -f "$f"; fi
  done
  _put "$dir/.fabric.properties.tmp" "$dir/.fabric.properties.new"
  rm -f "$dir/.fabric.properties.tmp"
  mv "$dir/.fabric.properties.new" "$dir/fabric.properties"
  write_middleware_tls
  if [[ -n ${SITE_CONFIG_DIR:-} && -d $SITE_CONFIG_DIR ]]; then
    for f in "$SITE_CONFIG_DIR"/*.properties; do
      [[ -f $f ]] || continue
      name=$(basename "$f")
      [[ $name != fabric.properties && $name != tls.properties ]] || log "docker/config/$name replaces the generated one"
      _put "$f" "$dir/.$name.new"
      mv "$dir/.$name.new" "$dir/$name"
    done
  fi
}

write_middleware_tls() { # tls.properties: both listeners over TLS with the edge CA's server key store; the CA exported
  local dir=$MIDDLEWARE_CONFIG_DIR new t owner
  [[ -s $EDGE_DIR/server.p12 && -s $EDGE_DIR/server.p12.password ]] || die "fabric-init has not made the edge key store"
  new="$dir/.tls.new"
  rm -rf "$new"
  install -d -m 700 -o "$MIDDLEWARE_UID" -g "$MIDDLEWARE_UID" "$new"
  _put "$EDGE_DIR/server.p12" "$new/server.p12"
  _put "$EDGE_DIR/server.p12.password" "$new/server.p12.password"
  _put "$EDGE_DIR/ca.crt" "$new/ca.crt"
  rm -rf "$dir/tls"
  mv "$new" "$dir/tls"
  t="$dir/tls"
  (umask 077 && cat >"$dir/.tls.properties.tmp") <<TLSPROPS
# Written by docker/fabric/setup.sh (service fabric-setup): MLLP over TLS and HTTPS with the demo edge CA's server
# certificate. Client certificates are not asked for: see docker/config/README.md to require them.
caduceus.mllp.tls.enabled=true
camel.ssl.enabled=true
camel.ssl.key-store=file:$t/server.p12
camel.ssl.keystore-password=$(head -n 1 "$EDGE_DIR/server.p12.password")
camel.component.netty.use-global-ssl-context-parameters=true
caduceus.fhir.tls.enabled=true
caduceus.fhir.tls.key-store=$t/server.p12
caduceus.fhir.tls.key-store-password-file=$t/server.p12.password
TLSPROPS
  _put "$dir/.tls.properties.tmp" "$dir/.tls.properties.new"
  rm -f "$dir/.tls.properties.tmp"
  mv "$dir/.tls.properties.new" "$dir/tls.properties"
  # The CA certificate is public: readable, and owned by whoever owns the export folder (docker/tls on the host).
  if [[ -n ${TLS_EXPORT_DIR:-} && -d $TLS_EXPORT_DIR ]]; then
    owner=$(stat -c %u:%g "$TLS_EXPORT_DIR")
    # Some bind-mount file systems (Docker Desktop) refuse chown: the certificate is public, root may own it then.
    install -m 644 -o "${owner%:*}" -g "${owner#*:}" "$EDGE_DIR/ca.crt" "$TLS_EXPORT_DIR/caduceus-edge-ca.crt" 2>/dev/null \
      || install -m 644 "$EDGE_DIR/ca.crt" "$TLS_EXPORT_DIR/caduceus-edge-ca.crt"
    log "clients of MLLP (2575) and HTTPS (8443) trust docker/tls/caduceus-edge-ca.crt"
  fi
}

cmd_network() {
  MIDDLEWARE_CONFIG_DIR=${CADUCEUS_MIDDLEWARE_CONFIG_DIR:?CADUCEUS_MIDDLEWARE_CONFIG_DIR must name the middleware configuration volume}
  MIDDLEWARE_UID=${CADUCEUS_MIDDLEWARE_UID:-10001}
  SITE_CONFIG_DIR=${CADUCEUS_SITE_CONFIG_DIR:-}
  TLS_EXPORT_DIR=${CADUCEUS_TLS_EXPORT_DIR:-}
  [[ -f $CRYPTO_DIR/.complete && -f $ARTIFACTS_DIR/genesis.block && -s $ARTIFACTS_DIR/chaincode/package-id ]] \
    || die "fabric-init has not run (no crypto, genesis block or package id)"
  PKG_ID=$(cat "$ARTIFACTS_DIR/chaincode/package-id")
  [[ $PKG_ID == "$CC_LABEL:"* ]] || die "package id $PKG_ID is not for $CC_LABEL: run fabric-init again"
  retry 60 "osnadmin on $ORDERER_ADMIN" osn channel list
  join_orderer
  join_peers
  install_package
  deploy_definition
  wait_ready
  write_middleware_config
  log "ready: channel '$CHANNEL', $CC_NAME $CC_VERSION ($PKG_ID) on peer0.hospital and peer0.auditor; $MIDDLEWARE_CONFIG_DIR/fabric.properties"
}

case ${1:-} in
  init) cmd_init ;;
  network) cmd_network ;;
  *) echo "usage: $0 {init|network}" >&2; exit 2 ;;
esac
