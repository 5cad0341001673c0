package io.caduceus.routes.anchor;

import java.util.Map;

/** What fills the anchoring log: the Fabric channel's committed entries, or (without Fabric) the Kafka topic. */
interface LedgerFeed extends AutoCloseable {

    void start();

    /** Called at every anchoring tick: a feed that stopped on a failure starts again from its position. */
    default void restartIfStopped() {
    }

    /** Sizes, positions and problems only: never an entry's content. */
    Map<String, Object> status();

    @Override
    void close();
}
