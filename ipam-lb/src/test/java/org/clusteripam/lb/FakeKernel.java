package org.clusteripam.lb;

import static org.clusteripam.lb.IpvsCodec.*;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.lb.netlink.AttributeWriter;
import org.clusteripam.lb.netlink.Attributes;
import org.clusteripam.lb.netlink.Errnos;
import org.clusteripam.lb.netlink.Netlink;
import org.clusteripam.lb.netlink.NetlinkMessage;
import org.clusteripam.lb.netlink.NetlinkTransport;

/**
 * A kernel behind {@link NetlinkTransport}: generic netlink's controller plus an IPVS table that
 * answers like net/netfilter/ipvs/ip_vs_ctl.c in Linux 6.1 (same checks, same order, same errno),
 * replies without NLA_F_NESTED, dumps split over several datagrams, errors quoting the header.
 */
final class FakeKernel implements NetlinkTransport {
  int ipvsFamilyId = 0x20;
  boolean ipvsLoaded = true;
  boolean privileged = true;

  /** Messages per datagram in dumps: small, so clients must read several. */
  int dumpPartSize = 2;

  /** Put an unrelated, stale message before every reply (a leftover of an abandoned request). */
  boolean staleNoise;

  Set<String> schedulers = Set.of("rr", "wrr", "sh", "lc");

  /** Runs before each IPVS write: lets a test act as a concurrent writer. */
  Runnable beforeWrite = () -> {};

  final List<byte[]> datagrams = new ArrayList<>();
  final Map<ServiceKey, Entry> table = new LinkedHashMap<>();
  int openSockets;
  int ipvsRequests;

  /** Per socket: each client reads only its own replies, as with real port ids. */
  private final Map<Integer, Deque<byte[]>> queues = new java.util.HashMap<>();

  private Deque<byte[]> queue;
  private int nextFd = 7;
  private int errno;

  static final class Entry {
    VirtualService service;
    final Map<String, Destination> destinations = new LinkedHashMap<>();

    Entry(VirtualService service) {
      this.service = service;
    }
  }

  /** Sets the active connection count of a destination (traffic the fake cannot have). */
  void setActive(ServiceKey key, IpAddress address, int port, int active) {
    Entry e = table.get(key);
    Destination d = e.destinations.get(id(address, port));
    e.destinations.put(
        id(address, port),
        new Destination(
            d.address(),
            d.port(),
            d.forward(),
            d.weight(),
            d.upperThreshold(),
            d.lowerThreshold(),
            active,
            d.inactiveConnections(),
            d.persistentConnections(),
            d.stats()));
  }

  /** Module reload: a new family id, the table gone. */
  void reload(int newFamilyId) {
    ipvsFamilyId = newFamilyId;
    table.clear();
  }

  // ---- the transport --------------------------------------------------------------------------

  @Override
  public int socket(int domain, int type, int protocol) {
    if (domain != Netlink.AF_NETLINK) {
      return fail(Errnos.EAFNOSUPPORT);
    }
    if (protocol != Netlink.NETLINK_GENERIC) {
      return fail(Errnos.EPROTONOSUPPORT);
    }
    openSockets++;
    queues.put(nextFd, new ArrayDeque<>());
    return nextFd++;
  }

  @Override
  public int bind(int fd, byte[] address) {
    return address.length == 12 && address[0] == Netlink.AF_NETLINK ? 0 : fail(Errnos.EINVAL);
  }

  @Override
  public int setsockopt(int fd, int level, int option, byte[] value) {
    return 0;
  }

  @Override
  public int close(int fd) {
    openSockets--;
    return 0;
  }

  @Override
  public int errno() {
    return errno;
  }

  @Override
  public int sendto(int fd, byte[] buffer, int length, byte[] address) {
    byte[] copy = java.util.Arrays.copyOf(buffer, length);
    datagrams.add(copy);
    Deque<byte[]> saved = queue;
    queue = queues.get(fd);
    try {
      for (NetlinkMessage m : NetlinkMessage.parseAll(copy, length)) {
        handle(m);
      }
    } finally {
      queue = saved;
    }
    return length;
  }

  @Override
  public int recvfrom(int fd, byte[] buffer, int length) {
    byte[] next = queues.get(fd).poll();
    if (next == null) {
      return fail(11); // EAGAIN: a real socket would block forever; the client read too far
    }
    System.arraycopy(next, 0, buffer, 0, next.length);
    return next.length;
  }

  private int fail(int e) {
    errno = e;
    return -1;
  }

  // ---- generic netlink ------------------------------------------------------------------------

