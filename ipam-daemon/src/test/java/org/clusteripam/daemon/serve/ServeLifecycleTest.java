package org.clusteripam.daemon.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's lifecycle as an operator sees it: start, socket mode, refusal of a second daemon, SIGTERM. */
class ServeLifecycleTest {
  @TempDir Path dir;

  @Test
  void servesRefusesASecondDaemonAndStopsCleanlyOnSigterm() throws Exception {
    Path socket = dir.resolve("p.sock");
    Path state = dir.resolve("state");
    String noDocker = "unix://" + dir.resolve("no-docker.sock");
    try (DaemonProcess a = DaemonProcess.start(dir.resolve("a.log"), "--socket", socket.toString(), "--state-dir", state.toString(),
        "--node-id", "h1", "--docker-host", noDocker, "--metrics", "off", "--reconcile-interval", "PT1S")) {
      Duration ready = a.awaitSocket(socket, Duration.ofSeconds(10)); // Docker's limit for a managed plugin
      System.out.println("socket ready " + ready.toMillis() + " ms after spawn");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-rw----");
      assertThat(DaemonProcess.call(socket, "Plugin.Activate", "")).contains("IpamDriver");
      assertThat(DaemonProcess.call(socket, "IpamDriver.RequestPool",
          "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"10.5.0.0/24\",\"SubPool\":\"\",\"Options\":null,\"V6\":false}"))
          .contains("\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\"");

      try (DaemonProcess sameSocket = DaemonProcess.start(dir.resolve("b.log"), "--socket", socket.toString(), "--state-dir",
          dir.resolve("state2").toString(), "--node-id", "h1", "--docker-host", noDocker, "--metrics", "off")) {
        assertThat(sameSocket.awaitExit(Duration.ofSeconds(20))).isEqualTo(1);
        assertThat(sameSocket.log()).contains("cluster-ipam:").contains("already listening on " + socket);
      }
      try (DaemonProcess sameState = DaemonProcess.start(dir.resolve("c.log"), "--socket", dir.resolve("q.sock").toString(), "--state-dir",
          state.toString(), "--node-id", "h1", "--docker-host", noDocker, "--metrics", "off")) {
        assertThat(sameState.awaitExit(Duration.ofSeconds(20))).isEqualTo(1);
        assertThat(sameState.log()).contains("in use by another cluster-ipam process");
        assertThat(Files.exists(dir.resolve("q.sock"))).isFalse();
      }
      assertThat(DaemonProcess.connectable(socket)).as("the first daemon still serves").isTrue();
      Thread.sleep(1500); // at least one reconciliation pass against the absent Docker
      assertThat(a.log()).contains("event=docker_unreachable");
      assertThat(DaemonProcess.call(socket, "IpamDriver.RequestAddress",
          "{\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\",\"Address\":\"\",\"Options\":null}")).contains("\"Address\":\"10.5.0.");

      assertThat(a.stop(Duration.ofSeconds(15))).isZero();
      assertThat(a.log()).contains("event=stopped");
      assertThat(Files.exists(socket)).as("socket removed").isFalse();
    }
  }
}
