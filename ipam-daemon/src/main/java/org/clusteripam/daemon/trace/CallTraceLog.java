package org.clusteripam.daemon.trace;

import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve --trace-calls}: where the plugin socket's call trace lines go (INFO of logger
 * {@value #LOGGER}); the lines themselves are written by the protocol layer ({@code CallTrace}).
 */
public final class CallTraceLog {
  /**
   * The logger of the trace lines; it is set to INFO when tracing is on, whatever {@code
   * --log-level} says.
   */
  public static final String LOGGER = "org.clusteripam.daemon.trace";

  private CallTraceLog() {}

  /** The sink of the trace lines. */
  public static Consumer<String> sink() {
    return LoggerFactory.getLogger(LOGGER)::info;
  }

  /** Makes the trace logger write INFO lines even when the daemon logs only warnings or errors. */
  public static void enableLogger() {
    Logger l = LoggerFactory.getLogger(LOGGER);
    if (l instanceof ch.qos.logback.classic.Logger lb) {
      ch.qos.logback.classic.Level effective = lb.getEffectiveLevel();
      if (effective.toInt() > ch.qos.logback.classic.Level.INFO_INT) {
        lb.setLevel(ch.qos.logback.classic.Level.INFO);
      }
    }
  }
}
