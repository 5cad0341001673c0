package io.caduceus.edge.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class ConsoleAssetsTest {

    private final ConsoleAssets assets = new ConsoleAssets();

    @Test
    void servesOnlyTheListedFilesAndNeverResolvesAPath() {
        assertThat(ConsoleAssets.fileName(null, "/console")).isEqualTo("index.html");
        assertThat(ConsoleAssets.fileName(null, "/console/")).isEqualTo("index.html");
        assertThat(ConsoleAssets.fileName(null, "/console/console.js?v=1")).isEqualTo("console.js");
        assertThat(ConsoleAssets.fileName(null, "/console/proof-verify.js")).isEqualTo("proof-verify.js");
        assertThat(ConsoleAssets.fileName(null, "/console/../application.properties")).isNull();
        assertThat(ConsoleAssets.fileName(null, "/console/%2e%2e/logback.xml")).isNull();
        assertThat(ConsoleAssets.fileName(null, "/console/camel/quarantine.camel.yaml")).isNull();
        assertThat(ConsoleAssets.fileName(null, "/consolex")).isNull();
        assertThat(ConsoleAssets.fileName(null, "/api/console/console.js")).isNull();
        assertThat(ConsoleAssets.fileName(null, "http://127.0.0.1:8080/console/console.css")).isEqualTo("console.css");
        assertThat(ConsoleAssets.fileName("/console/console.js", null)).isEqualTo("console.js");

        Exchange missing = request("/console/application.properties");
        assets.serve(missing);
        assertThat(missing.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(404);
        assertThat(missing.getMessage().getHeader("Content-Security-Policy")).as("even a 404 is sent with the headers")
                .isEqualTo(ConsoleAssets.CONTENT_SECURITY_POLICY);
    }

    @Test
    void everyFileIsSentWithHeadersThatForbidFramingSniffingAndInlineScript() {
        for (String path : new String[] {"/console", "/console/console.js", "/console/proof-verify.js", "/console/console.css"}) {
            Exchange exchange = request(path);
            exchange.getMessage().setHeader("X-Internal", "request header");
            assets.serve(exchange);
            var m = exchange.getMessage();
            assertThat(m.getHeader(Exchange.HTTP_RESPONSE_CODE)).as(path).isEqualTo(200);
            assertThat(m.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(m.getHeader("X-Frame-Options")).isEqualTo("DENY");
            assertThat(m.getHeader("X-Internal")).as("request headers are not echoed").isNull();
            String csp = m.getHeader("Content-Security-Policy", String.class);
            assertThat(csp).contains("frame-ancestors 'none'").contains("script-src 'self'")
                    .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        }
        Exchange page = request("/console");
        assets.serve(page);
        assertThat(page.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class)).startsWith("text/html");
        String html = new String(page.getMessage().getBody(byte[].class), StandardCharsets.UTF_8);
        assertThat(html).as("the page runs only scripts from files (the CSP would block inline ones anyway)")
                .doesNotContainPattern("<script(?![^>]*\\bsrc=)").doesNotContain(" onclick=").doesNotContain(" style=");
    }

    @Test
    void theShellCarriesNoDataAndKeepsTheTokenInTheTabOnly() {
        Exchange script = request("/console/console.js");
        assets.serve(script);
        String js = new String(script.getMessage().getBody(byte[].class), StandardCharsets.UTF_8);
        assertThat(js).contains("sessionStorage").doesNotContain("localStorage").doesNotContain("document.cookie")
                .as("data goes into the page as text, never as HTML").doesNotContain("innerHTML");
    }

    private static Exchange request(String uri) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setHeader(Exchange.HTTP_URI, uri);
        return exchange;
    }
}
