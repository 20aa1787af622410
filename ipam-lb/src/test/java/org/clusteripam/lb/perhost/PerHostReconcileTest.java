package org.clusteripam.lb.perhost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.clusteripam.lb.perhost.PerHostServicesTest.H1;
import static org.clusteripam.lb.perhost.PerHostServicesTest.POOL;
import static org.clusteripam.lb.perhost.PerHostServicesTest.placeholder;
import static org.clusteripam.lb.perhost.PerHostServicesTest.vip;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.perhost.LbDesiredState;
import org.clusteripam.lb.AddressKey;
import org.clusteripam.lb.Destination;
import org.clusteripam.lb.FakeKernels;
import org.clusteripam.lb.Ipvs;
import org.clusteripam.lb.Protocol;
import org.clusteripam.lb.ServiceKey;
import org.clusteripam.lb.VirtualService;
import org.clusteripam.lb.reconcile.LoadBalancerReconciler;
import org.clusteripam.lb.reconcile.ReconcileReport;
import org.junit.jupiter.api.Test;

/** Two successive per-host plans through the real reconciler over the fake kernel. */
class PerHostReconcileTest {
  static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  static final Duration GRACE = Duration.ofSeconds(30);

  final FakeKernels.Handle kernel = FakeKernels.create();
  final Ipvs ipvs = Ipvs.open(kernel.transport());
  final LoadBalancerReconciler reconciler =
      new LoadBalancerReconciler(ipvs, GRACE, PerHostServices.managedBy(List.of(POOL)), null);

  /** Web VIP on 80/tcp with two tasks, api VIP (all ports) with one, one placeholder. */
  static LbDesiredState first() {
    return new LbDesiredState(
        H1,
        List.of(
            vip("10.80.0.2", List.of("80/tcp"), "10.80.1.5", "10.80.2.7"),
            vip("10.80.0.3", List.of(), "10.80.1.6")),
        List.of(placeholder("10.80.0.100", "10.80.1.5", List.of("80/tcp"))));
  }

  /** Task 10.80.1.5 gone (with its placeholder), task 10.80.2.8 new, the api service removed. */
  static LbDesiredState second() {
    return new LbDesiredState(
        H1,
        List.of(vip("10.80.0.2", List.of("80/tcp"), "10.80.2.7", "10.80.2.8")),
        List.of(placeholder("10.80.0.101", "10.80.2.8", List.of("80/tcp"))));
  }

  ReconcileReport pass(LbDesiredState state, Instant now) {
    return reconciler.reconcile(PerHostServices.desiredServices(state, "rr"), now);
  }

  /** The whole table: a line per service, a line per destination naming its service. */
  List<String> table() {
    List<String> out = new ArrayList<>();
    for (VirtualService s : ipvs.services()) {
      out.add(
          s.key() + " " + s.scheduler() + (s.userFlags() != 0 ? " persistent " + s.timeout() : ""));
      for (Destination d : ipvs.destinations(s.key())) {
        out.add(
            s.key()
                + " -> "
                + d.address()
                + ":"
                + d.port()
                + " "
                + d.forward()
                + " w"
                + d.weight());
      }
    }
    return out;
  }

