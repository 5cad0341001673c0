package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.hl7.v2.Hl7Message;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture with the slips real feeds make ({@link FeedSlips}), under a fixed set of seeds, mapped leniently as
 * senders are by default: each mutant ends either as a Bundle the FHIR validator accepts with no error (what could not
 * be used left out and named in its OperationOutcome), or as the application error (AE, quarantine) of a required field
 * that is blank or unusable. Never as a Bundle the validator refuses.
 */
class FeedSlipMutantTest {
    static final long[] SEEDS = LongStream.rangeClosed(1, 24).toArray();

    private static final AtomicInteger MUTANTS = new AtomicInteger();
    private static final AtomicInteger BUNDLES = new AtomicInteger();
    private static final AtomicInteger WITH_ISSUES = new AtomicInteger();
    private static final AtomicInteger APPLICATION_ERRORS = new AtomicInteger();
    private static final AtomicInteger VALIDATOR_ERRORS = new AtomicInteger();

    static Stream<Arguments> mutants() {
        List<Arguments> all = new ArrayList<>();
        for (String name : Fixtures.MESSAGES) {
            for (long seed : SEEDS) {
                all.add(Arguments.of(name, seed));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("mutants")
    void mutantEndsAsAValidBundleOrARequiredFieldError(String name, long seed) throws Exception {
        String fixture = new String(Fixtures.message(name), StandardCharsets.UTF_8);
        FeedSlips.Mutant mutant = FeedSlips.mutate(fixture, seed);
        assertThat(mutant.text()).isNotEqualTo(fixture);
        MUTANTS.incrementAndGet();
        MappingResult result;
        try {
            result = Fixtures.mapper().map(Hl7Message.parse(mutant.text().getBytes(StandardCharsets.UTF_8)),
                    MappingMode.LENIENT);
        } catch (MappingException e) {
            // Lenient mapping raises only for a required field: PID-3 (101), MSH-7, or an element FHIR requires.
            APPLICATION_ERRORS.incrementAndGet();
            assertThat(e.hl7ErrorCode()).as("%s %s", mutant.slips(), e.getMessage())
                    .isIn(MappingIssue.REQUIRED_FIELD_MISSING, MappingIssue.DATA_TYPE_ERROR);
            return;
        }
        BUNDLES.incrementAndGet();
        List<String> errors = FhirValidation.errors(new String(result.canonicalJson(), StandardCharsets.UTF_8));
        VALIDATOR_ERRORS.addAndGet(errors.size());
        if (!result.issues().isEmpty()) {
            WITH_ISSUES.incrementAndGet();
            long listed = result.bundle().getEntry().stream().map(e -> e.getResource())
                    .filter(OperationOutcome.class::isInstance).mapToLong(o -> ((OperationOutcome) o).getIssue().size()).sum();
            assertThat(listed).as("every value left out is named in the OperationOutcome").isEqualTo(result.issues().size());
        }
        assertThat(errors).as("validator errors for %s seed %d after %s", name, seed, mutant.slips()).isEmpty();
    }

    @AfterAll
    static void summary() {
        System.out.printf("feed-slip mutants: %d (%d bundles, %d with values left out and named; %d AE for a required"
                + " field); validator errors: %d%n", MUTANTS.get(), BUNDLES.get(), WITH_ISSUES.get(),
                APPLICATION_ERRORS.get(), VALIDATOR_ERRORS.get());
    }
}
