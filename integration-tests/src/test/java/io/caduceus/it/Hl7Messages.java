package io.caduceus.it;

import io.caduceus.core.domain.MessageId;
import io.caduceus.core.domain.RecordIds;
import io.caduceus.core.domain.SourceSystem;
import io.caduceus.core.keys.DeploymentKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The HL7 v2 messages integration tests send, from sender HIS^GENERAL, and the record ids they are stored under. */
public final class Hl7Messages {

    private Hl7Messages() {
    }

    /** An ADT^A04 whose MRN is derived from the control id, so every message is about its own patient. */
    public static String adt(String controlId, String surname) {
        return "MSH|^~\\&|HIS|GENERAL|CADUCEUS|HUB|20261125101500||ADT^A04^ADT_A01|" + controlId + "|P|2.5.1\r"
                + "EVN|A04|20261125101500\r"
                + "PID|1||MRN-" + controlId + "^^^GENERAL^MR||" + surname + "^Jane^^^^^L||19700101|F\r"
                + "PV1|1|O|CLINIC^^^GENERAL\r";
    }

    /** Record ids are keyed with the deployment secret: {@code ids} is the middleware's (or {@link #recordIds}). */
    public static String recordIdOf(RecordIds ids, String controlId) {
        return ids.forMessage(new MessageId(new SourceSystem("HIS", "GENERAL"), controlId)).value();
    }

    /** The record ids of a middleware whose deployment secret is {@code pseudonymSecretFile}. */
    public static RecordIds recordIds(Path pseudonymSecretFile) {
        try {
            return new RecordIds(new DeploymentKeys(Files.readAllBytes(pseudonymSecretFile)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
