package org.clusteripam.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.clusteripam.etcd.EtcdStoreConfig;
import org.clusteripam.testkit.etcd.EtcdCluster;
import org.junit.jupiter.api.Test;

/**
 * 64 hosts, each with its own engine and its own etcd store, on one real etcd: all join one shared
 * pool at the same moment, allocate, churn, and leave. No failed call, no duplicate, every address
 * inside the pool and inside a block its host owns, and nothing left in the store at the end.
 */
class ManyHostsJoinTest {
  private static final int HOSTS = 64;

  @Test
  void sixtyFourHostsJoinOneSharedPoolAtOnceAndAllocateWithoutFailuresOrDuplicates() {
    Simulate.quietLogging();
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    try (EtcdCluster etcd = EtcdCluster.start(1)) {
      EtcdStoreConfig config =
          EtcdStoreConfig.of(etcd.endpoints().toArray(String[]::new))
              .withPrefix("/many-hosts/")
              // correctness, not speed: a busy machine must not fail it
              .withTimeout(Duration.ofSeconds(20));
      Scenario.Result r;
      try (Fleet fleet = new Fleet(config, Simulate.CONFIG, HOSTS, HOSTS)) {
        r = Scenario.run(fleet, new Scenario.Settings(Set.of("churn"), 10, 1.0, 4, 1, 1), out);
      }
      String printed = Row.HEADER + "\n" + buf.toString(StandardCharsets.UTF_8);
      assertThat(r.rows())
          .extracting(Row::workload)
          .containsExactly("join", "join-alloc", "churn", "leave");
      assertThat(
              r.rows().stream()
                  .filter(row -> row.failures() > 0)
                  .map(row -> row.workload() + ": " + row.failures() + " failed, " + row.errors()))
          .as(printed)
          .isEmpty();
      assertThat(r.rows().get(0).ops()).isEqualTo(HOSTS);
      // the pool did not exist: every host but the first joins the winner's creation without a
      // retry
      assertThat(r.rows().get(0).conflictsPerOp()).as(printed).isZero();
      assertThat(r.rows().get(1).ops()).isEqualTo(HOSTS * 10);
      assertThat(r.rows().get(2).ops()).isPositive();
      // no duplicate, every address in the pool, held by its host in a block it owns, nothing left
      assertThat(r.violations()).as(printed).isEmpty();
    }
  }
}
