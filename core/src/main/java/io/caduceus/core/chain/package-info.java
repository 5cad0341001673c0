/**
 * The chain port: what anchoring needs of a public chain, in plain Java. The bridge anchors through it;
 * {@code adapters/ethereum} implements it over web3j and the composition root ({@code routes/anchor}) wires the two.
 *
 * <p>Here in core rather than in the bridge because the auditor's verifier depends on the Ethereum adapter (for the
 * registry's ABI): were the port in the bridge, the adapter would depend on the bridge and every auditor's jar would
 * carry it. Core is already on both sides' class path and keeps the port free of frameworks ({@code ArchitectureTest}).
 */
package io.caduceus.core.chain;
