package org.clusteripam.daemon.swarm;

import java.time.Duration;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A swarm network that no task uses on a manager: the manager's Docker lists it ({@code GET
 * /networks}) but libnetwork never created it there, so that host must not hold its pool, and
 * removing the network must free the pool. One manager, no service; a 2 s reconcile interval so
 * reconciliation has several passes to act.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SwarmNetworkOnManagerTest {
  private static final String PREFIX = "/cluster-ipam/";
  private SwarmTestBed bed;
  private HubEtcd etcd;

  @BeforeAll
  void bringUp() {
    PluginBed up = PluginBed.start(1, 1, List.of("IPAM_RECONCILE_INTERVAL=PT2S"));
    bed = up.bed();
    etcd = up.etcd();
  }

  @AfterAll
  void tearDown() {
    if (bed != null) {
      bed.close();
    }
  }

  @Test
  void aListedButUnusedSwarmNetworkIsHeldOnlyBySwarmAndFreedWhenRemoved() {
    DockerHost m = bed.manager();
    PluginBed.createOverlay(m, "r", "--subnet", "10.93.0.0/24");
    DockerHost.sleep(10_000); // five reconcile passes
    IpamCli cli = new IpamCli(bed, etcd);
    SoftAssertions soft = new SoftAssertions(); // both halves are evidence: report each
    soft.assertThat(cli.poolsHeldBy(m.name()))
        .as(
            "pools %s holds without ever creating r locally; store:%n%s",
            m.name(), cli.run("show").stdout())
        .isEmpty();

    m.must("network", "rm", "r");
    try {
      Waits.until("no pool or block left", Duration.ofSeconds(20), () -> keys().isEmpty());
    } catch (IllegalStateException timedOut) {
      soft.assertThat(keys())
          .as("pool and block keys after r went; store:%n%s", cli.run("show").stdout())
          .isEmpty();
    }
    soft.assertAll();
  }

  private List<String> keys() {
    return EtcdKeys.poolState(bed, etcd, PREFIX);
  }
}
