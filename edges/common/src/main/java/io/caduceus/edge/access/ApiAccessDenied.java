package io.caduceus.edge.access;

/** A request to an operator API refused before it had any effect: 401 (who is calling?) or 403 (not allowed). */
public final class ApiAccessDenied extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String wwwAuthenticate;

    public ApiAccessDenied(int status, String reason, String wwwAuthenticate) {
        super(reason, null, false, false);
        if (status != 401 && status != 403) {
            throw new IllegalArgumentException("access is denied with 401 or 403, not " + status);
        }
        this.status = status;
        this.wwwAuthenticate = wwwAuthenticate;
    }

    public int status() {
        return status;
    }

    /** The challenge sent with the answer, or null. */
    public String wwwAuthenticate() {
        return wwwAuthenticate;
    }
}
