package org.clusteripam.lb.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalInt;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.lb.netlink.Netlink;
import org.clusteripam.lb.netlink.NetlinkException;
import org.clusteripam.lb.netlink.NetlinkMessage;
import org.junit.jupiter.api.Test;

/**
 * Request and reply bytes captured inside user-mode-linux (kernel 6.1) with {@code strace -xx}
 * around iproute2: {@code ip route add|replace 10.99.1.0/24 via 192.0.2.2|3 proto 201}, {@code ip
 * route del 10.99.1.0/24 proto 201}, {@code ip -6 route add 2001:db8:99::/64 via 2001:db8::2 proto
 * 201}, and the kernel's dump replies for {@code ip [-6] route show}. Payloads only (after the
 * nlmsghdr).
 */
class RouteCodecTest {
  static final HexFormat HEX = HexFormat.of();

  static final String IPROUTE_ADD = "02180000fec9000100000000080001000a63010008000500c0000202";
  static final String IPROUTE_REPLACE = "02180000fec9000100000000080001000a63010008000500c0000203";
  static final String IPROUTE_DEL = "02180000fec9ff0000000000080001000a630100";
  static final String IPROUTE_ADD6 =
      "0a400000fec90001000000001400010020010db80099000000000000000000001400050020010db8000000000000000000000002";

  /** Kernel dump reply: 10.99.1.0/24 via 192.0.2.3 dev 3 proto 201. */
  static final String KERNEL_OURS =
      "02180000fec900010000000008000f00fe000000080001000a63010008000500c00002030800040003000000";

  /** 10.99.2.0/24 via 192.0.2.4 dev 3 proto boot (an operator's route). */
  static final String KERNEL_BOOT =
      "02180000fe0300010000000008000f00fe000000080001000a63020008000500c00002040800040003000000";

  /** 192.0.2.0/24 dev 3 proto kernel scope link src 192.0.2.1. */
  static final String KERNEL_LINK =
      "02180000fe02fd010000000008000f00fe00000008000100c000020008000700c00002010800040003000000";

  /**
   * 2001:db8:99::/64 via 2001:db8::2 dev 3 proto 201 metric 1024 (with RTA_CACHEINFO and RTA_PREF).
   */
  static final String KERNEL_OURS6 =
      "0a400000fec900010000000008000f00fe0000001400010020010db800990000000000000000000008000600000400001400050020010db8000000000000000000000002080004000300000024000c0000000000000000000000000000000000000000000000000000000000000000000500140000000000";

  @Test
  void writesAreWhatIproute2Sends() {
    assertThat(HEX.formatHex(RouteCodec.newRoute(Route.of("10.99.1.0/24", "192.0.2.2"), 201)))
        .isEqualTo(IPROUTE_ADD);
    assertThat(HEX.formatHex(RouteCodec.newRoute(Route.of("10.99.1.0/24", "192.0.2.3"), 201)))
        .isEqualTo(IPROUTE_REPLACE);
    assertThat(HEX.formatHex(RouteCodec.deleteRoute(IpPrefix.parse("10.99.1.0/24"), 201)))
        .isEqualTo(IPROUTE_DEL);
    assertThat(HEX.formatHex(RouteCodec.newRoute(Route.of("2001:db8:99::/64", "2001:db8::2"), 201)))
        .isEqualTo(IPROUTE_ADD6);
  }

  @Test
  void flagsAreIproute2s() {
    // strace showed NLM_F_REQUEST|NLM_F_ACK|0x600 for add and |0x500 for replace.
    assertThat(RouteCodec.flags(RouteCodec.Write.ADD)).isEqualTo(0x600);
    assertThat(RouteCodec.flags(RouteCodec.Write.REPLACE)).isEqualTo(0x500);
  }

  @Test
  void dumpRequestNamesOnlyTheFamily() {
    assertThat(HEX.formatHex(RouteCodec.dumpRequest(IpFamily.IPV4)))
        .isEqualTo("020000000000000000000000");
    assertThat(HEX.formatHex(RouteCodec.dumpRequest(null))).isEqualTo("000000000000000000000000");
  }