  private void handle(NetlinkMessage m) {
    if (staleNoise) {
      queue.add(error(new NetlinkMessage(m.type(), 0, m.seq() - 1000, 0, new byte[0]), 0));
    }
    int e;
    List<NetlinkMessage> replies = new ArrayList<>();
    boolean dump = (m.flags() & Netlink.NLM_F_DUMP) == Netlink.NLM_F_DUMP;
    if (m.type() == Netlink.GENL_ID_CTRL) {
      e = controller(m, replies);
    } else if (m.type() == ipvsFamilyId && ipvsLoaded) {
      ipvsRequests++;
      e = privileged ? ipvs(m, replies) : Errnos.EPERM;
    } else {
      e = Errnos.ENOENT; // genl: no family with this id
    }
    if (dump && e == 0) {
      for (int i = 0; i < replies.size(); i += dumpPartSize) {
        List<byte[]> part = new ArrayList<>();
        for (NetlinkMessage r : replies.subList(i, Math.min(replies.size(), i + dumpPartSize))) {
          part.add(
              new NetlinkMessage(r.type(), Netlink.NLM_F_MULTI, m.seq(), 0, r.payload()).encode());
        }
        queue.add(concat(part));
      }
      queue.add(
          new NetlinkMessage(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI, m.seq(), 0, new byte[4])
              .encode());
      return;
    }
    for (NetlinkMessage r : replies) {
      queue.add(new NetlinkMessage(r.type(), 0, m.seq(), 0, r.payload()).encode());
    }
    if (e != 0 || (m.flags() & Netlink.NLM_F_ACK) != 0) {
      queue.add(error(m, e));
    }
  }

  /** NLMSG_ERROR: -errno then the request's header (NETLINK_CAP_ACK). */
  private static byte[] error(NetlinkMessage request, int e) {
    byte[] payload = new byte[4 + Netlink.NLMSG_HDRLEN];
    int v = -e;
    for (int i = 0; i < 4; i++) {
      payload[i] = (byte) (v >>> (8 * i));
    }
    System.arraycopy(request.encode(), 0, payload, 4, Netlink.NLMSG_HDRLEN);
    return new NetlinkMessage(Netlink.NLMSG_ERROR, 0x100, request.seq(), 0, payload).encode();
  }

  private int controller(NetlinkMessage m, List<NetlinkMessage> replies) {
    if (m.genlCommand() != Netlink.CTRL_CMD_GETFAMILY) {
      return Errnos.EOPNOTSUPP;
    }
    String name = m.genlAttributes().string(Netlink.CTRL_ATTR_FAMILY_NAME);
    int id;
    if (name.equals("nlctrl")) {
      id = Netlink.GENL_ID_CTRL;
    } else if (name.equals(FAMILY) && ipvsLoaded) {
      id = ipvsFamilyId;
    } else {
      return Errnos.ENOENT;
    }
    byte[] attrs =
        new AttributeWriter()
            .u16(Netlink.CTRL_ATTR_FAMILY_ID, id)
            .string(Netlink.CTRL_ATTR_FAMILY_NAME, name)
            .u32(3, 1)
            .toByteArray();
    replies.add(genl(Netlink.GENL_ID_CTRL, Netlink.CTRL_CMD_NEWFAMILY, attrs));
    return 0;
  }

  // ---- IPVS -----------------------------------------------------------------------------------

  private int ipvs(NetlinkMessage m, List<NetlinkMessage> replies) {
    int cmd = m.genlCommand();
    Attributes attrs = m.genlAttributes();
    switch (cmd) {
      case CMD_GET_INFO -> {
        replies.add(
            genl(
                ipvsFamilyId,
                CMD_SET_INFO,
                new AttributeWriter()
                    .u32(INFO_VERSION, 0x010201)
                    .u32(INFO_CONN_TAB_SIZE, 4096)
                    .toByteArray()));
        return 0;
      }
      case CMD_FLUSH -> {
        beforeWrite.run();
        table.clear();
        return 0;
      }
      case CMD_GET_SERVICE -> {
        if ((m.flags() & Netlink.NLM_F_DUMP) == Netlink.NLM_F_DUMP) {
          table.values().forEach(e -> replies.add(serviceReply(e.service)));
          return 0;
        }
        ParsedKey k = key(m, false);
        if (k.errno != 0) {
          return k.errno;
        }
        Entry e = table.get(k.key);
        if (e == null) {
          return Errnos.ESRCH;
        }
        replies.add(serviceReply(e.service));
        return 0;
      }
      case CMD_GET_DEST -> {
        ParsedKey k = key(m, false);
        Entry e = k.errno == 0 ? table.get(k.key) : null;
        if (e != null) {
          e.destinations.values().forEach(d -> replies.add(destReply(d)));
        }
        return 0; // the kernel dumps nothing for a missing service
      }
      default -> {
        beforeWrite.run();
        return write(cmd, m);
      }
    }
  }

