package org.clusteripam.daemon.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's lifecycle as an operator sees it: start, socket mode, refusal of a second daemon,
 * SIGTERM.
 */
class ServeLifecycleTest {
  @TempDir Path dir;

  @Test
  void servesRefusesASecondDaemonAndStopsCleanlyOnSigterm() throws Exception {
    Path socket = dir.resolve("p.sock");
    Path state = dir.resolve("state");
    String noDocker = "unix://" + dir.resolve("no-docker.sock");
    try (DaemonProcess a =
        DaemonProcess.start(
            dir.resolve("a.log"),
            "--socket",
            socket.toString(),
            "--state-dir",
            state.toString(),
            "--node-id",
            "h1",
            "--docker-host",
            noDocker,
            "--metrics",
            "off",
            "--reconcile-interval",
            "PT1S")) {
      // Docker's limit for a managed plugin
      Duration ready = a.awaitSocket(socket, Duration.ofSeconds(10));
      System.out.println("socket ready " + ready.toMillis() + " ms after spawn");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
          .isEqualTo("rw-rw----");
      assertThat(DaemonProcess.call(socket, "Plugin.Activate", "")).contains("IpamDriver");
      assertThat(
              DaemonProcess.call(
                  socket,
                  "IpamDriver.RequestPool",
                  "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"10.5.0.0/24\",\"SubPool\":\"\",\"Options\":null,\"V6\":false}"))
          .contains("\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\"");

      try (DaemonProcess sameSocket =
          DaemonProcess.start(
              dir.resolve("b.log"),
              "--socket",
              socket.toString(),
              "--state-dir",
              dir.resolve("state2").toString(),
              "--node-id",
              "h1",
              "--docker-host",
              noDocker,
              "--metrics",
              "off")) {
        assertThat(sameSocket.awaitExit(Duration.ofSeconds(20))).isEqualTo(1);
        assertThat(sameSocket.log())
            .contains("cluster-ipam:")
            .contains("already listening on " + socket);
      }
      try (DaemonProcess sameState =
          DaemonProcess.start(
              dir.resolve("c.log"),
              "--socket",
              dir.resolve("q.sock").toString(),
              "--state-dir",
              state.toString(),
              "--node-id",
              "h1",
              "--docker-host",
              noDocker,
              "--metrics",
              "off")) {
        assertThat(sameState.awaitExit(Duration.ofSeconds(20))).isEqualTo(1);
        assertThat(sameState.log()).contains("in use by another cluster-ipam process");
        assertThat(Files.exists(dir.resolve("q.sock"))).isFalse();
      }
      assertThat(DaemonProcess.connectable(socket)).as("the first daemon still serves").isTrue();
      Thread.sleep(1500); // at least one reconciliation pass against the absent Docker
      assertThat(a.log()).contains("event=docker_unreachable");
      assertThat(
              DaemonProcess.call(
                  socket,
                  "IpamDriver.RequestAddress",
                  "{\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\",\"Address\":\"\",\"Options\":null}"))
          .contains("\"Address\":\"10.5.0.");

      assertThat(a.stop(Duration.ofSeconds(15))).isZero();
      assertThat(a.log()).contains("event=stopped");
      assertThat(Files.exists(socket)).as("socket removed").isFalse();
    }
  }

  @Test
  void aTakenMetricsPortFailsTheStartBeforeTheSocketExistsOrReadyIsLogged() throws Exception {
    Path socket = dir.resolve("m.sock");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        DaemonProcess d =
            DaemonProcess.start(
                dir.resolve("m.log"),
                "--socket",
                socket.toString(),
                "--state-dir",
                dir.resolve("mstate").toString(),
                "--node-id",
                "h1",
                "--docker-host",
                "unix://" + dir.resolve("no-docker.sock"),
                "--metrics",
                "127.0.0.1:" + taken.getLocalPort())) {
      assertThat(d.awaitExit(Duration.ofSeconds(20))).isEqualTo(1);
      assertThat(d.log())
          .contains("cannot serve metrics on")
          .contains(String.valueOf(taken.getLocalPort()))
          .doesNotContain("event=ready");
      assertThat(Files.exists(socket)).as("no plugin socket for Docker to find").isFalse();
    }
  }

  @Test
  void everyMetricHasHelpText() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Path socket = dir.resolve("h.sock");
    try (DaemonProcess d =
        DaemonProcess.start(
            dir.resolve("h.log"),
            "--socket",
            socket.toString(),
            "--state-dir",
            dir.resolve("hstate").toString(),
            "--node-id",
            "h1",
            "--docker-host",
            "unix://" + dir.resolve("no-docker.sock"),
            "--metrics",
            "127.0.0.1:" + port,
            "--reconcile-interval",
            "PT1S")) {
      d.awaitSocket(socket, Duration.ofSeconds(10));
      String body = "";
      for (int i = 0; i < 50 && !body.contains("cluster_ipam_docker_up"); i++) {
        Thread.sleep(200);
        try {
          body =
              HttpClient.newHttpClient()
                  .send(
                      HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body();
        } catch (java.io.IOException notYet) {
          // the listener starts serving just after the socket
        }
      }
      List<String> help = body.lines().filter(l -> l.startsWith("# HELP ")).toList();
      assertThat(help).as("series exported").hasSizeGreaterThan(5);
      assertThat(help)
          .as("HELP lines without text")
          .allSatisfy(
              l ->
                  assertThat(l.split(" ", 4))
                      .hasSize(4)
                      .satisfies(parts -> assertThat(parts[3].strip()).isNotEmpty()));
      assertThat(d.stop(Duration.ofSeconds(15))).isZero();
    }
  }
}
