package io.caduceus.bridge.anchoring;

import java.util.Map;

/**
 * What fills the anchoring log: the Fabric channel's committed entries, or (without Fabric) the Kafka topic. The port
 * the bridge declares; the Kafka and Fabric adapters implement it, each appending to the {@link io.caduceus.bridge.AnchoringLog}
 * it was given with the position it reached.
 */
public interface LedgerFeed extends AutoCloseable {

    void start();

    /** Called at every anchoring tick: a feed that stopped on a failure starts again from its position. */
    default void restartIfStopped() {
    }

    /** Sizes, positions and problems only: never an entry's content. */
    Map<String, Object> status();

    @Override
    void close();
}
