# shellcheck shell=bash
# The devnet's token issuer: an RSA key made on first use, whose public half the devnet middleware trusts
# ($CONN_DIR/auth.properties), so that `./caduceus token` can hand a newcomer a working bearer token for the FHIR API
# and the operator APIs. A deployment trusts its own authorization server instead (docs/operations.md, "Authentication").
# Sourced after common.sh.

ISSUER_DIR="$RUN_DIR/issuer"
ISSUER_KEY="$ISSUER_DIR/issuer.key"
ISSUER_PUB="$ISSUER_DIR/issuer.pub.pem"
DEVNET_ISSUER="https://issuer.devnet.caduceus.invalid"
DEVNET_AUDIENCE="caduceus-devnet"

ensure_issuer() {
  command -v openssl >/dev/null || die "openssl is needed for the devnet's token issuer (apt-get install openssl)"
  if [[ ! -s $ISSUER_KEY || ! -s $ISSUER_PUB ]]; then
    (umask 077; mkdir -p "$ISSUER_DIR"
     openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$ISSUER_KEY" 2>/dev/null
     openssl pkey -in "$ISSUER_KEY" -pubout -out "$ISSUER_PUB") || die "cannot create the devnet token issuer's key"
    log "devnet token issuer created: $ISSUER_KEY"
  fi
  write_conn auth <<PROPS
# Written by ./caduceus up: the devnet's token issuer (./caduceus token mints its tokens).
caduceus.fhir.auth.issuer = $DEVNET_ISSUER
caduceus.fhir.auth.audience = $DEVNET_AUDIENCE
caduceus.fhir.auth.public-key-file = $ISSUER_PUB
PROPS
}

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# mint_token SCOPES LIFETIME_SECONDS [CLIENT_ID]: an RS256 access token of the devnet issuer on stdout.
mint_token() {
  local scopes=$1 lifetime=$2 client=${3:-devnet-cli} now header claims input
  [[ -s $ISSUER_KEY ]] || die "no devnet token issuer yet: run ./caduceus up first"
  now=$(date +%s)
  header=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
  claims=$(printf '{"iss":"%s","aud":"%s","sub":"%s","client_id":"%s","iat":%d,"exp":%d,"jti":"%s","scope":"%s"}' \
    "$DEVNET_ISSUER" "$DEVNET_AUDIENCE" "$client" "$client" "$now" "$((now + lifetime))" \
    "$(openssl rand -hex 12)" "$scopes" | b64url)
  input="$header.$claims"
  printf '%s.%s\n' "$input" "$(printf '%s' "$input" | openssl dgst -sha256 -sign "$ISSUER_KEY" -binary | b64url)"
}
