package org.clusteripam.daemon.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The bed itself with Docker's default IPAM: three hosts, an overlay, tasks spread, cross-host
 * ping, teardown.
 */
class SwarmTestBedTest {

  @Test
  void threeHostSwarmRunsAnOverlayServiceAcrossHostsAndLeavesNothingBehind() throws Exception {
    SwarmTestBed bed = SwarmTestBed.start();
    String tag;
    Path base;
    try {
      tag = bed.tag();
      base = bed.baseDir();
      DockerHost m = bed.manager();
      assertThat(m.docker("node", "ls", "--format", "{{.Hostname}} {{.Status}}").lines())
          .containsExactlyInAnyOrder("h1 Ready", "h2 Ready", "h3 Ready");
      Figures.record("bed bring-up (3 hosts, swarm joined)", bed.bringUpTime().toMillis() + " ms");
      for (DockerHost h : bed.hosts()) {
        Figures.record("dockerd+containerd RSS " + h.name(), h.daemonRssKib() / 1024 + " MiB");
      }

      m.must("network", "create", "-d", "overlay", "ov");
      m.must(
          "service",
          "create",
          "-d",
          "--name",
          "s",
          "--network",
          "ov",
          "--endpoint-mode",
          "dnsrr",
          "--stop-grace-period",
          "1s",
          "--replicas",
          "6",
          BusyboxImage.NAME,
          "sleep",
          "3600");
      SwarmView view = new SwarmView(bed);
      Waits.until(
          "6 tasks running",
          Duration.ofSeconds(90),
          () -> view.tasks("s").stream().filter(TaskRecord::running).count() == 6);
      List<TaskRecord> tasks = view.tasks("s");

      Map<String, Long> perHost =
          tasks.stream().collect(Collectors.groupingBy(TaskRecord::host, Collectors.counting()));
      assertThat(perHost)
          .containsOnlyKeys("h1", "h2", "h3")
          .allSatisfy((h, n) -> assertThat(n).isEqualTo(2L));

      Map<String, String> actual =
          tasks.stream()
              .collect(
                  Collectors.toMap(
                      TaskRecord::id, t -> view.containerAddress(t, "ov").orElseThrow()));
      assertThat(actual.values()).doesNotHaveDuplicates();
      for (TaskRecord t : tasks) {
        assertThat(t.addressesByNetwork().get("ov"))
            .as("swarm's record of %s", t.id())
            .containsExactly(actual.get(t.id()));
      }
      for (DockerHost h : bed.hosts()) {
        Figures.record("RSS with 2 tasks " + h.name(), h.daemonRssKib() / 1024 + " MiB");
      }

      Map<String, TaskRecord> oneByHost =
          tasks.stream()
              .collect(Collectors.toMap(TaskRecord::host, Function.identity(), (a, b) -> a));
      TaskRecord from = oneByHost.get("h1");
      TaskRecord to = oneByHost.get("h3");
      String toIp = actual.get(to.id()).split("/")[0];
      CommandResult ping =
          bed.host(from.host()).docker("exec", from.containerId(), "ping", "-c1", "-W2", toIp);
      assertThat(ping.exitCode()).as("%s", ping).isZero();
      assertThat(ping.stdout()).contains("1 packets received");
    } finally {
      long t0 = System.nanoTime();
      bed.close();
      Figures.record(
          "bed teardown (1 service, 1 network)",
          (System.nanoTime() - t0) / 1_000_000 + " ms " + bed.lastTeardown());
    }
    assertThat(bed.sweptLeftovers()).as("processes that outlived their dockerd").isEmpty();
    assertThat(ProcFs.processesMentioning(base.toString())).isEmpty();
    assertThat(Commands.must(Duration.ofSeconds(5), "ip", "netns", "list")).doesNotContain(tag);
    assertThat(Files.exists(base)).isFalse();
  }
}
