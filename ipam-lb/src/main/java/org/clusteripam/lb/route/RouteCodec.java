package org.clusteripam.lb.route;

import java.util.Optional;
import java.util.OptionalInt;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.lb.netlink.AttributeWriter;
import org.clusteripam.lb.netlink.Attributes;
import org.clusteripam.lb.netlink.NetlinkException;
import org.clusteripam.lb.netlink.NetlinkMessage;

/**
 * Encodes rtnetlink route requests and decodes route messages ({@code
 * include/uapi/linux/rtnetlink.h}). Requests are byte-for-byte what iproute2 sends for {@code ip
 * route add|replace|del PREFIX [via GW] proto N}: a {@code struct rtmsg} for the main table, then
 * RTA_DST and RTA_GATEWAY.
 */
public final class RouteCodec {
  private RouteCodec() {}

  public static final int RTM_NEWROUTE = 24;
  public static final int RTM_DELROUTE = 25;
  public static final int RTM_GETROUTE = 26;

  public static final int NLM_F_REPLACE = 0x100;
  public static final int NLM_F_EXCL = 0x200;
  public static final int NLM_F_CREATE = 0x400;

  static final int RTMSG_LEN = 12;
  static final int RTA_DST = 1;
  static final int RTA_OIF = 4;
  static final int RTA_GATEWAY = 5;
  static final int RTA_PRIORITY = 6;
  static final int RTA_TABLE = 15;

  public static final int RT_TABLE_MAIN = 254;
  public static final int RT_TABLE_LOCAL = 255;
  static final int RT_SCOPE_HOST = 254;
  public static final int RTN_LOCAL = 2;

  /** The loopback device's index: 1 in every network namespace. */
  static final int LOOPBACK_INDEX = 1;

  static final int RT_SCOPE_UNIVERSE = 0;
  static final int RT_SCOPE_NOWHERE = 255;
  static final int RTN_UNSPEC = 0;
  public static final int RTN_UNICAST = 1;

  static final int AF_UNSPEC = 0;
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;

  /** How a new route meets an existing one with the same key. */
  public enum Write {
    /** Fails with EEXIST if the key exists (ip route add). */
    ADD(NLM_F_CREATE | NLM_F_EXCL),
    /** Creates or overwrites the route with the same key (ip route replace). */
    REPLACE(NLM_F_CREATE | NLM_F_REPLACE);

    final int flags;

    Write(int flags) {
      this.flags = flags;
    }
  }

  /** The netlink flags (beyond REQUEST|ACK) of a write. */
  public static int flags(Write write) {
    return write.flags;
  }

  /** RTM_NEWROUTE payload: unicast, scope universe, main table, {@code protocol}. */
  public static byte[] newRoute(Route route, int protocol) {
    AttributeWriter w =
        new AttributeWriter()
            .bytes(RTA_DST, route.destination().network().toBytes())
            .bytes(RTA_GATEWAY, route.gateway().toBytes());
    return withHeader(
        route.destination(), protocol, RT_SCOPE_UNIVERSE, RTN_UNICAST, w.toByteArray());
  }

  /**
   * RTM_NEWROUTE payload of a local route ({@code ip route add local P dev lo table local proto
   * N}): the kernel takes packets to {@code destination} as its own, which IPVS needs to see a VIP.
   */
  public static byte[] newLocalRoute(IpPrefix destination, int protocol) {
    AttributeWriter w =
        new AttributeWriter()
            .bytes(RTA_DST, destination.network().toBytes())
            .u32(RTA_OIF, LOOPBACK_INDEX);
    byte[] p = withHeader(destination, protocol, RT_SCOPE_HOST, RTN_LOCAL, w.toByteArray());
    p[4] = (byte) RT_TABLE_LOCAL;
    return p;
  }

  /** RTM_DELROUTE payload for this protocol's local route to {@code destination}. */
  public static byte[] deleteLocalRoute(IpPrefix destination, int protocol) {
    byte[] p = deleteRoute(destination, protocol);
    p[4] = (byte) RT_TABLE_LOCAL;
    return p;
  }

