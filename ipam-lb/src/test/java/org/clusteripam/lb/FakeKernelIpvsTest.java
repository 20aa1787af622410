package org.clusteripam.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.lb.netlink.Errnos;
import org.clusteripam.lb.netlink.NetlinkMessage;
import org.junit.jupiter.api.Test;

/** The client through the whole netlink stack against {@link FakeKernel}. */
class FakeKernelIpvsTest {
  static final AddressKey WEB = IpvsadmVectorsTest.WEB;
  static final IpAddress REAL = IpvsadmVectorsTest.REAL;

  @Test
  void sendsOnTheWireExactlyWhatIpvsadmSends() {
    FakeKernel k = new FakeKernel();
    try (Ipvs ipvs = Ipvs.open(k)) {
      ipvs.info();
      ipvs.addService(VirtualService.of(WEB, "rr"));
      ipvs.info();
      ipvs.addDestination(WEB, Destination.of(REAL, 8080, 1));
      ipvs.info();
      ipvs.updateDestination(WEB, Destination.of(REAL, 8080, 0));
      ipvs.info();
      ipvs.addService(VirtualService.of(IpvsadmVectorsTest.MARK, "wrr"));
      ipvs.info();
      ipvs.addService(VirtualService.of(IpvsadmVectorsTest.DNS6, "rr"));
      ipvs.info();
      assertThat(ipvs.services()).hasSize(3);
      // in the order the captured kernel dumped them
      ipvs.destinations(WEB);
      ipvs.destinations(IpvsadmVectorsTest.DNS6);
      ipvs.destinations(IpvsadmVectorsTest.MARK);
      ipvs.info();
      ipvs.deleteDestination(WEB, REAL, 8080);
      ipvs.info();
      ipvs.deleteService(WEB);
      ipvs.info();
      ipvs.flush();
    }
    List<String> ours = new ArrayList<>();
    for (byte[] d : k.datagrams) {
      NetlinkMessage m = NetlinkMessage.parseAll(d, d.length).get(0);
      if (m.type() == k.ipvsFamilyId) {
        byte[] zeroed = Arrays.copyOf(d, d.length);
        Arrays.fill(zeroed, 8, 16, (byte) 0);
        ours.add(Vectors.hex(zeroed));
      }
    }
    List<String> expected = new ArrayList<>();
    for (Vectors.Run run : Vectors.load()) {
      if (run.rc() == 0) {
        run.sends().forEach(b -> expected.add(Vectors.hex(b)));
      }
    }
    assertThat(ours).containsExactlyElementsOf(expected);
  }

  @Test
  void mapsEveryKernelErrnoToAnExceptionNamingTheOperation() {
    FakeKernel k = new FakeKernel();
    try (Ipvs ipvs = Ipvs.open(k)) {
      ipvs.addService(VirtualService.of(WEB, "rr"));
      ipvs.addDestination(WEB, Destination.of(REAL, 8080, 1));
      AddressKey missing = ServiceKey.of(IpAddress.parse("10.0.0.9"), Protocol.TCP, 80);

      assertErrno(
          () -> ipvs.addService(VirtualService.of(WEB, "rr")),
          Errnos.EEXIST,
          "add service TCP 10.0.0.1:80");
      assertErrno(
          () -> ipvs.addDestination(WEB, Destination.of(REAL, 8080, 1)),
          Errnos.EEXIST,
          "add destination 10.1.0.1:8080 to TCP 10.0.0.1:80");
      assertErrno(
          () -> ipvs.deleteService(missing), Errnos.ESRCH, "delete service TCP 10.0.0.9:80");
      assertErrno(
          () -> ipvs.deleteDestination(WEB, REAL, 9),
          Errnos.ENOENT,
          "delete destination 10.1.0.1:9 from TCP 10.0.0.1:80");
      assertErrno(
          () -> ipvs.addService(VirtualService.of(missing, "bogus")), Errnos.ENOENT, "add service");
      assertErrno(
          () -> ipvs.addDestination(WEB, Destination.of(IpAddress.parse("224.0.0.5"), 1, 1)),
          Errnos.EINVAL,
          "add destination 224.0.0.5:1");
      assertErrno(
          () -> ipvs.addDestination(WEB, Destination.of(REAL, 1, 1).withThresholds(1, 2)),
          Errnos.ERANGE,
          "add destination 10.1.0.1:1");
      k.privileged = false;
      assertErrno(
          () -> ipvs.addService(VirtualService.of(missing, "rr")), Errnos.EPERM, "add service");
      assertErrno(ipvs::services, Errnos.EPERM, "list services");
    }
  }