  /** ip_vs_genl_set_cmd, in the kernel's order of checks. */
  private int write(int cmd, NetlinkMessage m) {
    Attributes attrs = m.genlAttributes();
    boolean full = cmd == CMD_NEW_SERVICE || cmd == CMD_SET_SERVICE;
    ParsedKey k = key(m, full);
    if (k.errno != 0) {
      return k.errno;
    }
    Entry svc = table.get(k.key);
    if (cmd != CMD_NEW_SERVICE && svc == null) {
      return Errnos.ESRCH;
    }
    Destination dest = null;
    if (cmd == CMD_NEW_DEST || cmd == CMD_SET_DEST || cmd == CMD_DEL_DEST) {
      if (!attrs.has(ATTR_DEST)) {
        return Errnos.EINVAL;
      }
      Attributes d = attrs.nested(ATTR_DEST);
      if (!d.has(DEST_ADDR) || !d.has(DEST_PORT)) {
        return Errnos.EINVAL;
      }
      if (cmd != CMD_DEL_DEST
          && !(d.has(DEST_FWD_METHOD)
              && d.has(DEST_WEIGHT)
              && d.has(DEST_U_THRESH)
              && d.has(DEST_L_THRESH))) {
        return Errnos.EINVAL;
      }
      dest = decodeDestination(m, svc.service.key().family());
      if (dest.address().family() != svc.service.key().family()
          && cmd != CMD_DEL_DEST
          && dest.forward() != ForwardMethod.TUNNEL) {
        return Errnos.EINVAL;
      }
    }
    VirtualService wanted = full ? decodeService(m) : null;
    switch (cmd) {
      case CMD_NEW_SERVICE -> {
        if (svc != null) {
          return Errnos.EEXIST;
        }
        int e = checkService(wanted);
        if (e != 0) {
          return e;
        }
        table.put(k.key, new Entry(hashed(wanted)));
        return 0;
      }
      case CMD_SET_SERVICE -> {
        int e = checkService(wanted);
        if (e != 0) {
          return e;
        }
        svc.service = hashed(wanted);
        return 0;
      }
      case CMD_DEL_SERVICE -> {
        table.remove(k.key);
        return 0;
      }
      case CMD_NEW_DEST, CMD_SET_DEST -> {
        if (dest.weight() < 0 || dest.lowerThreshold() > dest.upperThreshold()) {
          return Errnos.ERANGE;
        }
        Destination have = svc.destinations.get(id(dest.address(), dest.port()));
        if (cmd == CMD_NEW_DEST) {
          if (dest.address().isV4() && (dest.address().toBytes()[0] & 0xf0) == 0xe0) {
            return Errnos.EINVAL; // inet_addr_type is not unicast/local
          }
          if (have != null) {
            return Errnos.EEXIST;
          }
        } else if (have == null) {
          return Errnos.ENOENT;
        }
        int active = have == null ? 0 : have.activeConnections();
        svc.destinations.put(
            id(dest.address(), dest.port()),
            new Destination(
                dest.address(),
                dest.port(),
                dest.forward(),
                dest.weight(),
                dest.upperThreshold(),
                dest.lowerThreshold(),
                active,
                0,
                0,
                IpvsStats.ZERO));
        return 0;
      }
      case CMD_DEL_DEST -> {
        return svc.destinations.remove(id(dest.address(), dest.port())) == null ? Errnos.ENOENT : 0;
      }
      default -> {
        return Errnos.EINVAL;
      }
    }
  }

  private int checkService(VirtualService s) {
    if (!schedulers.contains(s.scheduler())) {
      return Errnos.ENOENT;
    }
    if (s.key().family() == IpFamily.IPV6 && (s.netmask() < 1 || s.netmask() > 128)) {
      return Errnos.EINVAL;
    }
    return 0;
  }

  private static VirtualService hashed(VirtualService s) {
    return new VirtualService(
        s.key(),
        s.scheduler(),
        s.userFlags() | VirtualService.FLAG_HASHED,
        s.timeout(),
        s.netmask(),
        IpvsStats.ZERO);
  }

  private record ParsedKey(ServiceKey key, int errno) {}

