package io.caduceus.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/**
 * Every log line of the test JVM while a test runs, searched at the end for a canary: a surname nothing else uses,
 * so that finding it in a log line (or a logged exception) outside the vault is a leak.
 */
public final class CanaryLog {

    private final String canary;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    private CanaryLog(String canary) {
        this.canary = canary;
    }

    /** Starts collecting the root logger's lines. */
    public static CanaryLog watch(String canary) {
        CanaryLog log = new CanaryLog(canary);
        log.logs.start();
        root().addAppender(log.logs);
        return log;
    }

    /** Stops collecting and fails if any line collected names the canary. */
    public void assertNeverLogged() {
        root().detachAppender(logs);
        assertThat(logs.list).as("log lines naming the canary patient").noneMatch(e ->
                (e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
                        : ThrowableProxyUtil.asString(e.getThrowableProxy()))).contains(canary));
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
