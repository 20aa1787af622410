package org.clusteripam.daemon.serve;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * Log level control; java.util.logging and System.Logger (used by the protocol module) are routed
 * to SLF4J.
 */
public final class Logging {
  private Logging() {}

  public static Level parseLevel(String s) {
    String v = s.strip().toUpperCase(java.util.Locale.ROOT);
    if (!java.util.List.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE").contains(v)) {
      throw new IllegalArgumentException(
          "--log-level must be error, warn, info, debug or trace, got \"" + s + "\"");
    }
    return Level.toLevel(v);
  }

  public static void setLevel(Level level) {
    org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
    org.slf4j.bridge.SLF4JBridgeHandler.install();
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.ALL);
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(level);
    // Chatty libraries stay at WARN unless tracing.
    // container hosts often lack a MAC
    ((Logger) LoggerFactory.getLogger("io.netty.util.internal.MacAddressUtil"))
        .setLevel(Level.ERROR);
    for (String quiet :
        java.util.List.of(
            "org.apache.hc",
            "io.netty",
            "io.grpc",
            "io.etcd",
            "com.github.dockerjava",
            "io.vertx")) {
      ((Logger) LoggerFactory.getLogger(quiet))
          .setLevel(level.toInt() <= Level.TRACE_INT ? level : Level.WARN);
    }
  }
}
