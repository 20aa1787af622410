package org.clusteripam.lb.perhost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.LbDesiredState;
import org.clusteripam.core.perhost.PlaceholderRoute;
import org.clusteripam.core.perhost.ServicePort;
import org.clusteripam.core.perhost.VipRoute;
import org.clusteripam.lb.AddressKey;
import org.clusteripam.lb.ForwardMethod;
import org.clusteripam.lb.Protocol;
import org.clusteripam.lb.ServiceKey;
import org.clusteripam.lb.VirtualService;
import org.clusteripam.lb.reconcile.Backend;
import org.clusteripam.lb.reconcile.DesiredService;
import org.junit.jupiter.api.Test;

class PerHostServicesTest {
  static final HostId H1 = new HostId("h1");
  static final IpPrefix POOL = IpPrefix.parse("10.80.0.0/16");
  static final IpPrefix POOL6 = IpPrefix.parse("fd00:80::/64");

  static VipRoute vip(String frontend, List<String> ports, String... backends) {
    IpAddress f = IpAddress.parse(frontend);
    return new VipRoute(
        f.isV4() ? POOL : POOL6,
        "svc-" + frontend,
        "web",
        f,
        false,
        ports.stream().map(ServicePort::parse).toList(),
        Arrays.stream(backends).map(IpAddress::parse).toList());
  }

  static PlaceholderRoute placeholder(String placeholder, String actual, List<String> ports) {
    IpAddress p = IpAddress.parse(placeholder);
    return new PlaceholderRoute(
        p.isV4() ? POOL : POOL6,
        p,
        new HostId("h2"),
        IpAddress.parse(actual),
        "svc-1",
        ports.stream().map(ServicePort::parse).toList());
  }

  static LbDesiredState state(List<VipRoute> vips, List<PlaceholderRoute> placeholders) {
    return new LbDesiredState(H1, vips, placeholders);
  }

  static AddressKey key(String address, Protocol protocol, int port) {
    return ServiceKey.of(IpAddress.parse(address), protocol, port);
  }

  @Test
  void eachPortOfAVipIsOneNatServiceToEveryBackendOnThatPort() {
    List<DesiredService> out =
        PerHostServices.desiredServices(
            state(
                List.of(
                    vip(
                        "10.80.0.2",
                        List.of("80/tcp", "53/udp", "9/sctp"),
                        "10.80.1.5",
                        "10.80.2.7")),
                List.of()),
            "rr");
    assertThat(out)
        .extracting(DesiredService::key)
        .containsExactly(
            key("10.80.0.2", Protocol.TCP, 80),
            key("10.80.0.2", Protocol.UDP, 53),
            key("10.80.0.2", Protocol.SCTP, 9));
    for (DesiredService d : out) {
      int port = ((AddressKey) d.key()).port();
      assertThat(d.service()).isEqualTo(VirtualService.of(d.key(), "rr"));
      assertThat(d.service().userFlags()).isZero();
      assertThat(d.forward()).isEqualTo(ForwardMethod.MASQ);
      assertThat(d.backends())
          .containsExactly(Backend.of("10.80.1.5", port, 1), Backend.of("10.80.2.7", port, 1));
    }
  }

  @Test
  void aRouteWithoutPortsIsPersistentTcpAndUdpOnPortZeroKeepingTheClientsPort() {
    List<DesiredService> out =
        PerHostServices.desiredServices(
            state(List.of(vip("10.80.0.3", List.of(), "10.80.1.5")), List.of()), "wrr");
    assertThat(out)
        .extracting(DesiredService::key)
        .containsExactly(key("10.80.0.3", Protocol.TCP, 0), key("10.80.0.3", Protocol.UDP, 0));
    for (DesiredService d : out) {
      assertThat(d.service().scheduler()).isEqualTo("wrr");
      assertThat(d.service().userFlags()).isEqualTo(VirtualService.FLAG_PERSISTENT);
      assertThat(d.service().timeout()).isEqualTo(1);
      assertThat(d.service().netmask()).isEqualTo(VirtualService.defaultNetmask(IpFamily.IPV4));
      assertThat(d.backends()).containsExactly(Backend.of("10.80.1.5", 0, 1));
    }
  }

