package org.web3j.probe;

/** Test only: stands in for a web3j class (not on the bridge's classpath), for BridgeArchitectureTest's guard. */
public final class Web3jProbe {
}
