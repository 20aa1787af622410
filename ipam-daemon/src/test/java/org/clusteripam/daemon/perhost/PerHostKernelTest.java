package org.clusteripam.daemon.perhost;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.clusteripam.testkit.uml.Uml;
import org.junit.jupiter.api.Test;

/**
 * The daemon's per-host loop against real kernel IPVS: boots user-mode-linux and runs {@link
 * PerHostKernelDriver} inside it. Fails (does not skip) when user-mode-linux is missing: the
 * README's test command installs it.
 */
class PerHostKernelTest {

  @Test
  void thePerHostLoopProgramsAndDrainsRealKernelIpvs() throws Exception {
    assertThat(Uml.missingPrerequisite()).as("kernel test prerequisite").isNull();
    Uml.Result r =
        Uml.run(
            PerHostKernelDriver.class.getName(), List.of(Uml.GUEST_OUT), Duration.ofSeconds(120));
    System.out.println(
        "user-mode-linux run took " + r.elapsed().toMillis() + " ms; report:\n" + r.report());
    String diagnostics =
        "\nreport:\n"
            + r.report()
            + "\ndriver log:\n"
            + Uml.tail(r.driverLog(), 80)
            + "\ninit log:\n"
            + r.initLog()
            + "\nconsole tail:\n"
            + Uml.tail(r.console(), 40);
    assertThat(r.report()).as("report" + diagnostics).doesNotContain("FAIL ");
    for (String check : PerHostKernelDriver.CHECKS) {
      assertThat(r.report()).as("check " + check + diagnostics).contains("PASS " + check + " ");
    }
    assertThat(r.exitCode()).as("driver exit code" + diagnostics).isZero();
  }
}
