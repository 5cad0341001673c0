package io.caduceus.edge.access;

import io.caduceus.core.json.CanonicalJson;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gate in front of every operator API: the first step of each {@code /api/*} route names the roles that may call
 * it, e.g. {@code bean: {ref: apiAccess, method: "allow(*, 'operator auditor')"}}, so the routes themselves show
 * who may do what and an integration engineer adding a route sees the pattern to copy. A refused request is answered
 * here (401 or 403, a JSON error, no internal header) and stops its route, so the steps after the gate never run.
 *
 * <p>An admitted caller's client id is left in {@link #CALLER_ID} for the steps that record who asked; its
 * Authorization header is removed so that no later step (a Kafka producer, a log) can carry the token on.
 */
public final class ApiAccess {

    /** Exchange property: the admitted caller's client id (String). */
    public static final String CALLER_ID = "caduceus.api.callerId";
    /** Exchange property: the admitted caller ({@link ApiCaller}). */
    public static final String CALLER = "caduceus.api.caller";

    private static final Logger LOG = LoggerFactory.getLogger(ApiAccess.class);

    private final ApiAuthenticator authenticator;

    public ApiAccess(ApiAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    /**
     * Admits the request if its caller holds at least one of {@code roles} (space separated names of {@link ApiRole}),
     * otherwise answers it and stops the route.
     */
    public void allow(Exchange exchange, String roles) {
        Set<ApiRole> allowed = parse(roles);
        Message message = exchange.getMessage();
        try {
            // A second gate on the same request (a stricter one for part of an API) sees the caller the first one
            // admitted: the Authorization header is gone by then.
            ApiCaller caller = exchange.getProperty(CALLER, ApiCaller.class);
            if (caller == null) {
                caller = authenticator.authenticate(exchange);
            }
            if (allowed.stream().noneMatch(caller::has)) {
                throw new ApiAccessDenied(403, "this API requires the role " + describe(allowed),
                        "Bearer realm=\"caduceus\", error=\"insufficient_scope\", scope=\""
                                + allowed.stream().map(ApiRole::scope).collect(Collectors.joining(" ")) + "\"");
            }
            exchange.setProperty(CALLER, caller);
            exchange.setProperty(CALLER_ID, caller.clientId());
            message.removeHeader("Authorization");
        } catch (ApiAccessDenied denied) {
            LOG.info("{} refused with {}: {}", exchange.getFromRouteId(), denied.status(), denied.getMessage());
            refuse(exchange, denied);
        }
    }

    /** Answers a refused request and stops its route: nothing the request asked for happens. */
    static void refuse(Exchange exchange, ApiAccessDenied denied) {
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, denied.status());
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (denied.wwwAuthenticate() != null) {
            message.setHeader("WWW-Authenticate", denied.wwwAuthenticate());
        }
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("error", denied.status() == 401 ? "unauthorized" : "forbidden");
        error.put("message", denied.getMessage());
        message.setBody(CanonicalJson.write(error));
        exchange.setRouteStop(true);
    }

    static Set<ApiRole> parse(String roles) {
        if (roles == null || roles.isBlank()) {
            // A gate that admits nobody by mistake is found at once; one that admits everybody is not.
            throw new IllegalArgumentException("apiAccess.allow needs at least one role");
        }
        Set<ApiRole> parsed = EnumSet.noneOf(ApiRole.class);
        for (String name : roles.strip().split("[\\s,]+")) {
            parsed.add(ApiRole.named(name));
        }
        return parsed;
    }

    private static String describe(Set<ApiRole> roles) {
        return roles.stream().map(r -> r.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + " (scope "
                + r.scope() + ")").collect(Collectors.joining(" or "));
    }
}
