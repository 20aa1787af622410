package org.clusteripam.daemon.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fixture itself: a private dockerd whose bridges stay out of the root namespace, and full
 * cleanup.
 */
class DockerdProcessTest {
  @Test
  void runsAContainerInItsOwnNamespaceAndCleansUp() throws Exception {
    String rootLinksBefore =
        DockerdProcess.run(List.of("ip", "-o", "link"), Duration.ofSeconds(5)).output();
    DockerdProcess d = DockerdProcess.start();
    long pid = d.pid();
    try {
      d.docker("network", "create", "--subnet", "10.250.0.0/24", "fx");
      d.docker("run", "-d", "--name", "fx1", "--network", "fx", "bb:1", "sleep", "600");
      assertThat(d.docker("inspect", "-f", "{{.NetworkSettings.Networks.fx.IPAddress}}", "fx1"))
          .isEqualTo("10.250.0.2");
      assertThat(DockerdProcess.run(List.of("ip", "-o", "link"), Duration.ofSeconds(5)).output())
          .isEqualTo(rootLinksBefore);
      assertThat(
              DockerdProcess.run(
                      List.of("ip", "-n", d.netns(), "-o", "link"), Duration.ofSeconds(5))
                  .output())
          .contains("br-");
    } finally {
      d.close();
    }
    assertThat(ProcessHandle.of(pid)).isEmpty();
    assertThat(DockerdProcess.run(List.of("ip", "netns", "list"), Duration.ofSeconds(5)).output())
        .doesNotContain(d.netns());
    assertThat(Files.exists(d.base())).isFalse();
  }
}
