# shellcheck shell=bash
# Crypto material of the devnet's Fabric network, made with openssl (no cryptogen, no CA server). The one copy: sourced
# by ctl.sh and by docker/fabric/setup.sh (compose mounts this file), each defining CRYPTO_DIR and die first.
#
# Per org: a signing CA and a TLS CA (P-256, self-signed, 10 years), the org's verifying MSP (msp/: cacerts,
# tlscacerts, config.yaml with NodeOUs) and one folder per node or user:
#   <org>/ca/ca.crt ca.key              <org>/tlsca/tlsca.crt tlsca.key
#   <org>/msp/{cacerts,tlscacerts,config.yaml}
#   <org>/<kind>s/<name>/msp/{signcerts/cert.pem,keystore/priv_sk,cacerts,tlscacerts,config.yaml}
#   <org>/<kind>s/<name>/tls/{server.crt,server.key,ca.crt}     nodes (orderers, peers)
#   <org>/users/<name>/tls/{client.crt,client.key,ca.crt}       users that need a TLS client certificate
# Identity certificates carry OU=peer|orderer|admin|client, the NodeOU that classifies them. Client certificates can
# carry Fabric's attribute extension (OID 1.2.3.4.5.6.7.8.1, value the bytes of {"attrs":{...}}, as fabric-ca writes
# it), which the chaincode reads for caduceus.role. TLS certificates name the node (<name>.<org>.caduceus.local),
# localhost, 127.0.0.1 and, when make_tls is given one, a HOST (compose: the node's service name, e.g. peer0.hospital).
# Every private key is PKCS#8 PEM, mode 0600.

FABRIC_DOMAIN=caduceus.local
CERT_DAYS=3650

_openssl_conf() { # the minimal config openssl req needs, so the system's openssl.cnf does not matter
  local f="$1/openssl.cnf"
  [[ -f $f ]] || printf '[req]\ndistinguished_name = dn\nprompt = no\n[dn]\n' >"$f"
  echo "$f"
}

_serial() { echo "0x7$(openssl rand -hex 15)"; } # positive, 124 random bits

_new_key() { # _new_key FILE
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null) \
    || die "openssl could not make a P-256 key ($1)"
  chmod 600 "$1"
}

_make_ca() { # _make_ca DIR NAME SUBJECT: DIR/NAME.crt and DIR/NAME.key
  local dir=$1 name=$2 subj=$3 conf ext
  [[ -f $dir/$name.crt && -f $dir/$name.key ]] && return 0
  mkdir -p "$dir"
  conf=$(_openssl_conf "$CRYPTO_DIR")
  ext="$dir/$name.ext"
  cat >"$ext" <<'EOF'
[v3]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, keyEncipherment, keyCertSign, cRLSign
extendedKeyUsage = clientAuth, serverAuth
subjectKeyIdentifier = hash
EOF
  _new_key "$dir/$name.key"
  openssl req -new -config "$conf" -key "$dir/$name.key" -subj "$subj" 2>/dev/null \
    | openssl x509 -req -signkey "$dir/$name.key" -set_serial "$(_serial)" -days "$CERT_DAYS" -sha256 \
      -extfile "$ext" -extensions v3 -out "$dir/$name.crt" 2>/dev/null \
    || die "openssl could not make the CA certificate $dir/$name.crt"
  rm -f "$ext"
}

_issue() { # _issue CA_CRT CA_KEY KEY_OUT CERT_OUT SUBJECT EXTENSION_LINES
  local ca_crt=$1 ca_key=$2 key=$3 crt=$4 subj=$5 exts=$6 conf ext
  conf=$(_openssl_conf "$CRYPTO_DIR")
  ext="$crt.ext"
  printf '[v3]\nbasicConstraints = critical, CA:FALSE\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n%s\n' \
    "$exts" >"$ext"
  _new_key "$key"
  openssl req -new -config "$conf" -key "$key" -subj "$subj" 2>/dev/null \
    | openssl x509 -req -CA "$ca_crt" -CAkey "$ca_key" -set_serial "$(_serial)" -days "$CERT_DAYS" -sha256 \
      -extfile "$ext" -extensions v3 -out "$crt" 2>/dev/null \
    || die "openssl could not issue $crt"
  rm -f "$ext"
}