  @Test
  void aVanishedBackendDrainsANewTaskIsAddedAndAGoneVipIsDrainedThenDeleted() {
    // Not ours: swarm's fwmark service and another program's service outside the pool.
    ServiceKey swarm = ServiceKey.fwmark(IpFamily.IPV4, 0x101);
    AddressKey other = ServiceKey.of(IpAddress.parse("192.168.9.9"), Protocol.TCP, 443);
    ipvs.addService(VirtualService.of(swarm, "rr"));
    ipvs.addDestination(swarm, Destination.of(IpAddress.parse("10.0.9.1"), 0, 1));
    ipvs.addService(VirtualService.of(other, "wrr"));
    List<String> foreign = table();

    ReconcileReport one = pass(first(), T0);
    assertThat(one.converged()).isTrue();
    assertThat(table())
        .containsExactlyInAnyOrderElementsOf(
            with(
                foreign,
                "TCP 10.80.0.2:80 rr",
                "TCP 10.80.0.2:80 -> 10.80.1.5:80 MASQ w1",
                "TCP 10.80.0.2:80 -> 10.80.2.7:80 MASQ w1",
                "TCP 10.80.0.3:0 rr persistent 1",
                "TCP 10.80.0.3:0 -> 10.80.1.6:0 MASQ w1",
                "UDP 10.80.0.3:0 rr persistent 1",
                "UDP 10.80.0.3:0 -> 10.80.1.6:0 MASQ w1",
                "TCP 10.80.0.100:80 rr",
                "TCP 10.80.0.100:80 -> 10.80.1.5:80 MASQ w1"));
    assertThat(pass(first(), T0.plusSeconds(1)).applied()).isEmpty();

    // Connections still open on the web backend that went away and on the api's TCP backend.
    kernel.setActive(
        ServiceKey.of(IpAddress.parse("10.80.0.2"), Protocol.TCP, 80),
        IpAddress.parse("10.80.1.5"),
        80,
        2);
    kernel.setActive(
        ServiceKey.of(IpAddress.parse("10.80.0.3"), Protocol.TCP, 0),
        IpAddress.parse("10.80.1.6"),
        0,
        1);

    ReconcileReport drain = pass(second(), T0.plusSeconds(2));
    assertThat(drain.errors()).isEmpty();
    assertThat(drain.converged()).isFalse();
    assertThat(table())
        .containsExactlyInAnyOrderElementsOf(
            with(
                foreign,
                "TCP 10.80.0.2:80 rr",
                "TCP 10.80.0.2:80 -> 10.80.1.5:80 MASQ w0",
                "TCP 10.80.0.2:80 -> 10.80.2.7:80 MASQ w1",
                "TCP 10.80.0.2:80 -> 10.80.2.8:80 MASQ w1",
                "TCP 10.80.0.3:0 rr persistent 1",
                "TCP 10.80.0.3:0 -> 10.80.1.6:0 MASQ w0",
                "UDP 10.80.0.3:0 rr persistent 1",
                "UDP 10.80.0.3:0 -> 10.80.1.6:0 MASQ w0",
                "TCP 10.80.0.100:80 rr",
                "TCP 10.80.0.100:80 -> 10.80.1.5:80 MASQ w0",
                "TCP 10.80.0.101:80 rr",
                "TCP 10.80.0.101:80 -> 10.80.2.8:80 MASQ w1"));

    // Next pass: drained destinations without connections go, and with them their services.
    ReconcileReport idle = pass(second(), T0.plusSeconds(3));
    // two destinations with connections, the api TCP service
    assertThat(idle.draining()).isEqualTo(3);
    assertThat(table())
        .containsExactlyInAnyOrderElementsOf(
            with(
                foreign,
                "TCP 10.80.0.2:80 rr",
                "TCP 10.80.0.2:80 -> 10.80.1.5:80 MASQ w0",
                "TCP 10.80.0.2:80 -> 10.80.2.7:80 MASQ w1",
                "TCP 10.80.0.2:80 -> 10.80.2.8:80 MASQ w1",
                "TCP 10.80.0.3:0 rr persistent 1",
                "TCP 10.80.0.3:0 -> 10.80.1.6:0 MASQ w0",
                "TCP 10.80.0.101:80 rr",
                "TCP 10.80.0.101:80 -> 10.80.2.8:80 MASQ w1"));

    // The grace period ends: what still had connections is deleted too.
    ReconcileReport done = pass(second(), T0.plusSeconds(2).plus(GRACE));
    assertThat(done.converged()).isTrue();
    assertThat(table())
        .containsExactlyInAnyOrderElementsOf(
            with(
                foreign,
                "TCP 10.80.0.2:80 rr",
                "TCP 10.80.0.2:80 -> 10.80.2.7:80 MASQ w1",
                "TCP 10.80.0.2:80 -> 10.80.2.8:80 MASQ w1",
                "TCP 10.80.0.101:80 rr",
                "TCP 10.80.0.101:80 -> 10.80.2.8:80 MASQ w1"));
    assertThat(pass(second(), T0.plus(GRACE).plusSeconds(5)).applied()).isEmpty();
  }

  @Test
  void anEmptyPlanRemovesEveryPerHostServiceAndNothingElse() {
    // next to the pool
    AddressKey other = ServiceKey.of(IpAddress.parse("10.81.0.2"), Protocol.TCP, 80);
    ipvs.addService(VirtualService.of(other, "rr"));
    List<String> foreign = table();
    pass(first(), T0);
    // drained first
    assertThat(pass(LbDesiredState.empty(H1), T0.plusSeconds(1)).converged()).isFalse();
    ReconcileReport gone = pass(LbDesiredState.empty(H1), T0.plusSeconds(2));
    assertThat(gone.converged()).isTrue();
    assertThat(table()).containsExactlyElementsOf(foreign);
  }

  private static List<String> with(List<String> foreign, String... lines) {
    List<String> out = new ArrayList<>(foreign);
    out.addAll(List.of(lines));
    return out;
  }
}
