package org.clusteripam.lb.route;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.lb.netlink.AttributeWriter;
import org.clusteripam.lb.netlink.Attributes;
import org.clusteripam.lb.netlink.Errnos;
import org.clusteripam.lb.netlink.Netlink;
import org.clusteripam.lb.netlink.NetlinkMessage;
import org.clusteripam.lb.netlink.NetlinkTransport;

/**
 * An IPv4/IPv6 main routing table behind {@link NetlinkTransport} with the rules of
 * fib_table_insert and fib_table_delete that matter here: a route's key is its destination (metric
 * 0); EXCL on an existing key is EEXIST, REPLACE overwrites the first route of the key whatever its
 * protocol, a delete naming a protocol removes only a route of that protocol (else ESRCH). Dumps
 * also return a local-table route, which callers must ignore.
 */
final class FakeRouteKernel implements NetlinkTransport {
  final List<KernelRoute> table = new ArrayList<>();
  int writes;
  private final Deque<byte[]> queue = new ArrayDeque<>();
  private int errno;

  void addForeign(String dst, String gw, int protocol) {
    table.add(
        new KernelRoute(
            IpPrefix.parse(dst),
            Optional.of(IpAddress.parse(gw)),
            protocol,
            RouteCodec.RT_TABLE_MAIN,
            RouteCodec.RTN_UNICAST,
            0,
            OptionalInt.empty(),
            OptionalInt.empty()));
  }

  @Override
  public int socket(int domain, int type, int protocol) {
    return protocol == Routes.NETLINK_ROUTE ? 5 : fail(Errnos.EPROTONOSUPPORT);
  }

  @Override
  public int bind(int fd, byte[] address) {
    return 0;
  }

  @Override
  public int setsockopt(int fd, int level, int option, byte[] value) {
    return 0;
  }

  @Override
  public int sendto(int fd, byte[] buffer, int length, byte[] address) {
    for (NetlinkMessage m : NetlinkMessage.parseAll(buffer, length)) {
      handle(m);
    }
    return length;
  }

  private void handle(NetlinkMessage m) {
    byte[] p = m.payload();
    if (m.type() == RouteCodec.RTM_GETROUTE) {
      List<KernelRoute> all = new ArrayList<>(table);
      all.add(
          new KernelRoute(
              IpPrefix.parse("127.0.0.1/32"),
              Optional.empty(),
              2,
              255,
              2,
              254,
              OptionalInt.of(1),
              OptionalInt.empty()));
      ByteArray out = new ByteArray();
      for (KernelRoute r : all) {
        out.add(
            new NetlinkMessage(RouteCodec.RTM_NEWROUTE, Netlink.NLM_F_MULTI, m.seq(), 1, encode(r))
                .encode());
      }
      out.add(
          new NetlinkMessage(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI, m.seq(), 1, new byte[4])
              .encode());
      queue.add(out.bytes());
      return;
    }
    writes++;
    Attributes a = Attributes.parse(p, RouteCodec.RTMSG_LEN, p.length - RouteCodec.RTMSG_LEN);
    IpPrefix dst =
        IpPrefix.of(IpAddress.fromBytes(a.bytes(RouteCodec.RTA_DST)), Byte.toUnsignedInt(p[1]));
    int protocol = Byte.toUnsignedInt(p[5]);
    int result = 0;
    if (m.type() == RouteCodec.RTM_NEWROUTE) {
      Optional<IpAddress> gw =
          a.has(RouteCodec.RTA_GATEWAY)
              ? Optional.of(IpAddress.fromBytes(a.bytes(RouteCodec.RTA_GATEWAY)))
              : Optional.empty();
      KernelRoute r =
          new KernelRoute(
              dst,
              gw,
              protocol,
              Byte.toUnsignedInt(p[4]),
              Byte.toUnsignedInt(p[7]),
              Byte.toUnsignedInt(p[6]),
              OptionalInt.empty(),
              OptionalInt.empty());
      int i = indexOf(dst, -1, r.table());
      if (i >= 0 && (m.flags() & RouteCodec.NLM_F_REPLACE) != 0) {
        table.set(i, r);
      } else if (i >= 0 && (m.flags() & RouteCodec.NLM_F_EXCL) != 0) {
        result = Errnos.EEXIST;
      } else {
        table.add(r);
      }
    } else {
      int i = indexOf(dst, protocol, Byte.toUnsignedInt(p[4]));
      if (i < 0) {
        result = Errnos.ESRCH;
      } else {
        table.remove(i);
      }
    }
    byte[] err = new byte[4 + Netlink.NLMSG_HDRLEN];
    int e = -result;
    err[0] = (byte) e;
    err[1] = (byte) (e >>> 8);
    err[2] = (byte) (e >>> 16);
    err[3] = (byte) (e >>> 24);
    queue.add(new NetlinkMessage(Netlink.NLMSG_ERROR, 0, m.seq(), 1, err).encode());
  }

  private int indexOf(IpPrefix dst, int protocol, int tableId) {
    for (int i = 0; i < table.size(); i++) {
      KernelRoute r = table.get(i);
      if (r.destination().equals(dst)
          && r.table() == tableId
          && (protocol < 0 || r.protocol() == protocol)) {
        return i;
      }
    }
    return -1;
  }

  private static byte[] encode(KernelRoute r) {
    AttributeWriter w =
        new AttributeWriter()
            .u32(RouteCodec.RTA_TABLE, r.table())
            .bytes(RouteCodec.RTA_DST, r.destination().network().toBytes());
    r.gateway().ifPresent(g -> w.bytes(RouteCodec.RTA_GATEWAY, g.toBytes()));
    r.outputInterface().ifPresent(o -> w.u32(RouteCodec.RTA_OIF, o));
    byte[] attrs = w.toByteArray();
    byte[] p = new byte[RouteCodec.RTMSG_LEN + attrs.length];
    p[0] = (byte) (r.destination().family() == org.clusteripam.core.net.IpFamily.IPV4 ? 2 : 10);
    p[1] = (byte) r.destination().length();
    p[4] = (byte) Math.min(r.table(), 255);
    p[5] = (byte) r.protocol();
    p[6] = (byte) r.scope();
    p[7] = (byte) r.type();
    System.arraycopy(attrs, 0, p, RouteCodec.RTMSG_LEN, attrs.length);
    return p;
  }

  @Override
  public int recvfrom(int fd, byte[] buffer, int length) {
    byte[] d = queue.poll();
    if (d == null) {
      return fail(11); // EAGAIN: nothing was asked
    }
    System.arraycopy(d, 0, buffer, 0, d.length);
    return d.length;
  }

  @Override
  public int close(int fd) {
    return 0;
  }

  @Override
  public int errno() {
    return errno;
  }

  private int fail(int e) {
    errno = e;
    return -1;
  }

  private static final class ByteArray {
    private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

    void add(byte[] b) {
      out.writeBytes(b);
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