  @Test
  void aPlaceholderForwardsToItsActualAddressOnItsPortsOrAllPorts() {
    List<DesiredService> out =
        PerHostServices.desiredServices(
            state(
                List.of(),
                List.of(
                    placeholder("10.80.0.100", "10.80.3.4", List.of("8080/tcp", "8081")),
                    placeholder("10.80.0.101", "10.80.3.5", List.of()))),
            "rr");
    assertThat(out)
        .extracting(DesiredService::key)
        .containsExactly(
            key("10.80.0.100", Protocol.TCP, 8080), key("10.80.0.100", Protocol.TCP, 8081),
            key("10.80.0.101", Protocol.TCP, 0), key("10.80.0.101", Protocol.UDP, 0));
    assertThat(out)
        .extracting(DesiredService::backends)
        .containsExactly(
            List.of(Backend.of("10.80.3.4", 8080, 1)), List.of(Backend.of("10.80.3.4", 8081, 1)),
            List.of(Backend.of("10.80.3.5", 0, 1)), List.of(Backend.of("10.80.3.5", 0, 1)));
    assertThat(out.get(0).service().userFlags()).isZero();
    assertThat(out.get(2).service().timeout()).isEqualTo(1);
  }

  @Test
  void ipv6FrontendsGetIpv6ServicesWithTheIpv6Netmask() {
    List<DesiredService> out =
        PerHostServices.desiredServices(
            state(
                List.of(
                    vip("fd00:80::2", List.of("443/tcp"), "fd00:80::1:5", "fd00:80::2:7"),
                    vip("fd00:80::3", List.of(), "fd00:80::1:5")),
                List.of(placeholder("fd00:80::100", "fd00:80::1:5", List.of("443/tcp")))),
            "rr");
    assertThat(out)
        .extracting(DesiredService::key)
        .containsExactly(
            key("fd00:80::2", Protocol.TCP, 443),
            key("fd00:80::3", Protocol.TCP, 0),
            key("fd00:80::3", Protocol.UDP, 0),
            key("fd00:80::100", Protocol.TCP, 443));
    assertThat(out)
        .allSatisfy(
            d -> {
              assertThat(d.key().family()).isEqualTo(IpFamily.IPV6);
              assertThat(d.service().netmask()).isEqualTo(128);
            });
    assertThat(out.get(0).backends())
        .containsExactly(Backend.of("fd00:80::1:5", 443, 1), Backend.of("fd00:80::2:7", 443, 1));
  }

  @Test
  void aVipWithoutBackendsKeepsItsServicesWithNoDestinations() {
    List<DesiredService> out =
        PerHostServices.desiredServices(
            state(
                List.of(vip("10.80.0.2", List.of("80/tcp")), vip("10.80.0.3", List.of())),
                List.of()),
            "rr");
    assertThat(out)
        .extracting(DesiredService::key)
        .containsExactly(
            key("10.80.0.2", Protocol.TCP, 80),
            key("10.80.0.3", Protocol.TCP, 0),
            key("10.80.0.3", Protocol.UDP, 0));
    assertThat(out).allSatisfy(d -> assertThat(d.backends()).isEmpty());
  }

  @Test
  void theOrderIsSortedByAddressProtocolAndPortWhateverTheInputOrder() {
    List<VipRoute> vips =
        new ArrayList<>(
            List.of(
                vip("10.80.0.9", List.of("80/tcp", "53/udp", "53/tcp"), "10.80.1.1"),
                vip("10.80.0.2", List.of(), "10.80.1.2"),
                vip("fd00:80::1", List.of("80/tcp"), "fd00:80::1:1")));
    List<PlaceholderRoute> placeholders =
        new ArrayList<>(
            List.of(
                placeholder("10.80.0.200", "10.80.2.1", List.of("80/tcp")),
                placeholder("10.80.0.10", "10.80.2.2", List.of("80/tcp"))));
    List<DesiredService> first = PerHostServices.desiredServices(state(vips, placeholders), "rr");
    assertThat(first)
        .extracting(d -> d.key().toString())
        .containsExactly(
            "TCP 10.80.0.2:0",
            "UDP 10.80.0.2:0",
            "TCP 10.80.0.9:53",
            "TCP 10.80.0.9:80",
            "UDP 10.80.0.9:53",
            "TCP 10.80.0.10:80",
            "TCP 10.80.0.200:80",
            "TCP [fd00:80::1]:80");
    Random random = new Random(7);
    for (int i = 0; i < 5; i++) {
      Collections.shuffle(vips, random);
      Collections.shuffle(placeholders, random);
      assertThat(PerHostServices.desiredServices(state(vips, placeholders), "rr")).isEqualTo(first);
    }
  }

