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
  /** Replies through IPVS by a MASQUERADE rule (kernels with legacy iptables NAT, as 6.1). */
  static final List<String> MASQUERADE_MODULES =
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

  /** Replies through IPVS by br_netfilter (unstable's 7.x has no IPv4 NAT table at all). */
  static final List<String> BRIDGE_NETFILTER_MODULES =
      List.of(
          "drivers/net/veth",
          "net/llc/llc",
          "net/802/stp",
          "net/bridge/bridge",
          "net/bridge/br_netfilter");

  /** The reply path this kernel can give, as {@link DataPathDriver} takes it. */
  static String replyPath() {
    return Uml.hasModule("net/ipv4/netfilter/iptable_nat")
        ? DataPathDriver.MASQUERADE
        : DataPathDriver.BRIDGE_NETFILTER;
  }

  @Test
  void clientsReachTasksOnEveryHostThroughRoutesAndTheirHostsLoadBalancer() throws Exception {
    assertThat(Uml.missingPrerequisite()).as("kernel test prerequisite").isNull();
    // 148 s at load 10, 242 s at load 18 on two shared cores: the limit only catches a hung guest.
    String replyPath = replyPath();
    Uml.Result r =
        Uml.runWithModules(
            replyPath.equals(DataPathDriver.MASQUERADE)
                ? MASQUERADE_MODULES
                : BRIDGE_NETFILTER_MODULES,
            DataPathDriver.class.getName(),
            List.of(Uml.GUEST_OUT, replyPath),
            Duration.ofSeconds(600));
    System.out.println(
        "user-mode-linux "
            + Uml.kernelVersion()
            + ", replies by "
            + replyPath
            + ", run took "
            + r.elapsed().toMillis()
            + " ms; report:\n"
            + r.report());
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
