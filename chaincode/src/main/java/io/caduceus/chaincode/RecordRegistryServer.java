package io.caduceus.chaincode;

import java.net.InetSocketAddress;
import org.hyperledger.fabric.contract.ContractRouter;
import org.hyperledger.fabric.shim.ChaincodeServer;
import org.hyperledger.fabric.shim.ChaincodeServerProperties;
import org.hyperledger.fabric.shim.NettyChaincodeServer;

/**
 * Runs the RecordRegistry as a chaincode service: the peer dials this process (no Docker, no chaincode build on the
 * peer). Reads {@code CHAINCODE_SERVER_ADDRESS} (host:port to listen on) and {@code CORE_CHAINCODE_ID_NAME} (the
 * package id the peer was given at install time); TLS settings ({@code CORE_PEER_TLS_ENABLED} and the key/cert files)
 * are picked up by the shim from the same environment.
 */
public final class RecordRegistryServer {

    static final String ENV_ADDRESS = "CHAINCODE_SERVER_ADDRESS";
    static final String ENV_ID = "CORE_CHAINCODE_ID_NAME";

    private RecordRegistryServer() {
    }

    public static void main(String[] args) throws Exception {
        String address = require(ENV_ADDRESS);
        require(ENV_ID);
        // The router reads the chaincode id and TLS settings from the environment and finds @Contract classes itself.
        ContractRouter router = new ContractRouter(args);
        ChaincodeServerProperties properties = router.getChaincodeServerConfig();
        properties.setServerAddress(parseAddress(address));
        ChaincodeServer server = new NettyChaincodeServer(router, properties);
        router.startRouterWithChaincodeServer(server);
    }

    /** Fails with the variable's name rather than deep inside the shim with a NullPointerException. */
    private static String require(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            System.err.println(name + " must be set (see chaincode/README)");
            System.exit(2);
        }
        return value.strip();
    }

    static InetSocketAddress parseAddress(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException(ENV_ADDRESS + " must be host:port");
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, Integer.parseInt(address.substring(colon + 1)));
    }
}
