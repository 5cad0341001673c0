package io.caduceus.bridge;

import io.caduceus.core.merkle.TreeHead;

/**
 * What one {@link AnchoringLog#append} did.
 *
 * @param appended leaves added
 * @param skipped  entries whose record was already logged (a replayed feed)
 * @param head     the durable head after the append
 */
public record AppendResult(int appended, int skipped, TreeHead head) {
}
