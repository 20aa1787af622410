package org.clusteripam.lb.route;

import java.util.ArrayList;
import java.util.List;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.lb.netlink.JnrNetlinkTransport;
import org.clusteripam.lb.netlink.NetlinkMessage;
import org.clusteripam.lb.netlink.NetlinkSocket;
import org.clusteripam.lb.netlink.NetlinkTransport;

/**
 * Kernel routes of one routing protocol number in the main table, over rtnetlink. Every write
 * carries that number and a delete names it, so routes installed by anyone else (the kernel, DHCP,
 * an operator's static routes) are never changed. Thread-safe: one request at a time on one socket.
 */
public final class Routes implements AutoCloseable {
  /** NETLINK_ROUTE, rtnetlink's protocol number. */
  public static final int NETLINK_ROUTE = 0;

  /**
   * cluster-ipam's rtm_protocol unless configured: above the kernel's reserved 0..4 and outside the
   * numbers iproute2's rt_protos lists for routing daemons.
   */
  public static final int DEFAULT_PROTOCOL = 201;

  private final NetlinkSocket socket;
  private final int protocol;

  private Routes(NetlinkSocket socket, int protocol) {
    this.socket = socket;
    this.protocol = protocol;
  }

  /**
   * Opens rtnetlink on the host's kernel (JNR); fails with {@link
   * org.clusteripam.lb.netlink.NetlinkException}.
   */
  public static Routes open(int protocol) {
    return open(JnrNetlinkTransport.get(), protocol);
  }

  public static Routes open(NetlinkTransport transport, int protocol) {
    checkProtocol(protocol);
    return new Routes(NetlinkSocket.open(transport, NETLINK_ROUTE), protocol);
  }

  /**
   * The reserved numbers 0..4 belong to the kernel and iproute2's defaults; a number is one byte.
   */
  public static void checkProtocol(int protocol) {
    if (protocol < 5 || protocol > 255) {
      throw new IllegalArgumentException(
          "route protocol must be 5..255 (0..4 are the kernel's), got " + protocol);
    }
  }

  public int protocol() {
    return protocol;
  }

  /** Adds a route; EEXIST when one with its key (destination, metric) exists in the main table. */
  public void add(Route route) {
    write(route, RouteCodec.Write.ADD);
  }

  /** Adds a route or overwrites the one with its key: callers make sure that one is theirs. */
  public void replace(Route route) {
    write(route, RouteCodec.Write.REPLACE);
  }

  private void write(Route route, RouteCodec.Write how) {
    socket.request(
        RouteCodec.RTM_NEWROUTE, RouteCodec.flags(how), RouteCodec.newRoute(route, protocol));
  }

  /** Deletes this protocol's route to {@code destination}; ESRCH when there is none. */
  public void delete(IpPrefix destination) {
    socket.request(RouteCodec.RTM_DELROUTE, 0, RouteCodec.deleteRoute(destination, protocol));
  }

  /**
   * Makes {@code destination} local (table local, dev lo); EEXIST when it already is by a route of
   * that key.
   */
  public void addLocal(IpPrefix destination) {
    socket.request(
        RouteCodec.RTM_NEWROUTE,
        RouteCodec.flags(RouteCodec.Write.ADD),
        RouteCodec.newLocalRoute(destination, protocol));
  }

  /** Deletes this protocol's local route to {@code destination}; ESRCH when there is none. */
  public void deleteLocal(IpPrefix destination) {
    socket.request(RouteCodec.RTM_DELROUTE, 0, RouteCodec.deleteLocalRoute(destination, protocol));
  }

  /**
   * The local table's routes of this protocol, and the destinations local by anyone else's route.
   */
  public LocalTable localTable() {
    List<IpPrefix> mine = new ArrayList<>();
    List<IpPrefix> others = new ArrayList<>();
    for (KernelRoute r : dumpAll()) {
      if (r.table() == RouteCodec.RT_TABLE_LOCAL && r.type() == RouteCodec.RTN_LOCAL) {
        (r.protocol() == protocol ? mine : others).add(r.destination());
      }
    }
    return new LocalTable(mine, others);
  }

  /** The local table as one dump saw it. */
  public record LocalTable(List<IpPrefix> mine, List<IpPrefix> others) {
    public LocalTable {
      mine = List.copyOf(mine);
      others = List.copyOf(others);
    }
  }

  /** Every IPv4 and IPv6 route of every table and protocol. */
  public List<KernelRoute> dumpAll() {
    List<KernelRoute> out = new ArrayList<>();
    for (NetlinkMessage m :
        socket.request(
            RouteCodec.RTM_GETROUTE,
            org.clusteripam.lb.netlink.Netlink.NLM_F_DUMP,
            RouteCodec.dumpRequest(null))) {
      if (m.type() == RouteCodec.RTM_NEWROUTE) {
        RouteCodec.decode(m).ifPresent(out::add);
      }
    }
    return out;
  }

  /** The main table's routes, split into this protocol's and everyone else's. */
  public MainTable mainTable() {
    List<KernelRoute> mine = new ArrayList<>();
    List<KernelRoute> others = new ArrayList<>();
    for (KernelRoute r : dumpAll()) {
      if (r.inMainTable()) {
        (r.protocol() == protocol ? mine : others).add(r);
      }
    }
    return new MainTable(mine, others);
  }

  /** The main table as one dump saw it. */
  public record MainTable(List<KernelRoute> mine, List<KernelRoute> others) {
    public MainTable {
      mine = List.copyOf(mine);
      others = List.copyOf(others);
    }
  }

  @Override
  public void close() {
    socket.close();
  }
}
