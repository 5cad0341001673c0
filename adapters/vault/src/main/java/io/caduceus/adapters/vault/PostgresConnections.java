package io.caduceus.adapters.vault;

import io.caduceus.ingest.vault.VaultException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The PostgreSQL vault's connections: a small pool for reads and short transactions (the group-commit writer keeps a
 * connection of its own), and the translation of SQL failures into {@link VaultException}s that name no value.
 */
final class PostgresConnections {

    /** Work on one connection. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    private final String url;
    private final Properties credentials;
    private final int poolSize;
    private final BlockingQueue<Connection> idle;
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean closed;

    PostgresConnections(String url, String user, String password, int poolSize) {
        this.url = Objects.requireNonNull(url, "url");
        this.credentials = new Properties();
        credentials.setProperty("user", Objects.requireNonNull(user, "user"));
        credentials.setProperty("password", Objects.requireNonNull(password, "password"));
        credentials.setProperty("ApplicationName", "caduceus-vault");
        // Server error details can quote row values; keep them out of exception messages.
        credentials.setProperty("logServerErrorDetail", "false");
        this.poolSize = poolSize;
        this.idle = new ArrayBlockingQueue<>(poolSize);
    }

    /** Runs {@code work} in one transaction on a pooled connection, committed when it returns. */
    <T> T inTransaction(SqlWork<T> work, String what) {
        return withConnection(c -> {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }, what);
    }

    /** Runs {@code work} on a pooled connection in auto-commit mode. */
    <T> T withConnection(SqlWork<T> work, String what) {
        Connection c = null;
        boolean healthy = true;
        try {
            c = borrow();
            return work.run(c);
        } catch (SQLException e) {
            healthy = false;
            throw translate(e, what);
        } finally {
            if (c != null) {
                release(c, healthy);
            }
        }
    }

    /** A connection outside the pool, for the writer. */
    Connection connect() throws SQLException {
        return DriverManager.getConnection(url, credentials);
    }

    /** A connection outside the pool with its own login and socket deadlines, for health checks. */
    Connection connectWithin(int loginSeconds, int socketSeconds) throws SQLException {
        Properties probe = new Properties();
        probe.putAll(credentials);
        probe.setProperty("connectTimeout", Integer.toString(loginSeconds));
        probe.setProperty("loginTimeout", Integer.toString(loginSeconds));
        probe.setProperty("socketTimeout", Integer.toString(socketSeconds));
        return DriverManager.getConnection(url, probe);
    }

    /** Closes the idle connections; those borrowed are closed when they come back. */
    void close() {
        closed = true;
        Connection c;
        while ((c = idle.poll()) != null) {
            closeQuietly(c);
        }
    }

    private Connection borrow() throws SQLException {
        Connection c = idle.poll();
        if (c != null) {
            return c;
        }
        if (open.incrementAndGet() <= poolSize) {
            try {
                return connect();
            } catch (SQLException | RuntimeException e) {
                open.decrementAndGet();
                throw e;
            }
        }
        open.decrementAndGet();
        try {
            c = idle.poll(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VaultException("interrupted while waiting for a database connection", true, e);
        }
        if (c == null) {
            throw new VaultException("no database connection free within 30 s", true);
        }
        return c;
    }

    private void release(Connection c, boolean healthy) {
        try {
            if (closed || (!healthy && !c.isValid(2)) || !idle.offer(c)) {
                closeQuietly(c);
                open.decrementAndGet();
            }
        } catch (SQLException e) {
            closeQuietly(c);
            open.decrementAndGet();
        }
    }

    /** SQL errors carry statement text and sometimes parameter values; keep only the state and the class. */
    static VaultException translate(Exception e, String what) {
        if (e instanceof SQLException sql) {
            String state = sql.getSQLState() == null ? "" : sql.getSQLState();
            boolean retriable = sql instanceof SQLTransientException || sql instanceof SQLRecoverableException
                    || state.startsWith("08") || state.startsWith("40") || state.startsWith("53") || state.startsWith("57");
            return new VaultException("database failure during " + what + " (SQLState " + state + ")", retriable, sql);
        }
        return new VaultException(what + " failed: " + e.getClass().getSimpleName(), false, e);
    }

    static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is probably broken; it is replaced after this batch
        }
    }

    static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing more to do with a connection being discarded
        }
    }
}
