package io.caduceus.chaincode;

import org.hyperledger.fabric.shim.ChaincodeException;

/**
 * Why a RecordRegistry transaction was refused. The name travels as the {@link ChaincodeException} payload so that a
 * client (the Fabric adapter, the bridge) can decide between retrying, giving up and alerting without parsing messages.
 */
public enum RegistryError {
    /** Malformed JSON, a missing or ill-formatted field, a value over its length limit. Never retryable. */
    INVALID_ARGUMENT,
    /** The record id (or anchor tree size) already holds different content. Points at a bug or tampering upstream. */
    CONFLICT,
    /** Nothing stored under the requested key. */
    NOT_FOUND,
    /** The caller's MSP or role may not run this transaction. */
    FORBIDDEN,
    /** An anchor receipt would make the anchored tree shrink. */
    NON_MONOTONIC;

    /** Messages must name at most record ids and tree sizes: they end up in peer logs and client error reports. */
    ChaincodeException exception(String message) {
        return new ChaincodeException(message, name());
    }
}
