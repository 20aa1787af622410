package org.clusteripam.daemon.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.clusteripam.daemon.Cli;
import org.clusteripam.testkit.etcd.EtcdProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} and the CLI on a real etcd: the store is shared, the host lease guards {@code
 * reclaim-host}.
 */
class EtcdServeTest {
  @TempDir Path dir;

  @Test
  void daemonAndCliShareEtcdAndALiveHostCannotBeReclaimed() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start()) {
      String[] store = {"--etcd", etcd.endpoint(), "--etcd-prefix", "/t/"};
      Path socket = dir.resolve("p.sock");
      try (DaemonProcess d =
          DaemonProcess.start(
              dir.resolve("d.log"),
              "--socket",
              socket.toString(),
              "--etcd",
              etcd.endpoint(),
              "--etcd-prefix",
              "/t/",
              "--node-id",
              "h1",
              "--docker-host",
              "unix://" + dir.resolve("none.sock"),
              "--metrics",
              "off")) {
        d.awaitSocket(socket, Duration.ofSeconds(20));
        DaemonProcess.call(
            socket,
            "IpamDriver.RequestPool",
            "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"10.5.0.0/24\",\"SubPool\":\"\",\"Options\":{},\"V6\":false}");
        assertThat(
                DaemonProcess.call(
                    socket,
                    "IpamDriver.RequestAddress",
                    "{\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\",\"Address\":\"10.5.0.9\",\"Options\":null}"))
            .contains("10.5.0.9/24");

        Cli.Result show =
            Cli.run("show", "--json", "--etcd", etcd.endpoint(), "--etcd-prefix", "/t/");
        assertThat(show.exit()).as(show.err()).isZero();
        assertThat(show.out())
            .contains("\"pool\" : \"10.5.0.0/24\"")
            .contains("\"address\" : \"10.5.0.9\"");

        Cli.Result alive =
            Cli.run(
                "reclaim-host",
                "h1",
                "--node-id",
                "other",
                "--etcd",
                etcd.endpoint(),
                "--etcd-prefix",
                "/t/");
        assertThat(alive.exit()).isNotZero();
        assertThat(alive.err()).contains("node h1 is alive");

        assertThat(d.stop(Duration.ofSeconds(15))).isZero(); // closing the store revokes the lease
        assertThat(d.log())
            .containsPattern(
                "event=ready .*store=\"[^\"]*" + java.util.regex.Pattern.quote(etcd.endpoint()));
      }
      Cli.Result gone =
          Cli.run(
              "reclaim-host",
              "h1",
              "--node-id",
              "other",
              "--etcd",
              etcd.endpoint(),
              "--etcd-prefix",
              "/t/");
      assertThat(gone.exit()).as(gone.err()).isZero();
      assertThat(gone.out()).contains("reclaimed h1: 1 addresses, 1 pool references");
      Cli.Result empty = Cli.run("show", "--json", store[0], store[1], store[2], store[3]);
      assertThat(empty.out()).doesNotContain("10.5.0.0/24");
    }
  }
}
