package org.clusteripam.lb.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.lb.AddressKey;
import org.clusteripam.lb.Destination;
import org.clusteripam.lb.FakeKernels;
import org.clusteripam.lb.ForwardMethod;
import org.clusteripam.lb.FwmarkKey;
import org.clusteripam.lb.Ipvs;
import org.clusteripam.lb.IpvsOp;
import org.clusteripam.lb.Protocol;
import org.clusteripam.lb.ServiceKey;
import org.clusteripam.lb.VirtualService;
import org.clusteripam.lb.netlink.Errnos;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadBalancerReconcilerTest {
  static final AddressKey WEB = ServiceKey.of(IpAddress.parse("10.0.0.1"), Protocol.TCP, 80);
  static final AddressKey DNS6 = ServiceKey.of(IpAddress.parse("fd00::1"), Protocol.UDP, 53);
  static final FwmarkKey MARK = ServiceKey.fwmark(IpFamily.IPV4, 7);
  static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  static final Duration GRACE = Duration.ofSeconds(30);

  FakeKernels.Handle kernel;
  Ipvs ipvs;
  LoadBalancerReconciler reconciler;
  @TempDir Path procSys;

  @BeforeEach
  void setUp() throws IOException {
    kernel = FakeKernels.create();
    ipvs = Ipvs.open(kernel.transport());
    Path vs = Files.createDirectories(procSys.resolve("net/ipv4/vs"));
    Files.writeString(vs.resolve("expire_nodest_conn"), "0\n");
    Files.writeString(vs.resolve("expire_quiescent_template"), "1\n");
    reconciler = new LoadBalancerReconciler(ipvs, GRACE, k -> true, new DrainSysctls(procSys));
  }

  static List<DesiredService> state(Backend... webBackends) {
    return List.of(
        DesiredService.of(WEB, "rr", webBackends),
        DesiredService.of(DNS6, "wrr", Backend.of("fd00::2", 53, 1)),
        DesiredService.of(MARK, "sh", Backend.of("10.2.0.1", 0, 1)));
  }

  @Test
  void convergesFromEmptyAndThenChangesNothing() {
    ReconcileReport first =
        reconciler.reconcile(
            state(Backend.of("10.1.0.1", 80, 1), Backend.of("10.1.0.2", 80, 2)), T0);
    assertThat(first.applied()).hasSize(7);
    assertThat(first.converged()).isTrue();
    assertThat(ipvs.services()).hasSize(3);
    assertThat(ipvs.destinations(WEB)).extracting(Destination::weight).containsExactly(1, 2);
    ReconcileReport again =
        reconciler.reconcile(
            state(Backend.of("10.1.0.1", 80, 1), Backend.of("10.1.0.2", 80, 2)), T0);
    assertThat(again.applied()).isEmpty();
    assertThat(again.converged()).isTrue();
  }

  @Test
  void appliesAndReportsTheDrainSysctls() throws IOException {
    ReconcileReport r = reconciler.reconcile(List.of(), T0);
    assertThat(r.sysctls())
        .containsExactly(
            new SysctlSetting("net.ipv4.vs.expire_nodest_conn", "0", "1"),
            new SysctlSetting("net.ipv4.vs.expire_quiescent_template", "1", "1"));
    assertThat(Files.readString(procSys.resolve("net/ipv4/vs/expire_nodest_conn")).trim())
        .isEqualTo("1");
    assertThat(r.sysctls().get(0).changed()).isTrue();
  }

  @Test
  void sysctlsMissingIsAClearError() {
    LoadBalancerReconciler r =
        new LoadBalancerReconciler(
            ipvs, GRACE, k -> true, new DrainSysctls(procSys.resolve("nope")));
    assertThatThrownBy(() -> r.reconcile(List.of(), T0))
        .hasMessageContaining("net.ipv4.vs.expire_nodest_conn");
  }

  @Test
  void updatesWeightsSchedulerAndPersistenceInPlace() {
    reconciler.reconcile(state(Backend.of("10.1.0.1", 80, 1)), T0);
    List<DesiredService> changed =
        List.of(
            new DesiredService(
                VirtualService.of(WEB, "wrr").withPersistence(60),
                ForwardMethod.MASQ,
                List.of(Backend.of("10.1.0.1", 80, 9))),
            DesiredService.of(DNS6, "wrr", Backend.of("fd00::2", 53, 1)),
            DesiredService.of(MARK, "sh", Backend.of("10.2.0.1", 0, 1)));
    ReconcileReport r = reconciler.reconcile(changed, T0);
    assertThat(r.applied())
        .hasSize(2)
        .hasAtLeastOneElementOfType(IpvsOp.UpdateService.class)
        .hasAtLeastOneElementOfType(IpvsOp.UpdateDestination.class);
    VirtualService web = ipvs.service(WEB).orElseThrow();
    assertThat(web.scheduler()).isEqualTo("wrr");
    assertThat(web.timeout()).isEqualTo(60);
    assertThat(ipvs.destinations(WEB)).singleElement().extracting(Destination::weight).isEqualTo(9);
    assertThat(reconciler.reconcile(changed, T0).applied()).isEmpty();
  }

  @Test
  void drainsAVanishedBackendAndDeletesItWhenItsConnectionsEnd() {
    reconciler.reconcile(state(Backend.of("10.1.0.1", 80, 1), Backend.of("10.1.0.2", 80, 2)), T0);
    kernel.setActive(WEB, IpAddress.parse("10.1.0.2"), 80, 5);

    ReconcileReport drain =
        reconciler.reconcile(state(Backend.of("10.1.0.1", 80, 1)), T0.plusSeconds(1));
    assertThat(drain.applied())
        .singleElement()
        .isEqualTo(new IpvsOp.UpdateDestination(WEB, ipvs.destinations(WEB).get(1)));
    assertThat(drain.draining()).isEqualTo(1);
    assertThat(drain.converged()).isFalse();
    assertThat(ipvs.destinations(WEB).get(1).weight()).isZero();

    ReconcileReport waiting =
        reconciler.reconcile(state(Backend.of("10.1.0.1", 80, 1)), T0.plusSeconds(10));
    assertThat(waiting.applied()).isEmpty();
    assertThat(waiting.draining()).isEqualTo(1);

    kernel.setActive(WEB, IpAddress.parse("10.1.0.2"), 80, 0);
    ReconcileReport done =
        reconciler.reconcile(state(Backend.of("10.1.0.1", 80, 1)), T0.plusSeconds(11));
    assertThat(done.applied()).singleElement().isInstanceOf(IpvsOp.DeleteDestination.class);
    assertThat(done.converged()).isTrue();
    assertThat(ipvs.destinations(WEB))
        .extracting(d -> d.address().toString())
        .containsExactly("10.1.0.1");
  }

  @Test
  void deletesADrainingBackendWhenTheGracePeriodEndsDespiteConnections() {
    reconciler.reconcile(state(Backend.of("10.1.0.1", 80, 1), Backend.of("10.1.0.2", 80, 2)), T0);
    kernel.setActive(WEB, IpAddress.parse("10.1.0.2"), 80, 3);
    reconciler.reconcile(state(Backend.of("10.1.0.1", 80, 1)), T0);
    ReconcileReport before =
        reconciler.reconcile(state(Backend.of("10.1.0.1", 80, 1)), T0.plus(GRACE).minusMillis(1));
    assertThat(before.applied()).isEmpty();
    ReconcileReport at = reconciler.reconcile(state(Backend.of("10.1.0.1", 80, 1)), T0.plus(GRACE));
    assertThat(at.applied()).singleElement().isInstanceOf(IpvsOp.DeleteDestination.class);
    assertThat(at.converged()).isTrue();
  }

  @Test
  void aBackendThatReturnsWhileDrainingIsRestored() {
    reconciler.reconcile(state(Backend.of("10.1.0.1", 80, 1), Backend.of("10.1.0.2", 80, 2)), T0);
    kernel.setActive(WEB, IpAddress.parse("10.1.0.2"), 80, 3);
    reconciler.reconcile(state(Backend.of("10.1.0.1", 80, 1)), T0);
    ReconcileReport back =
        reconciler.reconcile(
            state(Backend.of("10.1.0.1", 80, 1), Backend.of("10.1.0.2", 80, 2)), T0.plusSeconds(1));
    assertThat(back.applied()).singleElement().isInstanceOf(IpvsOp.UpdateDestination.class);
    assertThat(ipvs.destinations(WEB).get(1).weight()).isEqualTo(2);
    assertThat(back.converged()).isTrue();
  }

  @Test
  void aServiceNoLongerDesiredDrainsThenGoes() {
    reconciler.reconcile(state(Backend.of("10.1.0.1", 80, 1)), T0);
    List<DesiredService> withoutMark = state(Backend.of("10.1.0.1", 80, 1)).subList(0, 2);
    ReconcileReport first = reconciler.reconcile(withoutMark, T0);
    assertThat(first.draining()).isEqualTo(2);
    assertThat(ipvs.service(MARK)).isPresent();
    ReconcileReport second = reconciler.reconcile(withoutMark, T0.plusSeconds(1));
    assertThat(second.applied()).hasSize(2).last().isEqualTo(new IpvsOp.DeleteService(MARK));
    assertThat(second.converged()).isTrue();
    assertThat(ipvs.service(MARK)).isEmpty();
  }

  @Test
  void leavesServicesItDoesNotManageAlone() {
    ipvs.addService(
        VirtualService.of(ServiceKey.of(IpAddress.parse("192.0.2.1"), Protocol.TCP, 22), "rr"));
    LoadBalancerReconciler mine =
        new LoadBalancerReconciler(
            ipvs,
            GRACE,
            k -> k instanceof AddressKey a && a.address().toString().startsWith("10."),
            null);
    mine.reconcile(state(Backend.of("10.1.0.1", 80, 1)), T0);
    ReconcileReport r = mine.reconcile(List.of(), T0);
    assertThat(r.applied())
        .doesNotContain(
            new IpvsOp.DeleteService(
                ServiceKey.of(IpAddress.parse("192.0.2.1"), Protocol.TCP, 22)));
    assertThat(ipvs.services()).extracting(s -> s.key().toString()).contains("TCP 192.0.2.1:22");
    assertThat(r.sysctls()).isEmpty();
  }

  @Test
  void aConcurrentWriterIsAbsorbedIdempotently() {
    // Another writer adds the same service and backend between our read and our write: EEXIST,
    // which the reconciler turns into an update instead of an error.
    kernel.beforeNextWrite(
        () -> {
          ipvsDirect().addService(VirtualService.of(WEB, "wrr"));
          ipvsDirect().addDestination(WEB, Destination.of(IpAddress.parse("10.1.0.1"), 80, 5));
        });
    ReconcileReport r =
        reconciler.reconcile(
            List.of(DesiredService.of(WEB, "rr", Backend.of("10.1.0.1", 80, 1))), T0);
    assertThat(r.errors()).isEmpty();
    assertThat(r.applied())
        .containsExactly(
            new IpvsOp.UpdateService(VirtualService.of(WEB, "rr")),
            new IpvsOp.UpdateDestination(WEB, Destination.of(IpAddress.parse("10.1.0.1"), 80, 1)));
    assertThat(ipvs.service(WEB).orElseThrow().scheduler()).isEqualTo("rr");
    assertThat(ipvs.destinations(WEB)).singleElement().extracting(Destination::weight).isEqualTo(1);
  }

  @Test
  void kernelRefusalsAreReportedWithTheirErrnoAndTheRestIsApplied() {
    ReconcileReport r =
        reconciler.reconcile(
            List.of(
                DesiredService.of(WEB, "nosuch", Backend.of("10.1.0.1", 80, 1)),
                DesiredService.of(
                    MARK, "rr", Backend.of("224.0.0.9", 0, 1), Backend.of("10.2.0.1", 0, 1))),
            T0);
    assertThat(r.converged()).isFalse();
    assertThat(r.errors())
        .extracting(e -> e.errno())
        .containsExactlyInAnyOrder(Errnos.ENOENT, Errnos.ESRCH, Errnos.EINVAL);
    assertThat(r.errors())
        .anySatisfy(
            e -> assertThat(e).hasMessageStartingWith("add service TCP 10.0.0.1:80: ENOENT"));
    assertThat(ipvs.destinations(MARK))
        .extracting(d -> d.address().toString())
        .containsExactly("10.2.0.1");
  }

  @Test
  void rejectsAServiceListedTwice() {
    assertThatThrownBy(
            () ->
                reconciler.reconcile(
                    List.of(DesiredService.of(WEB, "rr"), DesiredService.of(WEB, "wrr")), T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("twice");
  }

  private Ipvs ipvsDirect() {
    return kernel.directIpvs();
  }
}
