package org.clusteripam.lb.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.clusteripam.testkit.uml.Uml;
import org.junit.jupiter.api.Test;

/**
 * The real kernel's routing table: boots user-mode-linux, runs {@link RouteKernelDriver} and
 * asserts on its report.
 */
class RouteKernelTest {

  @Test
  void realKernelRoutesPassEveryCheck() throws Exception {
    assertThat(Uml.missingPrerequisite()).as("kernel test prerequisite").isNull();
    Uml.Result r =
        Uml.runWithModules(
            List.of("drivers/net/dummy"),
            RouteKernelDriver.class.getName(),
            List.of(Uml.GUEST_OUT),
            Duration.ofSeconds(120));
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
    for (String check : RouteKernelDriver.CHECKS) {
      assertThat(r.report()).as("check " + check + diagnostics).contains("PASS " + check + " ");
    }
    assertThat(r.exitCode()).as("driver exit code" + diagnostics).isZero();
  }
}
