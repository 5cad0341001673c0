package io.caduceus.adapters.ethereum.probe;

/** Test only: stands in for a class of the Ethereum adapter, for the guard test of BridgeArchitectureTest. */
public final class EthereumAdapterProbe {
}
