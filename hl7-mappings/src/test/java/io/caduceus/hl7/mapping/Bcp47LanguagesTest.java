package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Bcp47LanguagesTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "EN, en", "en, en", "ENG, en", "eng, en", "' en ', en",
        "en-us, en-US", "EN_US, en-US", "en-US, en-US", "EN-gb, en-GB",
        "deu, de", "ger, de", "fre, fr", "fra, fr", "spa, es", "chi, zh", "zho, zh", "dut, nl", "gle, ga",
        "iw, he", "heb, he", "in, id",
        "es-419, es-419", "zh-hant, zh-Hant", "ZH_HANT_TW, zh-Hant-TW", "sr-Latn-RS, sr-Latn-RS"
    })
    void normalisesWhatSendersWriteToBcp47(String v2, String bcp47) {
        assertThat(Bcp47Languages.normalise(v2)).isEqualTo(bcp47);
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", "E", "English", "ENGLISH", "1", "xx", "xyz", "haw", "tlh", "en-XX", "en-U", "en-US-x",
        "en-US-1234", "zh-Abcd", "en--US", "en-1234", "de^German"})
    void leavesWhatItCannotVouchForAsNoTag(String v2) {
        assertThat(Bcp47Languages.normalise(v2)).isNull();
    }
}
