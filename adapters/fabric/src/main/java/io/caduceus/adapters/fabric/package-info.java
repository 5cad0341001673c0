/**
 * The private ledger side of Caduceus: writes ledger entries and anchor receipts to the {@code RecordRegistry}
 * chaincode through the Fabric Gateway, batches entries coming from Kafka and follows the chaincode's events.
 *
 * <p>Public types are the small contract other modules code against ({@link io.caduceus.ingest.ledger.LedgerWriter},
 * {@link io.caduceus.ingest.ledger.LedgerBatcher}, {@link io.caduceus.adapters.fabric.FabricConnection}); the
 * Gateway-backed implementations stay package-private so that the SDK can change under them.
 */
package io.caduceus.adapters.fabric;
