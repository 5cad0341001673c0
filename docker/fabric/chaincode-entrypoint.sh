#!/usr/bin/env bash
# Entry point of the chaincode image (docker/chaincode.Dockerfile): the RecordRegistry chaincode as a service. The
# peer dials CHAINCODE_SERVER_ADDRESS and accepts the chaincode only under the package id it installed: that is
# CORE_CHAINCODE_ID_NAME when set, else the id fabric-init wrote to $CADUCEUS_CHAINCODE_ID_FILE.
set -euo pipefail
if [[ -z ${CORE_CHAINCODE_ID_NAME:-} ]]; then
  id_file=${CADUCEUS_CHAINCODE_ID_FILE:-/var/hyperledger/artifacts/chaincode/package-id}
  if [[ ! -s $id_file ]]; then
    echo "chaincode: $id_file is missing (fabric-init writes it); or set CORE_CHAINCODE_ID_NAME" >&2
    exit 2
  fi
  CORE_CHAINCODE_ID_NAME=$(<"$id_file")
  export CORE_CHAINCODE_ID_NAME
fi
# shellcheck disable=SC2086 # the JVM options are a space-separated list on purpose
exec java ${CADUCEUS_CHAINCODE_JVM_OPTS:-} -jar /opt/caduceus/caduceus-chaincode.jar
