package io.caduceus.edge.fhir;

import io.caduceus.core.io.DurableFiles;
import io.caduceus.core.json.CanonicalJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How far the poller got, per resource type, kept in one JSON file that is replaced atomically and synced before
 * {@link #save} returns: after a crash the poller resumes from the last page made durable, never from a later one.
 *
 * <p>The file names the server it belongs to: positions in one server's timeline mean nothing on another, so pointing
 * the poller at a new base URL with an old checkpoint file is refused rather than silently skipping content.
 */
final class FhirPollCheckpoints {

    /**
     * Everything with {@code meta.lastUpdated} before {@code since} is durable, and so are the versions listed in
     * {@code seenAtSince} that were last updated at that very instant. The next search asks for {@code ge since} and
     * skips those: content updated at the same instant but not yet seen is neither lost nor ingested twice.
     *
     * @param since the instant as the server wrote it, reused verbatim in the query; null: from the beginning
     */
    record Checkpoint(String since, Set<String> seenAtSince) {

        Checkpoint {
            seenAtSince = Set.copyOf(seenAtSince);
            if (since != null && FhirSearchPage.instant(since) == null) {
                throw new IllegalArgumentException("a poll checkpoint must be a FHIR instant");
            }
        }

        static Checkpoint startingAt(String since) {
            return new Checkpoint(since, Set.of());
        }

        Instant sinceInstant() {
            return since == null ? null : FhirSearchPage.instant(since);
        }

        /** Whether this exact version was made durable before. */
        boolean covers(FhirSearchPage.Match match) {
            return match.lastUpdatedInstant() != null && match.lastUpdatedInstant().equals(sinceInstant())
                    && seenAtSince.contains(match.versionKey());
        }

        /** The checkpoint once {@code matches} (in the server's {@code _lastUpdated} order) are durable too. */
        Checkpoint after(Collection<FhirSearchPage.Match> matches) {
            String newSince = since;
            Instant newInstant = sinceInstant();
            Set<String> seen = new LinkedHashSet<>(seenAtSince);
            for (FhirSearchPage.Match match : matches) {
                Instant at = match.lastUpdatedInstant();
                if (at == null) {
                    continue;
                }
                if (newInstant == null || at.isAfter(newInstant)) {
                    newSince = match.lastUpdated();
                    newInstant = at;
                    seen.clear();
                }
                if (at.equals(newInstant)) {
                    seen.add(match.versionKey());
                }
            }
            return new Checkpoint(newSince, seen);
        }
    }

    private final Path file;
    private final String baseUrl;
    private final String initialSince;
    private final Map<String, Checkpoint> checkpoints;

    private FhirPollCheckpoints(Path file, String baseUrl, String initialSince, Map<String, Checkpoint> checkpoints) {
        this.file = file;
        this.baseUrl = baseUrl;
        this.initialSince = initialSince;
        this.checkpoints = checkpoints;
    }

    /**
     * @param initialSince where a type without a checkpoint starts, or null for the beginning
     * @throws IllegalStateException when the file is unreadable, malformed or belongs to another server: resuming from
     *                               a guess could skip content, so the poller refuses to start instead
     */
    static FhirPollCheckpoints open(Path file, String baseUrl, String initialSince) {
        Map<String, Checkpoint> checkpoints = new TreeMap<>();
        if (initialSince != null && FhirSearchPage.instant(initialSince) == null) {
            throw new IllegalStateException("caduceus.fhir.poll.since must be a FHIR instant such as 2026-01-01T00:00:00Z");
        }
        if (!Files.exists(file)) {
            return new FhirPollCheckpoints(file, baseUrl, initialSince, checkpoints);
        }
        try {
            Object parsed = CanonicalJson.parse(Files.readString(file, StandardCharsets.UTF_8));
            if (!(parsed instanceof Map<?, ?> root) || !(root.get("types") instanceof Map<?, ?> types)) {
                throw new IllegalStateException("the FHIR poll checkpoint file " + file + " is malformed");
            }
            if (!baseUrl.equals(root.get("baseUrl"))) {
                throw new IllegalStateException("the FHIR poll checkpoint file " + file + " belongs to another server "
                        + "than caduceus.fhir.poll.base-url; move it away to poll the new server from the start");
            }
            for (Map.Entry<?, ?> type : types.entrySet()) {
                if (!(type.getValue() instanceof Map<?, ?> position) || !(position.get("seenAtSince") instanceof List<?> seen)) {
                    throw new IllegalStateException("the FHIR poll checkpoint file " + file + " is malformed");
                }
                Set<String> keys = new TreeSet<>();
                seen.forEach(k -> keys.add(String.valueOf(k)));
                Object since = position.get("since");
                checkpoints.put(String.valueOf(type.getKey()), new Checkpoint(since == null ? null : String.valueOf(since), keys));
            }
        } catch (IOException e) {
            throw new IllegalStateException("the FHIR poll checkpoint file " + file + " cannot be read", e);
        } catch (IllegalArgumentException e) {
            // The JSON reader's JsonException, or a checkpoint that is not an instant.
            throw new IllegalStateException("the FHIR poll checkpoint file " + file + " is malformed", e);
        }
        return new FhirPollCheckpoints(file, baseUrl, initialSince, checkpoints);
    }

    synchronized Checkpoint get(String resourceType) {
        return checkpoints.getOrDefault(resourceType, Checkpoint.startingAt(initialSince));
    }

    /** Records {@code checkpoint} for {@code resourceType}; on disk when it returns. */
    synchronized void save(String resourceType, Checkpoint checkpoint) {
        Map<String, Checkpoint> updated = new TreeMap<>(checkpoints);
        updated.put(resourceType, checkpoint);
        Map<String, Object> types = new TreeMap<>();
        updated.forEach((type, c) -> {
            Map<String, Object> position = new LinkedHashMap<>();
            position.put("since", c.since());
            position.put("seenAtSince", new ArrayList<>(new TreeSet<>(c.seenAtSince())));
            types.put(type, position);
        });
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("baseUrl", baseUrl);
        root.put("types", types);
        try {
            write(CanonicalJson.write(root).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("the FHIR poll checkpoint could not be saved", e);
        }
        checkpoints.put(resourceType, checkpoint);
    }

    private void write(byte[] content) throws IOException {
        DurableFiles.replace(file, content);
    }
}