  /**
   * RTM_DELROUTE payload naming the route by destination, table and protocol only: the kernel
   * deletes a route of that protocol and no other (a route of another protocol to the same prefix
   * stays).
   */
  public static byte[] deleteRoute(IpPrefix destination, int protocol) {
    byte[] attrs =
        new AttributeWriter().bytes(RTA_DST, destination.network().toBytes()).toByteArray();
    return withHeader(destination, protocol, RT_SCOPE_NOWHERE, RTN_UNSPEC, attrs);
  }

  /** RTM_GETROUTE dump payload: every route of {@code family} (null: both) in every table. */
  public static byte[] dumpRequest(IpFamily family) {
    byte[] p = new byte[RTMSG_LEN];
    p[0] = (byte) (family == null ? AF_UNSPEC : af(family));
    return p;
  }

  private static byte[] withHeader(
      IpPrefix destination, int protocol, int scope, int type, byte[] attrs) {
    byte[] p = new byte[RTMSG_LEN + attrs.length];
    p[0] = (byte) af(destination.family());
    p[1] = (byte) destination.length();
    p[4] = (byte) RT_TABLE_MAIN;
    p[5] = (byte) protocol;
    p[6] = (byte) scope;
    p[7] = (byte) type;
    System.arraycopy(attrs, 0, p, RTMSG_LEN, attrs.length);
    return p;
  }

  /** One RTM_NEWROUTE message of a dump; empty for families other than IPv4 and IPv6. */
  public static Optional<KernelRoute> decode(NetlinkMessage m) {
    if (m.type() != RTM_NEWROUTE) {
      throw new NetlinkException("not a route message: type " + m.type());
    }
    byte[] p = m.payload();
    if (p.length < RTMSG_LEN) {
      throw new NetlinkException("short rtmsg: " + p.length + " bytes");
    }
    int af = Byte.toUnsignedInt(p[0]);
    IpFamily family = af == AF_INET ? IpFamily.IPV4 : af == AF_INET6 ? IpFamily.IPV6 : null;
    if (family == null) {
      return Optional.empty();
    }
    int dstLen = Byte.toUnsignedInt(p[1]);
    if (dstLen > family.bits()) {
      throw new NetlinkException("rtmsg destination length " + dstLen + " for " + family);
    }
    Attributes a = Attributes.parse(p, RTMSG_LEN, p.length - RTMSG_LEN);
    IpAddress dst =
        a.has(RTA_DST) ? address(a.bytes(RTA_DST), family, "RTA_DST") : IpAddress.zero(family);
    Optional<IpAddress> gateway =
        a.has(RTA_GATEWAY)
            ? Optional.of(address(a.bytes(RTA_GATEWAY), family, "RTA_GATEWAY"))
            : Optional.empty();
    int table = a.has(RTA_TABLE) ? a.u32(RTA_TABLE) : Byte.toUnsignedInt(p[4]);
    return Optional.of(
        new KernelRoute(
            IpPrefix.containing(dst, dstLen),
            gateway,
            Byte.toUnsignedInt(p[5]),
            table,
            Byte.toUnsignedInt(p[7]),
            Byte.toUnsignedInt(p[6]),
            a.has(RTA_OIF) ? OptionalInt.of(a.u32(RTA_OIF)) : OptionalInt.empty(),
            a.has(RTA_PRIORITY) ? OptionalInt.of(a.u32(RTA_PRIORITY)) : OptionalInt.empty()));
  }

  private static IpAddress address(byte[] bytes, IpFamily family, String what) {
    if (bytes.length != family.bytes()) {
      throw new NetlinkException(what + " of " + bytes.length + " bytes in a " + family + " route");
    }
    return IpAddress.fromBytes(bytes);
  }

  private static int af(IpFamily f) {
    return f == IpFamily.IPV4 ? AF_INET : AF_INET6;
  }
}
