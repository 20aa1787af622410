package org.clusteripam.daemon.perhost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.LbDesiredState;
import org.clusteripam.core.perhost.VipRoute;
import org.clusteripam.dns.DnsClient;
import org.clusteripam.dns.DnsQuestion;
import org.clusteripam.dns.DnsResponder;
import org.junit.jupiter.api.Test;

/** The resolver over real UDP on loopback, answering from a plan that changes under it. */
class ServiceResolverTest {
  static final IpPrefix POOL = IpPrefix.parse("10.91.0.0/24");

  static LbDesiredState plan(String vip) {
    return new LbDesiredState(
        new HostId("h1"),
        List.of(
            new VipRoute(
                POOL,
                "sweb",
                "web",
                IpAddress.parse(vip),
                false,
                List.of(),
                List.of(IpAddress.parse("10.91.0.70")))),
        List.of());
  }

  static DnsClient.Reply ask(InetSocketAddress server, String name, int type) throws Exception {
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout(5000);
      byte[] q = DnsClient.query(77, name, type);
      s.send(new DatagramPacket(q, q.length, server));
      DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
      s.receive(p);
      return DnsClient.parse(p.getData(), p.getLength());
    }
  }

  @Test
  void answersFromTheLatestPlanAndRefusesBeforeTheFirst() throws Exception {
    AtomicReference<Optional<LbDesiredState>> current = new AtomicReference<>(Optional.empty());
    java.nio.channels.DatagramChannel ch =
        java.nio.channels.DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    try (ServiceResolver r = ServiceResolver.serving(ch, current::get)) {
      InetSocketAddress at = (InetSocketAddress) r.bound().get(0);
      assertThat(ask(at, "web", DnsQuestion.A).rcode()).isEqualTo(DnsResponder.REFUSED);
      current.set(Optional.of(plan("10.91.0.200")));
      assertThat(ask(at, "web", DnsQuestion.A))
          .isEqualTo(new DnsClient.Reply(77, 0, List.of(IpAddress.parse("10.91.0.200"))));
      assertThat(ask(at, "WEB.", DnsQuestion.AAAA))
          .isEqualTo(new DnsClient.Reply(77, 0, List.of()));
      assertThat(ask(at, "tasks.web", DnsQuestion.A).addresses())
          .containsExactly(IpAddress.parse("10.91.0.70"));
      assertThat(ask(at, "web", 16).addresses()).as("TXT of a service name: NODATA").isEmpty();
      assertThat(ask(at, "example.org", DnsQuestion.A).rcode()).isEqualTo(DnsResponder.REFUSED);
      current.set(Optional.of(plan("10.91.0.201")));
      assertThat(ask(at, "web", DnsQuestion.A).addresses())
          .containsExactly(IpAddress.parse("10.91.0.201"));
    }
    assertThat(ch.isOpen()).as("closed with the resolver").isFalse();
  }

  @Test
  void listenBindsTheConfiguredAddress() throws Exception {
    int port;
    try (DatagramSocket probe = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    InetSocketAddress at = new InetSocketAddress("127.0.0.1", port);
    try (ServiceResolver r =
        ServiceResolver.listen(List.of(at), () -> Optional.of(plan("10.91.0.200")))) {
      long end = System.nanoTime() + 10_000_000_000L;
      while (r.bound().isEmpty() && System.nanoTime() < end) {
        Thread.sleep(20);
      }
      assertThat(ask(at, "web", DnsQuestion.A).addresses())
          .containsExactly(IpAddress.parse("10.91.0.200"));
    }
  }

  @Test
  void dnsListenIsParsedAndBadValuesNamed() {
    PerHostRouting r = PerHostRouting.off();
    assertThat(r.withDnsListen("").dnsListen()).isEmpty();
    assertThat(r.withDnsListen("none").dnsListen()).isEmpty();
    assertThat(r.withDnsListen("10.91.0.1, 10.92.0.1:5353,[fd00::1]:53").dnsListen())
        .containsExactly(
            new InetSocketAddress("10.91.0.1", 53),
            new InetSocketAddress("10.92.0.1", 5353),
            new InetSocketAddress("fd00::1", 53));
    assertThatThrownBy(() -> r.withDnsListen("gateway"))
        .hasMessageContaining("--dns-listen")
        .hasMessageContaining("\"gateway\"");
    assertThatThrownBy(() -> r.withDnsListen("10.0.0.1:70000"))
        .hasMessageContaining("--dns-listen");
  }
}
