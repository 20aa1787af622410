package org.clusteripam.daemon.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.junit.jupiter.api.Test;

/**
 * The managed (v2) plugin end to end: {@code packaging/build-plugin.sh} builds the rootfs from the
 * shaded jar and creates the plugin in a private dockerd, which enables it and uses it for a
 * network. Needs the shaded jar, so it runs in the {@code package} phase (see the module pom).
 */
class ManagedPluginIT {
  @Test
  void buildCreateEnableAndUseThePlugin() throws Exception {
    Path jar = Path.of("target/ipam-daemon.jar").toAbsolutePath();
    assertThat(jar).as("the shaded jar (this test runs after shading)").isRegularFile();
    Path script = Path.of("../packaging/build-plugin.sh").toAbsolutePath().normalize();
    try (DockerdProcess d = DockerdProcess.start()) {
      Path state = Files.createDirectories(d.base().resolve("plugin-state"));
      ProcessBuilder pb =
          new ProcessBuilder("sh", script.toString(), "cluster-ipam:latest")
              .redirectErrorStream(true)
              .redirectOutput(d.base().resolve("build-plugin.log").toFile());
      pb.environment().put("JAR", jar.toString());
      pb.environment().put("OUT", d.base().resolve("plugin").toString());
      pb.environment().put("DOCKER", d.engine().cli() + " -H " + d.dockerHost());
      Process build = pb.start();
      assertThat(build.waitFor())
          .as(Files.readString(d.base().resolve("build-plugin.log")))
          .isZero();
      try {
        d.docker(
            "plugin",
            "set",
            "cluster-ipam:latest",
            "state.source=" + state,
            "docker-socket.source=" + d.socket(),
            "IPAM_NODE_ID=p1",
            "IPAM_METRICS=off");
        long t0 = System.nanoTime();
        d.docker("plugin", "enable", "cluster-ipam:latest");
        System.out.println(
            "docker plugin enable: " + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms");
        assertThat(
                d.docker(
                    "plugin",
                    "inspect",
                    "-f",
                    "{{.Enabled}} {{json .Config.Interface.Types}}",
                    "cluster-ipam:latest"))
            .isEqualTo("true [\"docker.ipamdriver/1.0\"]");
        d.docker("network", "create", "-d", "bridge", "--ipam-driver", "cluster-ipam:latest", "pn");
        IpPrefix subnet =
            IpPrefix.parse(
                d.docker("network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", "pn"));
        assertThat(IpPrefix.parse("10.80.0.0/12").contains(subnet)).isTrue();
        d.docker("run", "-d", "--name", "pc", "--network", "pn", "bb:1", "sleep", "600");
        String ip = d.docker("inspect", "-f", "{{.NetworkSettings.Networks.pn.IPAddress}}", "pc");
        assertThat(subnet.contains(IpAddress.parse(ip))).as(ip).isTrue();
        assertThat(Files.list(state).map(p -> p.getFileName().toString()).toList())
            .as("the embedded store lives in the state mount")
            .contains("lock");
        d.docker("rm", "-f", "pc");
        d.docker("network", "rm", "pn");
      } finally {
        d.tryDocker("plugin", "disable", "-f", "cluster-ipam:latest");
        d.tryDocker("plugin", "rm", "-f", "cluster-ipam:latest");
      }
      assertThat(d.docker("plugin", "ls", "-q")).isEmpty();
    }
  }
}
