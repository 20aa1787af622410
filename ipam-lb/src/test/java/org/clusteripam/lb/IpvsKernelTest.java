package org.clusteripam.lb;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.clusteripam.testkit.uml.Uml;
import org.junit.jupiter.api.Test;

/**
 * Real kernel IPVS: boots user-mode-linux, runs {@link IpvsKernelDriver} inside it and asserts on
 * its report. Fails (does not skip) when user-mode-linux is missing: the README's test command
 * installs it.
 */
class IpvsKernelTest {

  @Test
  void realKernelIpvsPassesEveryCheck() throws Exception {
    String missing = Uml.missingPrerequisite();
    assertThat(missing).as("kernel test prerequisite").isNull();

    Uml.Result r =
        Uml.run(IpvsKernelDriver.class.getName(), List.of(Uml.GUEST_OUT), Duration.ofSeconds(120));
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
    assertThat(r.initLog()).as("module loading" + diagnostics).doesNotContain("failed");
    assertThat(r.report()).as("report" + diagnostics).doesNotContain("FAIL ");
    for (String check : IpvsKernelDriver.CHECKS) {
      assertThat(r.report()).as("check " + check + diagnostics).contains("PASS " + check + " ");
    }
    assertThat(r.exitCode()).as("driver exit code" + diagnostics).isZero();
  }
}
