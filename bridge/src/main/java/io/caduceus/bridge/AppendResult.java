package io.caduceus.bridge;

import io.caduceus.core.domain.RecordId;
import io.caduceus.core.merkle.TreeHead;
import java.util.List;

/**
 * What one {@link AnchoringLog#append} did.
 *
 * @param appended  leaves added
 * @param skipped   entries whose record was already logged with the same commitment (a replayed feed, a batch
 *                  committed twice)
 * @param conflicts record ids that arrived with another commitment than the one already logged (or than an earlier
 *                  entry of the same append): not appended, the first commitment stands
 * @param head      the durable head after the append
 */
public record AppendResult(int appended, int skipped, List<RecordId> conflicts, TreeHead head) {

    public AppendResult {
        conflicts = List.copyOf(conflicts);
    }
}
