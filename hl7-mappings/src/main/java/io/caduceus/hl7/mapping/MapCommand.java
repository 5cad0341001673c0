package io.caduceus.hl7.mapping;

import ca.uhn.fhir.context.FhirContext;
import io.caduceus.core.keys.DeploymentKeys;
import io.caduceus.hl7.v2.Hl7Message;
import io.caduceus.hl7.v2.Hl7ParseException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * {@code ./caduceus map FILE [--canonical] [--strict] [--coverage [--json]] [--mappings DIR] [--secret-file FILE]}:
 * prints the FHIR bundle Caduceus makes of an HL7 v2 file, for integration engineers trying a message or a mapping
 * override. Lenient by default, as the middleware maps for senders not configured strict: values left out are listed
 * on stderr as the ACK's warnings would name them; {@code --strict} maps as for a strict sender. {@code --coverage}
 * prints, instead of the bundle, every populated value of the message and whether the mapping carried it, has no rule
 * for it or could not use it, with totals; {@code --json} gives the same for scripts. Resource ids are keyed
 * with the deployment secret: with {@code --secret-file} (the middleware's
 * {@code caduceus.secrets.pseudonym-secret-file}) they are the ids the middleware gives, without it they are made
 * with a throwaway key and differ on every run. Exit code 0 when mapped, 1 when the message
 * is rejected (the reason is printed as the ACK would carry it), 2 for usage errors.
 */
public final class MapCommand {

    private MapCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Path file = null;
        Path mappings = null;
        Path secretFile = null;
        boolean canonical = false;
        boolean coverage = false;
        boolean json = false;
        MappingMode mode = MappingMode.LENIENT;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--canonical" -> canonical = true;
                case "--coverage" -> coverage = true;
                case "--json" -> json = true;
                case "--strict" -> mode = MappingMode.STRICT;
                case "--mappings" -> {
                    if (++i >= args.length) {
                        return usage(err);
                    }
                    mappings = Path.of(args[i]);
                }
                case "--secret-file" -> {
                    if (++i >= args.length) {
                        return usage(err);
                    }
                    secretFile = Path.of(args[i]);
                }
                default -> {
                    if (file != null || args[i].startsWith("--")) {
                        return usage(err);
                    }
                    file = Path.of(args[i]);
                }
            }
        }
        if (file == null || json && !coverage) {
            return usage(err);
        }
        DeploymentKeys keys;
        try {
            keys = new DeploymentKeys(secretFile == null ? throwawaySecret(err) : Files.readAllBytes(secretFile));
        } catch (IOException | IllegalArgumentException e) {
            err.println("cannot use the secret file " + secretFile + ": " + e.getClass().getSimpleName());
            return 2;
        }
        try {
            Hl7ToFhirMapper.Builder builder = Hl7ToFhirMapper.builder()
                    .resourceIdKey(keys.keyFor(DeploymentKeys.Purpose.RESOURCE_ID));
            if (mappings != null) {
                builder.externalMappings(mappings);
            }
            Hl7ToFhirMapper mapper = builder.build();
            Hl7Message message = Hl7Message.parse(Files.readAllBytes(file));
            if (coverage) {
                MappingCoverage report = mapper.coverage(message, mode);
                out.print(json ? report.toJson() + "\n" : report.toText());
                return 0;
            }
            MappingResult result = mapper.map(message, mode);
            for (MappingIssue issue : result.issues()) {
                err.println("warning (ERR severity W): " + issue.location() + " " + issue.hl7ErrorCode() + " "
                        + issue.codeText() + ": " + issue.reason());
            }
            if (canonical) {
                out.println(new String(result.canonicalJson(), StandardCharsets.UTF_8));
            } else {
                out.println(FhirContext.forR4Cached().newJsonParser().setPrettyPrint(true).encodeResourceToString(result.bundle()));
            }
            return 0;
        } catch (Hl7ParseException e) {
            err.println("rejected (AR): not a parseable HL7 v2 message: " + e.getMessage());
        } catch (UnsupportedMessageException e) {
            err.println("rejected (AR): " + e.getMessage());
        } catch (MappingException e) {
            err.println("application error (AE): " + e.getMessage());
        } catch (IOException e) {
            err.println("cannot read " + file + ": " + e.getMessage());
            return 2;
        }
        return 1;
    }

    private static byte[] throwawaySecret(PrintStream err) {
        err.println("note: resource ids are made with a throwaway key; pass --secret-file with the deployment's "
                + "pseudonym secret file for the ids the middleware gives");
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return secret;
    }

    private static int usage(PrintStream err) {
        err.println("usage: ./caduceus map FILE [--canonical] [--strict] [--coverage [--json]] [--mappings DIR]"
                + " [--secret-file FILE]");
        return 2;
    }
}