_attrs_ext() { # _attrs_ext ROLE: the extension line for {"attrs":{"caduceus.role":ROLE}}
  local json hex
  json=$(printf '{"attrs":{"caduceus.role":"%s"}}' "$1")
  hex=$(printf '%s' "$json" | od -An -v -tx1 | tr -d ' \n')
  echo "1.2.3.4.5.6.7.8.1 = DER:$hex"
}

_org_dir() { echo "$CRYPTO_DIR/$1"; }

make_org() { # make_org ORG MSPID: the two CAs and the verifying MSP
  local org=$1 d
  d=$(_org_dir "$org")
  _make_ca "$d/ca" ca "/C=US/O=$org.$FABRIC_DOMAIN/CN=ca.$org.$FABRIC_DOMAIN"
  _make_ca "$d/tlsca" tlsca "/C=US/O=$org.$FABRIC_DOMAIN/CN=tlsca.$org.$FABRIC_DOMAIN"
  _fill_msp "$d/msp" "$org"
}

_fill_msp() { # _fill_msp MSP_DIR ORG: cacerts, tlscacerts, config.yaml (NodeOUs)
  local msp=$1 d
  d=$(_org_dir "$2")
  mkdir -p "$msp/cacerts" "$msp/tlscacerts"
  cp "$d/ca/ca.crt" "$msp/cacerts/ca.crt"
  cp "$d/tlsca/tlsca.crt" "$msp/tlscacerts/tlsca.crt"
  cat >"$msp/config.yaml" <<'EOF'
NodeOUs:
  Enable: true
  ClientOUIdentifier:
    Certificate: cacerts/ca.crt
    OrganizationalUnitIdentifier: client
  PeerOUIdentifier:
    Certificate: cacerts/ca.crt
    OrganizationalUnitIdentifier: peer
  AdminOUIdentifier:
    Certificate: cacerts/ca.crt
    OrganizationalUnitIdentifier: admin
  OrdererOUIdentifier:
    Certificate: cacerts/ca.crt
    OrganizationalUnitIdentifier: orderer
EOF
}

make_identity() { # make_identity ORG KIND NAME OU [ROLE]: KIND is orderers|peers|users; ROLE adds caduceus.role
  local org=$1 kind=$2 name=$3 ou=$4 role=${5:-} d dir cn exts
  d=$(_org_dir "$org")
  dir="$d/$kind/$name"
  [[ -f $dir/msp/signcerts/cert.pem && -f $dir/msp/keystore/priv_sk ]] && return 0
  _fill_msp "$dir/msp" "$org"
  mkdir -p "$dir/msp/signcerts" "$dir/msp/keystore"
  chmod 700 "$dir/msp/keystore"
  if [[ $kind == users ]]; then cn="$name@$org.$FABRIC_DOMAIN"; else cn="$name.$org.$FABRIC_DOMAIN"; fi
  exts="keyUsage = critical, digitalSignature"
  [[ -z $role ]] || exts+=$'\n'"$(_attrs_ext "$role")"
  _issue "$d/ca/ca.crt" "$d/ca/ca.key" "$dir/msp/keystore/priv_sk" "$dir/msp/signcerts/cert.pem" \
    "/C=US/O=$org.$FABRIC_DOMAIN/OU=$ou/CN=$cn" "$exts"
}

make_tls() { # make_tls ORG KIND NAME server|client [HOST]: a TLS certificate from the org's TLS CA, HOST an extra name
  local org=$1 kind=$2 name=$3 side=$4 host=${5:-} d dir cn san
  d=$(_org_dir "$org")
  dir="$d/$kind/$name/tls"
  [[ -f $dir/$side.crt && -f $dir/$side.key ]] && return 0
  mkdir -p "$dir"
  chmod 700 "$dir"
  if [[ $kind == users ]]; then cn="$name@$org.$FABRIC_DOMAIN"; else cn="$name.$org.$FABRIC_DOMAIN"; fi
  san="DNS:$cn, DNS:localhost, IP:127.0.0.1"
  [[ -z $host ]] || san="DNS:$host, $san"
  _issue "$d/tlsca/tlsca.crt" "$d/tlsca/tlsca.key" "$dir/$side.key" "$dir/$side.crt" "/C=US/O=$org.$FABRIC_DOMAIN/CN=$cn" \
    "keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = $san"
  cp "$d/tlsca/tlsca.crt" "$dir/ca.crt"
}
