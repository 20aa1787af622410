package org.clusteripam.daemon.trace;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import org.clusteripam.daemon.Cli;
import org.clusteripam.daemon.serve.Daemon;
import org.clusteripam.daemon.serve.DaemonConfig;
import org.clusteripam.daemon.serve.DaemonProcess;
import org.clusteripam.daemon.serve.ServeCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * {@code serve --trace-calls}: the option, and the trace lines of calls Docker makes over the
 * plugin socket.
 */
class TraceCallsDaemonTest {
  @TempDir Path dir;
  final Logger traceLogger = (Logger) LoggerFactory.getLogger(CallTraceLog.LOGGER);
  final ListAppender<ILoggingEvent> captured = new ListAppender<>();

  @BeforeEach
  void capture() {
    captured.start();
    traceLogger.addAppender(captured);
  }

  @AfterEach
  void release() {
    traceLogger.detachAppender(captured);
    traceLogger.setLevel(null);
  }

  DaemonConfig config(String... extra) {
    ServeCommand serve = new ServeCommand();
    String[] base = {
      "--node-id",
      "h1",
      "--state-dir",
      dir.resolve("state").toString(),
      "--socket",
      dir.resolve("p.sock").toString(),
      "--metrics",
      "off",
      "--docker-host",
      "unix://" + dir.resolve("no-docker.sock"),
      "--load-balancer",
      "off"
    };
    String[] args =
        java.util.stream.Stream.concat(
                java.util.Arrays.stream(base), java.util.Arrays.stream(extra))
            .toArray(String[]::new);
    new CommandLine(serve).parseArgs(args);
    return serve.config();
  }

  @Test
  void theOptionIsOffByDefaultAndTakesTrueOrFalse() {
    assertThat(config().traceCalls()).isFalse();
    assertThat(config("--trace-calls").traceCalls()).isTrue();
    assertThat(config("--trace-calls=true").traceCalls()).isTrue();
    assertThat(config("--trace-calls=false").traceCalls()).isFalse();
    Cli.Result bad = Cli.run("serve", "--node-id", "h1", "--trace-calls=maybe");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("--trace-calls must be true or false, got \"maybe\"");
  }

  @Test
  void everyCallOverTheSocketIsOneInfoLineWithDockersRawRequest() throws Exception {
    Path socket = dir.resolve("p.sock");
    try (Daemon d = Daemon.start(config("--trace-calls"))) {
      assertThat(DaemonProcess.call(socket, "Plugin.Activate", "")).contains("IpamDriver");
      DaemonProcess.call(socket, "IpamDriver.GetDefaultAddressSpaces", "");
      assertThat(
              DaemonProcess.call(
                  socket,
                  "IpamDriver.RequestPool",
                  "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"10.5.0.0/24\",\"SubPool\":\"\",\"Options\":null,\"V6\":false}"))
          .contains("\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\"");
      assertThat(
              DaemonProcess.call(
                  socket,
                  "IpamDriver.RequestAddress",
                  "{\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\",\"Address\":\"\",\"Options\":{\"RequestAddressType\":\"com.docker.network.gateway\"}}"))
          .contains("\"Address\":\"10.5.0.1/24\"");
      assertThat(
              DaemonProcess.call(
                  socket,
                  "IpamDriver.RequestAddress",
                  "{\"PoolID\":\"ClusterIpamLocal/10.9.0.0/24\",\"Address\":\"\",\"Options\":null}"))
          .contains("\"Error\"");
    }
    assertThat(captured.list)
        .allSatisfy(
            e -> {
              assertThat(e.getLevel()).isEqualTo(Level.INFO);
              assertThat(e.getLoggerName()).isEqualTo("org.clusteripam.daemon.trace");
            });
    assertThat(captured.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .satisfiesExactly(
            l ->
                assertThat(l)
                    .startsWith(
                        "event=call method=Plugin.Activate node=h1 request={} response={\"Implements\":[\"IpamDriver\"]} ms="),
            l ->
                assertThat(l)
                    .startsWith(
                        "event=call method=GetDefaultAddressSpaces node=h1 request={} response={\"GlobalDefaultAddressSpace\":"),
            l ->
                assertThat(l)
                    .startsWith(
                        "event=call method=RequestPool node=h1 request={\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"10.5.0.0/24\","
                            + "\"SubPool\":\"\",\"Options\":null,\"V6\":false} response={\"Data\":{},\"Pool\":\"10.5.0.0/24\",\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\"} ms="),
            l ->
                assertThat(l)
                    .startsWith(
                        "event=call method=RequestAddress node=h1 request={\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\",\"Address\":\"\","
                            + "\"Options\":{\"RequestAddressType\":\"com.docker.network.gateway\"}} response={\"Address\":\"10.5.0.1/24\",\"Data\":{}} ms="),
            l ->
                assertThat(l)
                    .startsWith(
                        "event=call method=RequestAddress node=h1 request={\"PoolID\":\"ClusterIpamLocal/10.9.0.0/24\",")
                    .contains(" error=\"")
                    .contains(" error_type=UnknownPoolException ms="));
  }

  @Test
  void withoutTheOptionNothingIsTraced() throws Exception {
    try (Daemon d = Daemon.start(config())) {
      DaemonProcess.call(
          dir.resolve("p.sock"),
          "IpamDriver.RequestPool",
          "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"10.5.0.0/24\",\"SubPool\":\"\",\"Options\":null,\"V6\":false}");
    }
    assertThat(captured.list).isEmpty();
  }

  @Test
  void traceLinesAreWrittenEvenWhenTheDaemonLogsOnlyWarnings() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level before = root.getLevel();
    try {
      root.setLevel(Level.WARN);
      assertThat(traceLogger.isInfoEnabled()).isFalse();
      CallTraceLog.enableLogger();
      assertThat(traceLogger.isInfoEnabled()).isTrue();
      assertThat(LoggerFactory.getLogger("org.clusteripam.daemon.serve").isInfoEnabled())
          .as("other loggers keep --log-level")
          .isFalse();
    } finally {
      root.setLevel(before);
    }
  }
}
