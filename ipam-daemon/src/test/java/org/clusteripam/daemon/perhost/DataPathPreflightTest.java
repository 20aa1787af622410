package org.clusteripam.daemon.perhost;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The preflight over a fake {@code /proc} tree (the real kernel's answers are checked in {@link
 * DataPathDriver}).
 */
class DataPathPreflightTest {
  @TempDir Path proc;

  private void write(String relative, String content) throws IOException {
    Path p = proc.resolve(relative);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }

  private void ready() throws IOException {
    write("sys/net/ipv4/ip_forward", "1\n");
    write("sys/net/ipv4/vs/conntrack", "1\n");
    write("net/ip_tables_matches", "conntrack\nipvs\nudp\n");
  }

  @Test
  void aReadyHostMissesNothing() throws IOException {
    ready();
    assertThat(new DataPathPreflight(proc).check()).isEmpty();
  }

  @Test
  void eachMissingPieceIsNamedWithItsFix() throws IOException {
    write("sys/net/ipv4/ip_forward", "0\n");
    write("sys/net/ipv4/vs/conntrack", "0\n");
    write("net/ip_tables_matches", "conntrack\nudp\n");
    assertThat(new DataPathPreflight(proc).check())
        .extracting(DataPathPreflight.Missing::fix)
        .containsExactly(
            "sysctl -w net.ipv4.ip_forward=1",
            "sysctl -w net.ipv4.vs.conntrack=1",
            "iptables -t nat -A POSTROUTING -m ipvs --ipvs --vdir ORIGINAL --vmethod MASQ -o BRIDGE -j MASQUERADE;"
                + " or, where the kernel has no IPv4 NAT:"
                + " modprobe br_netfilter && sysctl -w net.bridge.bridge-nf-call-iptables=1");
  }

  @Test
  void brNetfilterPassingBridgedTrafficToIpvsStandsInForTheMasqueradeRule() throws IOException {
    ready();
    write("net/ip_tables_matches", "udp\n");
    write("sys/net/bridge/bridge-nf-call-iptables", "1\n");
    assertThat(new DataPathPreflight(proc).check()).isEmpty();
    write("sys/net/bridge/bridge-nf-call-iptables", "0\n");
    assertThat(new DataPathPreflight(proc).check())
        .singleElement()
        .satisfies(m -> assertThat(m.what()).contains("br_netfilter"));
  }

  @Test
  void noIpvsModuleIsReportedAsSuchNotAsAConntrackSetting() throws IOException {
    ready();
    Files.delete(proc.resolve("sys/net/ipv4/vs/conntrack"));
    assertThat(new DataPathPreflight(proc).check())
        .extracting(DataPathPreflight.Missing::what)
        .containsExactly("ip_vs module");
  }

  @Test
  void theThreadsOwnNetworkNamespaceIsReadWhenTheKernelOffersIt() throws IOException {
    ready();
    write("thread-self/net/ip_tables_matches", "udp\n");
    assertThat(new DataPathPreflight(proc).check())
        .singleElement()
        .satisfies(m -> assertThat(m.what()).startsWith("MASQUERADE rule"));
  }

  @Test
  void anUnreadableProcCountsAsMissingEverything() {
    assertThat(new DataPathPreflight(proc.resolve("absent")).check()).hasSize(3);
  }
}
