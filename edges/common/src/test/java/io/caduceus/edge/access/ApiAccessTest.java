package io.caduceus.edge.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class ApiAccessTest {

    @Test
    void rolesAreScopesOfTheirOwnNamespace() {
        assertThat(ApiRole.PRIVACY_OFFICER.scope()).isEqualTo("caduceus.privacy-officer");
        assertThat(ApiAccess.parse("operator  auditor")).containsExactlyInAnyOrder(ApiRole.OPERATOR, ApiRole.AUDITOR);
        assertThat(ApiAccess.parse("privacy-officer")).containsExactly(ApiRole.PRIVACY_OFFICER);
    }

    @Test
    void aGateWithoutRolesOrWithAnUnknownOneIsAMistakeNotAnOpenDoor() {
        assertThatThrownBy(() -> ApiAccess.parse(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ApiAccess.parse("operator admin")).hasMessageContaining("admin");
    }

    @Test
    void anAdmittedCallerIsRecordedAndItsTokenGoesNoFurther() {
        ApiAccess access = new ApiAccess(exchange -> new ApiCaller("ops-console", Set.of("caduceus.operator")));
        Exchange exchange = exchange("Bearer abc");
        access.allow(exchange, "operator");
        assertThat(exchange.isRouteStop()).isFalse();
        assertThat(exchange.getProperty(ApiAccess.CALLER_ID)).isEqualTo("ops-console");
        assertThat(exchange.getMessage().getHeader("Authorization")).isNull();
    }

    @Test
    void aCallerWithoutTheRoleIsAnswered403AndTheRouteStops() {
        ApiAccess access = new ApiAccess(exchange -> new ApiCaller("ops-console", Set.of("caduceus.operator")));
        Exchange exchange = exchange("Bearer abc");
        exchange.getMessage().setHeader("kafka.KEY", "pp1_x");
        access.allow(exchange, "privacy-officer");
        assertThat(exchange.isRouteStop()).isTrue();
        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(403);
        assertThat(exchange.getMessage().getHeader("kafka.KEY")).isNull();
        assertThat(exchange.getMessage().getBody(String.class)).contains("forbidden").contains("caduceus.privacy-officer");
        assertThat(exchange.getProperty(ApiAccess.CALLER_ID)).isNull();
    }

    @Test
    void anUnauthenticatedCallerIsAnswered401WithTheChallenge() {
        ApiAccess access = new ApiAccess(exchange -> {
            throw new ApiAccessDenied(401, "a bearer access token is required", "Bearer realm=\"caduceus\"");
        });
        Exchange exchange = exchange(null);
        access.allow(exchange, "operator");
        assertThat(exchange.isRouteStop()).isTrue();
        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(401);
        assertThat(exchange.getMessage().getHeader("WWW-Authenticate")).isEqualTo("Bearer realm=\"caduceus\"");
    }

    @Test
    void aSecondGateOnTheSameRequestReusesTheCallerTheFirstAdmitted() {
        AtomicInteger authentications = new AtomicInteger();
        ApiAccess access = new ApiAccess(exchange -> {
            authentications.incrementAndGet();
            return new ApiCaller("auditor-1", Set.of("caduceus.auditor"));
        });
        Exchange exchange = exchange("Bearer abc");
        access.allow(exchange, "operator auditor");
        access.allow(exchange, "auditor");
        assertThat(exchange.isRouteStop()).isFalse();
        assertThat(authentications).hasValue(1);
    }

    private static Exchange exchange(String authorization) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        if (authorization != null) {
            exchange.getMessage().setHeader("Authorization", authorization);
        }
        return exchange;
    }
}
