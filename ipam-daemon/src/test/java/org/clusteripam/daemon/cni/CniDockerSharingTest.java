package org.clusteripam.daemon.cni;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.daemon.docker.DockerdProcess;
import org.clusteripam.daemon.serve.DaemonProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real dockerd and CNI on one host sharing one daemon and store: a Docker network and a CNI
 * network naming the same pool never hand out one address twice, a CNI network and another Docker
 * network never overlap, and Docker's reconciliation leaves CNI attachments alone.
 */
class CniDockerSharingTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  @Test
  void dockerAndCniShareTheStoreWithoutOverlap() throws Exception {
    try (DockerdProcess docker = DockerdProcess.start()) {
      Path socket = docker.pluginsDir().resolve("cluster-ipam.sock");
      Path cni = dir.resolve("c.sock");
      try (DaemonProcess daemon =
          DaemonProcess.start(
              dir.resolve("daemon.log"),
              "--socket",
              socket.toString(),
              "--cni-socket",
              cni.toString(),
              "--state-dir",
              dir.resolve("state").toString(),
              "--node-id",
              "h1",
              "--docker-host",
              docker.dockerHost(),
              "--metrics",
              "off",
              "--supernet",
              "10.218.0.0/16",
              "--reconcile-interval",
              "PT1S",
              "--leak-grace",
              "PT1S")) {
        daemon.awaitSocket(socket, Duration.ofSeconds(30));
        daemon.awaitSocket(cni, Duration.ofSeconds(30));
        Path shim = CniPlugins.shim();
        docker.docker(
            "network",
            "create",
            "-d",
            "bridge",
            "--ipam-driver",
            "cluster-ipam",
            "--ipam-opt",
            "network=shared",
            "dsh");
        docker.docker("run", "-d", "--name", "s1", "--network", "dsh", "bb:1", "sleep", "600");
        String subnet =
            docker
                .docker("network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", "dsh")
                .strip();
        String dockerIp =
            docker
                .docker(
                    "inspect",
                    "-f",
                    "{{(index .NetworkSettings.Networks \"dsh\").IPAddress}}",
                    "s1")
                .strip();

        String shared =
            "{\"cniVersion\":\"1.0.0\",\"name\":\"shared\",\"ipam\":{\"type\":\"cluster-ipam\"}}";
        String a = address(add(shim, cni, "k1", shared));
        String b = address(add(shim, cni, "k2", shared));
        IpPrefix pool = IpPrefix.parse(subnet);
        assertThat(pool.contains(IpAddress.parse(a)))
            .as(a + " in the Docker network's pool " + subnet)
            .isTrue();
        assertThat(List.of(a, b)).doesNotHaveDuplicates().doesNotContain(dockerIp);

        docker.docker(
            "network", "create", "-d", "bridge", "--ipam-driver", "cluster-ipam", "dother");
        IpPrefix dockerOther =
            IpPrefix.parse(
                docker
                    .docker(
                        "network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", "dother")
                    .strip());
        String other =
            address(
                add(
                    shim,
                    cni,
                    "k3",
                    "{\"cniVersion\":\"1.0.0\",\"name\":\"cnionly\",\"ipam\":{\"type\":\"cluster-ipam\"}}"));
        IpPrefix cniPool = IpPrefix.containing(IpAddress.parse(other), 24);
        assertThat(cniPool.overlaps(dockerOther)).isFalse();
        assertThat(cniPool.overlaps(pool)).isFalse();

        Thread.sleep(4000); // several Docker reconciliation passes past their grace
        Exec k1 = call(shim, cni, "CHECK", "k1", shared);
        assertThat(k1.exit())
            .as(
                "Docker's reconciliation leaves CNI attachments alone: "
                    + k1.stdout()
                    + "\n"
                    + daemon
                        .log()
                        .lines()
                        .filter(l -> l.contains("event=reclaim") || l.contains("event=record"))
                        .toList())
            .isZero();
        assertThat(
                call(
                        shim,
                        cni,
                        "CHECK",
                        "k3",
                        "{\"cniVersion\":\"1.0.0\",\"name\":\"cnionly\",\"ipam\":{}}")
                    .exit())
            .isZero();
        assertThat(daemon.log())
            .doesNotContain("event=reclaimed_address")
            .doesNotContain("event=reclaimed_pool");
        docker.tryDocker("rm", "-f", "s1");
        docker.tryDocker("network", "rm", "dsh", "dother");
      }
    }
  }

  static Exec call(Path shim, Path cni, String command, String container, String conf)
      throws Exception {
    return Exec.run(
        List.of(shim.toString()),
        Map.of(
            "CNI_COMMAND",
            command,
            "CNI_CONTAINERID",
            container,
            "CNI_IFNAME",
            "eth0",
            "CNI_NETNS",
            "/proc/1/ns/net",
            "CLUSTER_IPAM_CNI_SOCKET",
            cni.toString()),
        conf,
        60);
  }

  static String add(Path shim, Path cni, String container, String conf) throws Exception {
    Exec e = call(shim, cni, "ADD", container, conf);
    assertThat(e.exit()).as(e.stdout()).isZero();
    return e.stdout();
  }

  static String address(String result) throws Exception {
    String a = JSON.readTree(result).at("/ips/0/address").asText();
    return a.substring(0, a.indexOf('/'));
  }
}
