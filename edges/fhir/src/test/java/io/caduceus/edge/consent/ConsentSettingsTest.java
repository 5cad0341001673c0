package io.caduceus.edge.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

class ConsentSettingsTest {

    private static CamelContext context(String... keyValues) {
        CamelContext context = new DefaultCamelContext();
        Properties props = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            props.setProperty(keyValues[i], keyValues[i + 1]);
        }
        context.getPropertiesComponent().setInitialProperties(props);
        return context;
    }

    @Test
    void userScopedReadsNeedConsentByDefaultWithALedgerAndNothingDoesWithout() {
        ConsentSettings with = ConsentSettings.from(context(), true);
        assertThat(with.mode()).isEqualTo(ConsentMode.USER);
        assertThat(with.cacheTime()).isEqualTo(Duration.ofSeconds(5));
        assertThat(ConsentSettings.from(context(), false).mode()).isEqualTo(ConsentMode.OFF);
    }

    @Test
    void theModeAndCacheAreConfigurable() {
        ConsentSettings s = ConsentSettings.from(context("caduceus.fhir.read.consent", " Enforce ",
                "caduceus.fhir.read.consent.cache-ms", "250", "caduceus.fhir.read.consent.cache-entries", "7"), true);
        assertThat(s).isEqualTo(new ConsentSettings(ConsentMode.ENFORCE, Duration.ofMillis(250), 7));
        assertThat(ConsentSettings.from(context("caduceus.fhir.read.consent", "off"), true).mode())
                .isEqualTo(ConsentMode.OFF);
    }

    @Test
    void enforcingWithoutALedgerOrAnUnknownModeStopsTheStart() {
        assertThatThrownBy(() -> ConsentSettings.from(context("caduceus.fhir.read.consent", "user"), false))
                .hasMessageContaining("needs the private ledger");
        assertThatThrownBy(() -> ConsentSettings.from(context("caduceus.fhir.read.consent", "always"), true))
                .hasMessageContaining("off, user or enforce");
    }
}
