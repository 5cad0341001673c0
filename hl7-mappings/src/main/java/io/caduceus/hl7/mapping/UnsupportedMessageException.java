package io.caduceus.hl7.mapping;

/** No mapping exists for this message type and trigger event (the caller answers AR). */
public final class UnsupportedMessageException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String messageType;
    private final String triggerEvent;

    UnsupportedMessageException(String messageType, String triggerEvent) {
        super("no mapping for message type " + messageType + "^" + triggerEvent);
        this.messageType = messageType;
        this.triggerEvent = triggerEvent;
    }

    public String messageType() {
        return messageType;
    }

    public String triggerEvent() {
        return triggerEvent;
    }
}
