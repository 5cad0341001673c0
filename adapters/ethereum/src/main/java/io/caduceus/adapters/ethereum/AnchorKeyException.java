package io.caduceus.adapters.ethereum;

/**
 * The anchoring key cannot be opened or created as configured (missing keystore, wrong password, a key file others
 * can read): an operator's job, never retried on its own. Names files and settings, never their content.
 */
public class AnchorKeyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public AnchorKeyException(String message) {
        super(message);
    }
}
