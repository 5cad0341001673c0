package io.caduceus.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecordRegistryServerTest {

    @Test
    void parsesHostAndPortIncludingBracketedIpv6() {
        assertThat(RecordRegistryServer.parseAddress("127.0.0.1:9999").getPort()).isEqualTo(9999);
        assertThat(RecordRegistryServer.parseAddress("127.0.0.1:9999").getHostString()).isEqualTo("127.0.0.1");
        assertThat(RecordRegistryServer.parseAddress("[::1]:7052").getAddress().isLoopbackAddress()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"9999", ":9999", "127.0.0.1:", "127.0.0.1:port"})
    void rejectsAddressesWithoutHostOrPort(String address) {
        assertThatThrownBy(() -> RecordRegistryServer.parseAddress(address))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