  /** ip_vs_genl_parse_service: identifying attributes, and with {@code full} the settings too. */
  private ParsedKey key(NetlinkMessage m, boolean full) {
    Attributes attrs = m.genlAttributes();
    if (!attrs.has(ATTR_SERVICE)) {
      return new ParsedKey(null, Errnos.EINVAL);
    }
    Attributes s = attrs.nested(ATTR_SERVICE);
    boolean byMark = s.has(SVC_FWMARK);
    if (!s.has(SVC_AF)
        || !(byMark || (s.has(SVC_PROTOCOL) && s.has(SVC_ADDR) && s.has(SVC_PORT)))) {
      return new ParsedKey(null, Errnos.EINVAL);
    }
    int af = s.u16(SVC_AF);
    if (af != AF_INET && af != AF_INET6) {
      return new ParsedKey(null, Errnos.EAFNOSUPPORT);
    }
    if (full
        && !(s.has(SVC_SCHED_NAME)
            && s.has(SVC_FLAGS)
            && s.has(SVC_TIMEOUT)
            && s.has(SVC_NETMASK))) {
      return new ParsedKey(null, Errnos.EINVAL);
    }
    return new ParsedKey(decodeService(m).key(), 0);
  }

  private static String id(IpAddress a, int port) {
    return a + "/" + port;
  }

  private NetlinkMessage serviceReply(VirtualService s) {
    AttributeWriter w =
        new AttributeWriter().begin(ATTR_SERVICE, false).u16(SVC_AF, af(s.key().family()));
    if (s.key() instanceof AddressKey a) {
      w.u16(SVC_PROTOCOL, a.protocol().number())
          .bytes(SVC_ADDR, address16(a.address()))
          .be16(SVC_PORT, a.port());
    } else if (s.key() instanceof FwmarkKey f) {
      w.u32(SVC_FWMARK, f.mark());
    }
    w.string(SVC_SCHED_NAME, s.scheduler())
        .bytes(SVC_FLAGS, flagBytes(s.flags()))
        .u32(SVC_TIMEOUT, s.timeout())
        .u32(SVC_NETMASK, s.netmask());
    stats(w, SVC_STATS, false);
    stats(w, SVC_STATS64, true);
    return genl(ipvsFamilyId, CMD_NEW_SERVICE, w.end().toByteArray());
  }

  private NetlinkMessage destReply(Destination d) {
    AttributeWriter w =
        new AttributeWriter()
            .begin(ATTR_DEST, false)
            .bytes(DEST_ADDR, address16(d.address()))
            .be16(DEST_PORT, d.port())
            .u32(DEST_FWD_METHOD, d.forward().code())
            .u32(DEST_WEIGHT, d.weight())
            .u8(DEST_TUN_TYPE, 0)
            .be16(DEST_TUN_PORT, 0)
            .u16(DEST_TUN_FLAGS, 0)
            .u32(DEST_U_THRESH, d.upperThreshold())
            .u32(DEST_L_THRESH, d.lowerThreshold())
            .u32(DEST_ACTIVE_CONNS, d.activeConnections())
            .u32(DEST_INACT_CONNS, d.inactiveConnections())
            .u32(DEST_PERSIST_CONNS, d.persistentConnections())
            .u16(DEST_ADDR_FAMILY, af(d.address().family()));
    stats(w, DEST_STATS, false);
    stats(w, DEST_STATS64, true);
    return genl(ipvsFamilyId, CMD_NEW_DEST, w.end().toByteArray());
  }

  private static void stats(AttributeWriter w, int type, boolean wide) {
    w.begin(type, false);
    for (int i = 1; i <= 10; i++) {
      if (wide || i == 4 || i == 5) {
        w.u64(i, 0);
      } else {
        w.u32(i, 0);
      }
    }
    w.end();
  }

  private static byte[] flagBytes(int flags) {
    return new byte[] {
      (byte) flags,
      (byte) (flags >>> 8),
      (byte) (flags >>> 16),
      (byte) (flags >>> 24),
      (byte) 0xff,
      (byte) 0xff,
      (byte) 0xff,
      (byte) 0xff
    };
  }

  private static NetlinkMessage genl(int family, int cmd, byte[] attrs) {
    byte[] p = new byte[4 + attrs.length];
    p[0] = (byte) cmd;
    p[1] = 1;
    System.arraycopy(attrs, 0, p, 4, attrs.length);
    return new NetlinkMessage(family, 0, 0, 0, p);
  }

  private static byte[] concat(List<byte[]> parts) {
    int n = parts.stream().mapToInt(b -> b.length).sum();
    byte[] out = new byte[n];
    int p = 0;
    for (byte[] b : parts) {
      System.arraycopy(b, 0, out, p, b.length);
      p += b.length;
    }
    return out;
  }
}
