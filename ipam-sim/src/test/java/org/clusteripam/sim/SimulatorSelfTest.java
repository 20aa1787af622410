package org.clusteripam.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A tiny quick run of every workload on a real etcd the simulator starts and stops itself (with a
 * long store timeout: the test machine may be busy, and this checks the simulator, not speed).
 */
class SimulatorSelfTest {

  @Test
  void aQuickRunOfFourHostsMeasuresEveryWorkloadWithoutFailures() {
    Simulate.quietLogging();
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    Simulate.Report r =
        Simulate.run(
            SimOptions.parse(
                new String[] {
                  "--quick",
                  "--hosts",
                  "4",
                  "--churn-seconds",
                  "0.5",
                  "--pool-count",
                  "30",
                  "--timeout-ms",
                  "20000"
                }),
            new PrintStream(buf, true, StandardCharsets.UTF_8));
    String printed = buf.toString(StandardCharsets.UTF_8);
    assertThat(r.rows())
        .extracting(Row::workload)
        .as(printed)
        .contains(
            "join",
            "join-alloc",
            "churn",
            "reclaim",
            "leave",
            "fill-join",
            "fill-release",
            "pool-create",
            "pool-delete")
        .anyMatch(w -> w.startsWith("fill ("));
    assertThat(r.rows())
        .as(printed)
        .allSatisfy(
            row -> {
              assertThat(row.ops()).as(row.workload()).isPositive();
              assertThat(row.failures()).as(row.workload() + ": " + row.errors()).isZero();
              assertThat(row.roundTripsPerOp()).as(row.workload()).isPositive();
              assertThat(row.p50Ms())
                  .as(row.workload())
                  .isPositive()
                  .isLessThanOrEqualTo(row.maxMs());
            });
    assertThat(
            r.rows().stream()
                .filter(row -> row.workload().equals("join-alloc"))
                .findFirst()
                .orElseThrow()
                .ops())
        .isEqualTo(40);
    assertThat(r.rows())
        .filteredOn(row -> row.workload().equals("churn"))
        .allSatisfy(row -> assertThat(row.bytesPerOp()).isPositive());
    assertThat(r.violations()).as(printed).isEmpty();
    assertThat(r.poolBytes())
        .as(printed)
        .hasValueSatisfying(
            pb -> {
              assertThat(pb.failures()).isZero();
              assertThat(pb.bytesAtSmall()).isPositive();
              assertThat(pb.bytesAtCount()).isPositive();
            });
    assertThat(printed).contains("| join | 4 |").contains("checks: passed");
  }
}
