package io.caduceus.adapters.kafka;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Authenticates the records the middleware writes to its own topics: an HMAC-SHA256 over the record's exact value
 * bytes, with a key only the middleware holds, carried in the record header {@value #HEADER} as
 * {@code <key id>:<64 hex digits>} (ASCII). A writer to the topic without the key cannot produce a record that passes
 * {@link #verify}, so the consumers that put records on the ledger or in the Merkle log refuse what a stranger wrote.
 *
 * <p>Each {@link Stream} has its own subkey, so a record authenticated for one topic (an access event) is not
 * authentic on another (the ledger entries). The key id names the key, not the stream: after a rotation, records
 * still on a topic under a previous key verify as long as that key is among the previous keys.
 */
public final class RecordMac {

    /** The record header carrying the MAC. */
    public static final String HEADER = "caduceus-mac";
    /** The smallest key accepted, in bytes. */
    public static final int MIN_KEY_BYTES = 32;

    private static final String ALGORITHM = "HmacSHA256";
    private static final String KEY_LABEL = "caduceus/kafka-record-mac/key/v1";
    private static final String KEY_ID_LABEL = "caduceus/kafka-record-mac/key-id/v1";
    private static final String STREAM_LABEL = "caduceus/kafka-record-mac/stream/v1/";
    private static final int MAC_HEX_LENGTH = 64;
    private static final HexFormat HEX = HexFormat.of();

    /** The topics whose records are authenticated, each under its own subkey. */
    public enum Stream {
        LEDGER_ENTRIES("ledger-entries"),
        ACCESS_EVENTS("access-events"),
        ERASURES("erasures");

        private final String label;

        Stream(String label) {
            this.label = label;
        }
    }

    /** The result of checking a record; only {@link #VALID} is authentic. */
    public enum Verdict {
        VALID,
        /** No {@value #HEADER} header. */
        MISSING,
        /** A header that is not {@code <key id>:<64 hex digits>}. */
        MALFORMED,
        /** A well-formed MAC under a key this middleware does not know (or no longer accepts). */
        UNKNOWN_KEY,
        /** The MAC does not match the value: written by someone without the key, or changed. */
        MISMATCH;

        public boolean valid() {
            return this == VALID;
        }
    }

    private final String currentKeyId;
    /** Key id to the stream subkeys of that key; the current key first. */
    private final Map<String, Map<Stream, SecretKeySpec>> keys;

    private RecordMac(String currentKeyId, Map<String, Map<Stream, SecretKeySpec>> keys) {
        this.currentKeyId = currentKeyId;
        this.keys = keys;
    }

    /**
     * @param current  the key that authenticates what this middleware writes (at least {@value #MIN_KEY_BYTES} bytes)
     * @param previous keys whose records are still accepted (entries written before a rotation, not yet consumed)
     */
    public static RecordMac withKeys(byte[] current, List<byte[]> previous) {
        Map<String, Map<Stream, SecretKeySpec>> keys = new LinkedHashMap<>();
        List<byte[]> all = new ArrayList<>();
        all.add(current);
        all.addAll(previous);
        String currentId = null;
        for (byte[] key : all) {
            if (key == null || key.length < MIN_KEY_BYTES) {
                throw new IllegalArgumentException("a record MAC key needs at least " + MIN_KEY_BYTES + " bytes");
            }
            String id = keyId(key);
            if (currentId == null) {
                currentId = id;
            }
            Map<Stream, SecretKeySpec> subkeys = new java.util.EnumMap<>(Stream.class);
            for (Stream stream : Stream.values()) {
                subkeys.put(stream, new SecretKeySpec(hmac(key, STREAM_LABEL + stream.label), ALGORITHM));
            }
            keys.putIfAbsent(id, subkeys);
        }
        return new RecordMac(currentId, Map.copyOf(keys));
    }

    /**
     * The record MAC key derived from another deployment secret (the pseudonym secret), under a label of its own: the
     * result reveals nothing of that secret and is unrelated to any other key derived from it.
     */
    public static byte[] deriveKey(byte[] deploymentSecret) {
        if (deploymentSecret == null || deploymentSecret.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("a deployment secret needs at least " + MIN_KEY_BYTES + " bytes");
        }
        return hmac(deploymentSecret, KEY_LABEL);
    }

    /** The id of the key that authenticates what is written now (16 hex digits; names the key, reveals nothing). */
    public String keyId() {
        return currentKeyId;
    }

    /** The {@value #HEADER} header value for {@code value} on {@code stream}, under the current key. */
    public byte[] header(Stream stream, byte[] value) {
        String mac = HEX.formatHex(mac(keys.get(currentKeyId).get(stream), value));
        return (currentKeyId + ":" + mac).getBytes(StandardCharsets.US_ASCII);
    }

    /** Checks the last {@value #HEADER} header of a record against its value. */
    public Verdict verify(Stream stream, byte[] value, Headers headers) {
        Header header = headers == null ? null : headers.lastHeader(HEADER);
        return verify(stream, value, header == null ? null : header.value());
    }

    /** Checks a {@value #HEADER} header value (null: none) against the record value (null: a tombstone). */
    public Verdict verify(Stream stream, byte[] value, byte[] header) {
        if (header == null) {
            return Verdict.MISSING;
        }
        String text = new String(header, StandardCharsets.US_ASCII);
        int colon = text.indexOf(':');
        if (colon <= 0 || text.length() - colon - 1 != MAC_HEX_LENGTH) {
            return Verdict.MALFORMED;
        }
        byte[] claimed;
        try {
            claimed = HEX.parseHex(text, colon + 1, text.length());
        } catch (IllegalArgumentException e) {
            return Verdict.MALFORMED;
        }
        Map<Stream, SecretKeySpec> subkeys = keys.get(text.substring(0, colon));
        if (subkeys == null) {
            return Verdict.UNKNOWN_KEY;
        }
        byte[] expected = mac(subkeys.get(stream), value == null ? new byte[0] : value);
        // A tombstone (null value) never verifies: the middleware writes none, and an empty value is not one.
        return value != null && MessageDigest.isEqual(expected, claimed) ? Verdict.VALID : Verdict.MISMATCH;
    }

    private static String keyId(byte[] key) {
        return HEX.formatHex(hmac(key, KEY_ID_LABEL), 0, 8);
    }

    private static byte[] hmac(byte[] key, String label) {
        return mac(new SecretKeySpec(key, ALGORITHM), label.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] mac(SecretKeySpec key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "RecordMac[key " + currentKeyId + ", " + keys.size() + " accepted]"; // never key material
    }
}
