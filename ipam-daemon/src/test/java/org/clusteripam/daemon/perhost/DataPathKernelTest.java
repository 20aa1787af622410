package org.clusteripam.daemon.perhost;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.clusteripam.testkit.uml.Uml;
import org.junit.jupiter.api.Test;

/**
 * Per-host mode carries TCP: three hosts inside user-mode-linux, each with the daemon's per-host
 * loop programming its own kernel's routes and IPVS ({@link DataPathDriver}). Fails (does not skip)
 * when user-mode-linux is missing.
 */
class DataPathKernelTest {
  static final List<String> MODULES =
      List.of(
          "drivers/net/veth",
          "net/llc/llc",
          "net/802/stp",
          "net/bridge/bridge",
          "net/netfilter/x_tables",
          "net/netfilter/xt_ipvs",
          "net/netfilter/nf_nat",
          "net/ipv4/netfilter/ip_tables",
          "net/ipv4/netfilter/iptable_nat",
          "net/netfilter/xt_MASQUERADE",
          "net/netfilter/xt_tcpudp");

  @Test
  void clientsReachTasksOnEveryHostThroughRoutesAndTheirHostsLoadBalancer() throws Exception {
    assertThat(Uml.missingPrerequisite()).as("kernel test prerequisite").isNull();
    // 148 s at load 10, 242 s at load 18 on two shared cores: the limit only catches a hung guest.
    Uml.Result r =
        Uml.runWithModules(
            MODULES,
            DataPathDriver.class.getName(),
            List.of(Uml.GUEST_OUT),
            Duration.ofSeconds(600));
    System.out.println(
        "user-mode-linux run took " + r.elapsed().toMillis() + " ms; report:\n" + r.report());
    String diagnostics =
        "\nreport:\n"
            + r.report()
            + "\ndriver log:\n"
            + Uml.tail(r.driverLog(), 120)
            + "\ninit log:\n"
            + r.initLog()
            + "\nconsole tail:\n"
            + Uml.tail(r.console(), 40);
    assertThat(r.initLog()).as("module loading" + diagnostics).doesNotContain("failed");
    assertThat(r.report()).as("report" + diagnostics).doesNotContain("FAIL ");
    for (String check : DataPathDriver.CHECKS) {
      assertThat(r.report()).as("check " + check + diagnostics).contains("PASS " + check + " ");
    }
    assertThat(r.exitCode()).as("driver exit code" + diagnostics).isZero();
  }
}
