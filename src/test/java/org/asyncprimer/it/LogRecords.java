package org.asyncprimer.it;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What one java.util.logging logger (and its children) records while this is open; where the application's
 * {@code System.Logger} lines end up too, the JDK's default. Closing it takes the handler off again.
 */
public final class LogRecords extends Handler implements AutoCloseable {

    /** Held strongly: java.util.logging keeps loggers only weakly, and a collected logger forgets its handler. */
    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogRecords(Logger logger) {
        this.logger = logger;
        logger.addHandler(this);
    }

    public static LogRecords of(String loggerName) {
        return new LogRecords(Logger.getLogger(loggerName));
    }

    public String loggerName() {
        return logger.getName();
    }

    /** Every record so far, in order. */
    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** Their messages, as logged (unformatted). */
    public List<String> messages() {
        return records.stream().map(LogRecord::getMessage).toList();
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