  @Test
  void twoRoutesOnTheSameServiceAreRefusedNamingBoth() {
    VipRoute web = vip("10.80.0.2", List.of("80/tcp"), "10.80.1.5");
    assertThatThrownBy(
            () -> PerHostServices.desiredServices(state(List.of(web, web), List.of()), "rr"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TCP 10.80.0.2:80")
        .hasMessageContaining("VIP 10.80.0.2 of service web (svc-10.80.0.2)");
    PlaceholderRoute clash = placeholder("10.80.0.2", "10.80.3.4", List.of("80/tcp"));
    assertThatThrownBy(
            () -> PerHostServices.desiredServices(state(List.of(web), List.of(clash)), "rr"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two routes map to the IPVS service TCP 10.80.0.2:80")
        .hasMessageContaining("VIP 10.80.0.2 of service web")
        .hasMessageContaining("placeholder 10.80.0.2 -> 10.80.3.4 on host h2");
    // An all-ports route next to a port route on the same address is legal for IPVS (port 0 is its
    // fallback).
    assertThat(
            PerHostServices.desiredServices(
                state(List.of(web), List.of(placeholder("10.80.0.2", "10.80.3.4", List.of()))),
                "rr"))
        .hasSize(3);
  }

  @Test
  void mixedFamiliesAndAMissingSchedulerAreRefused() {
    assertThatThrownBy(
            () ->
                PerHostServices.desiredServices(
                    state(List.of(vip("10.80.0.2", List.of("80/tcp"), "fd00:80::1")), List.of()),
                    "rr"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot forward 10.80.0.2 to fd00:80::1");
    assertThatThrownBy(
            () ->
                PerHostServices.desiredServices(
                    state(List.of(), List.of(placeholder("fd00:80::100", "10.80.3.4", List.of()))),
                    "rr"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("placeholder fd00:80::100 -> 10.80.3.4");
    assertThatThrownBy(() -> PerHostServices.desiredServices(LbDesiredState.empty(H1), " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("scheduler");
    assertThat(PerHostServices.desiredServices(LbDesiredState.empty(H1), "rr")).isEmpty();
  }

  @Test
  void managedByAcceptsAddressServicesInsideThePoolsOnly() {
    Predicate<ServiceKey> managed = PerHostServices.managedBy(List.of(POOL, POOL6));
    assertThat(managed.test(key("10.80.0.2", Protocol.TCP, 80))).isTrue();
    assertThat(managed.test(key("10.80.255.255", Protocol.UDP, 0))).isTrue();
    assertThat(managed.test(key("fd00:80::100", Protocol.SCTP, 9))).isTrue();
    assertThat(managed.test(key("10.81.0.2", Protocol.TCP, 80))).isFalse();
    assertThat(managed.test(key("10.0.0.1", Protocol.TCP, 80))).isFalse();
    assertThat(managed.test(key("fd00:81::1", Protocol.TCP, 80))).isFalse();
    // swarm's own services
    assertThat(managed.test(ServiceKey.fwmark(IpFamily.IPV4, 0x100))).isFalse();
    assertThat(managed.test(ServiceKey.fwmark(IpFamily.IPV6, 0x100))).isFalse();
    assertThat(PerHostServices.managedBy(List.of()).test(key("10.80.0.2", Protocol.TCP, 80)))
        .isFalse();
  }

  @Test
  void managedByKeepsItsOwnCopyOfThePools() {
    List<IpPrefix> pools = new ArrayList<>(List.of(POOL));
    Predicate<ServiceKey> managed = PerHostServices.managedBy(pools);
    pools.clear();
    assertThat(managed.test(key("10.80.0.2", Protocol.TCP, 80))).isTrue();
  }
}