  @Test
  void decodesTheKernelsRoutes() {
    KernelRoute ours = decode(KERNEL_OURS);
    assertThat(ours)
        .isEqualTo(
            new KernelRoute(
                IpPrefix.parse("10.99.1.0/24"),
                Optional.of(IpAddress.parse("192.0.2.3")),
                201,
                254,
                1,
                0,
                OptionalInt.of(3),
                OptionalInt.empty()));
    assertThat(ours.asRoute()).contains(Route.of("10.99.1.0/24", "192.0.2.3"));
    assertThat(ours.inMainTable()).isTrue();

    KernelRoute boot = decode(KERNEL_BOOT);
    assertThat(boot.protocol()).isEqualTo(3);
    assertThat(boot.asRoute()).contains(Route.of("10.99.2.0/24", "192.0.2.4"));

    KernelRoute link = decode(KERNEL_LINK);
    assertThat(link.destination()).isEqualTo(IpPrefix.parse("192.0.2.0/24"));
    assertThat(link.gateway()).isEmpty();
    assertThat(link.scope()).isEqualTo(253);
    assertThat(link.protocol()).isEqualTo(2);
    assertThat(link.asRoute()).isEmpty();

    KernelRoute six = decode(KERNEL_OURS6);
    assertThat(six.asRoute()).contains(Route.of("2001:db8:99::/64", "2001:db8::2"));
    assertThat(six.priority()).hasValue(1024);
    assertThat(six.protocol()).isEqualTo(201);
  }

  @Test
  void encodedRoutesDecodeToThemselves() {
    for (Route r :
        new Route[] {
          Route.of("10.0.0.0/8", "192.168.0.1"),
          Route.of("10.99.1.128/25", "10.98.0.1"),
          Route.of("fd00:1::/48", "fd00::1")
        }) {
      KernelRoute k =
          RouteCodec.decode(
                  new NetlinkMessage(RouteCodec.RTM_NEWROUTE, 0, 1, 0, RouteCodec.newRoute(r, 77)))
              .orElseThrow();
      assertThat(k.asRoute()).contains(r);
      assertThat(k.protocol()).isEqualTo(77);
      assertThat(k.inMainTable()).isTrue();
    }
  }

  @Test
  void malformedMessagesAreRejected() {
    assertThatThrownBy(
            () ->
                RouteCodec.decode(
                    new NetlinkMessage(RouteCodec.RTM_NEWROUTE, 0, 1, 0, new byte[5])))
        .isInstanceOf(NetlinkException.class)
        .hasMessageContaining("short rtmsg");
    byte[] badLength = HEX.parseHex(KERNEL_OURS);
    badLength[1] = 40;
    assertThatThrownBy(
            () ->
                RouteCodec.decode(new NetlinkMessage(RouteCodec.RTM_NEWROUTE, 0, 1, 0, badLength)))
        .isInstanceOf(NetlinkException.class)
        .hasMessageContaining("destination length 40");
    byte[] v6Family = HEX.parseHex(KERNEL_OURS);
    v6Family[0] = 10;
    assertThatThrownBy(
            () -> RouteCodec.decode(new NetlinkMessage(RouteCodec.RTM_NEWROUTE, 0, 1, 0, v6Family)))
        .isInstanceOf(NetlinkException.class)
        .hasMessageContaining("RTA_DST of 4 bytes");
    assertThatThrownBy(
            () -> RouteCodec.decode(new NetlinkMessage(Netlink.NLMSG_DONE, 0, 1, 0, new byte[4])))
        .isInstanceOf(NetlinkException.class);
    byte[] otherFamily = HEX.parseHex(KERNEL_OURS);
    otherFamily[0] = 7;
    assertThat(RouteCodec.decode(new NetlinkMessage(RouteCodec.RTM_NEWROUTE, 0, 1, 0, otherFamily)))
        .isEmpty();
  }

  @Test
  void routesRejectMixedFamiliesAndGatewaysInside() {
    assertThatThrownBy(() -> Route.of("10.0.0.0/8", "fd00::1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("another address family");
    assertThatThrownBy(() -> Route.of("10.0.0.0/8", "10.1.2.3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("inside the destination");
    assertThatThrownBy(() -> Routes.checkProtocol(4)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Routes.checkProtocol(256))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static KernelRoute decode(String hex) {
    return RouteCodec.decode(
            new NetlinkMessage(
                RouteCodec.RTM_NEWROUTE, Netlink.NLM_F_MULTI, 1, 718, HEX.parseHex(hex)))
        .orElseThrow();
  }
}