  @Test
  void getsOneServiceOrEmptyAndListsDestinationsOfMissingServiceAsEmpty() {
    FakeKernel k = new FakeKernel();
    try (Ipvs ipvs = Ipvs.open(k)) {
      ipvs.addService(VirtualService.of(WEB, "wrr").withPersistence(30));
      VirtualService s = ipvs.service(WEB).orElseThrow();
      assertThat(s.scheduler()).isEqualTo("wrr");
      assertThat(s.timeout()).isEqualTo(30);
      assertThat(s.flags()).isEqualTo(VirtualService.FLAG_PERSISTENT | VirtualService.FLAG_HASHED);
      assertThat(s.userFlags()).isEqualTo(VirtualService.FLAG_PERSISTENT);
      AddressKey other = ServiceKey.of(REAL, Protocol.UDP, 1);
      assertThat(ipvs.service(other)).isEmpty();
      assertThat(ipvs.destinations(other)).isEmpty();
    }
  }

  @Test
  void ipvsMissingFromTheKernelIsItsOwnClearError() {
    FakeKernel k = new FakeKernel();
    k.ipvsLoaded = false;
    assertThatThrownBy(() -> Ipvs.open(k))
        .isInstanceOf(IpvsUnavailableException.class)
        .hasMessageStartingWith("IPVS not available in this kernel");
    assertThat(k.openSockets).as("the socket is closed again").isZero();
  }

  @Test
  void moduleUnloadedAfterOpenAlsoReportsIpvsUnavailable() {
    FakeKernel k = new FakeKernel();
    try (Ipvs ipvs = Ipvs.open(k)) {
      k.ipvsLoaded = false;
      assertThatThrownBy(ipvs::services)
          .isInstanceOf(IpvsUnavailableException.class)
          .hasMessageContaining("IPVS not available");
    }
  }

  @Test
  void batchReportsEachFailureAndAppliesTheRest() {
    FakeKernel k = new FakeKernel();
    try (Ipvs ipvs = Ipvs.open(k)) {
      List<IpvsOp> ops = new ArrayList<>();
      ops.add(new IpvsOp.AddService(VirtualService.of(WEB, "rr")));
      for (int i = 1; i <= 150; i++) {
        ops.add(
            new IpvsOp.AddDestination(WEB, Destination.of(IpAddress.parse("10.2.0." + i), 80, 1)));
      }
      ops.add(new IpvsOp.AddDestination(WEB, Destination.of(IpAddress.parse("10.2.0.3"), 80, 1)));
      List<Ipvs.Result> results = ipvs.apply(ops);
      assertThat(results).hasSize(152);
      assertThat(results.get(151).errno()).isEqualTo(Errnos.EEXIST);
      assertThat(results.get(151).exception()).hasMessageContaining("add destination 10.2.0.3:80");
      assertThat(results.subList(0, 151)).allMatch(Ipvs.Result::ok);
      assertThat(ipvs.destinations(WEB)).hasSize(150);
      long ipvsDatagrams =
          k.datagrams.stream().filter(d -> (d[4] & 0xff) == k.ipvsFamilyId).count();
      assertThat(ipvsDatagrams).as("152 requests in datagrams of 64, plus one dump").isEqualTo(4);
    }
  }

  private static void assertErrno(Runnable call, int errno, String operation) {
    assertThatThrownBy(call::run)
        .isInstanceOf(IpvsException.class)
        .hasMessageStartingWith(operation)
        .hasMessageContaining(Errnos.name(errno))
        .satisfies(e -> assertThat(((IpvsException) e).errno()).isEqualTo(errno));
  }
}
