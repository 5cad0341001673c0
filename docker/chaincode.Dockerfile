# The RecordRegistry chaincode as a service (chaincode/README.md), for the chaincode-hospital and chaincode-auditor
# services of compose.yaml. Build from the repository root:
#   docker build -f docker/chaincode.Dockerfile -t caduceus/chaincode:dev .
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
# The chaincode module alone: its parent is read from ../pom.xml, the other modules are not needed.
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY chaincode chaincode
RUN ./mvnw -B -ntp -f chaincode/pom.xml -DskipTests package

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10002 chaincode
WORKDIR /opt/caduceus
COPY --from=build /src/chaincode/target/caduceus-chaincode.jar ./
COPY docker/fabric/chaincode-entrypoint.sh /usr/local/bin/caduceus-chaincode
USER chaincode
# The shim's ContractRouter logs every invocation with its arguments at INFO: WARNING keeps them out of the log.
# No TLS between peer and chaincode: the shim cannot demand the peer's client certificate, so compose puts each
# chaincode service on a network only its peer is on (as the devnet binds it to loopback).
ENV CHAINCODE_SERVER_ADDRESS=0.0.0.0:9999 \
    CORE_CHAINCODE_LOGGING_LEVEL=WARNING \
    CORE_CHAINCODE_LOGGING_SHIM=WARNING \
    CORE_PEER_TLS_ENABLED=false \
    CADUCEUS_CHAINCODE_JVM_OPTS="-Xms64m -Xmx256m -XX:+UseSerialGC"
EXPOSE 9999
ENTRYPOINT ["/usr/local/bin/caduceus-chaincode"]
