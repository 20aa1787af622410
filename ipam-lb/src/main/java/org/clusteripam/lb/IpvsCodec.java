package org.clusteripam.lb;

import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.lb.netlink.AttributeWriter;
import org.clusteripam.lb.netlink.Attributes;
import org.clusteripam.lb.netlink.GenlRequest;
import org.clusteripam.lb.netlink.NetlinkException;
import org.clusteripam.lb.netlink.NetlinkMessage;

/**
 * Encodes IPVS requests and decodes replies ({@code include/uapi/linux/ip_vs.h}). Requests are
 * byte-for-byte what ipvsadm 1.31 (libnl) sends: attribute order, 16-byte addresses, ports in
 * network byte order, and the "identity" service form with an empty scheduler for commands that
 * only name a service.
 */
final class IpvsCodec {
  private IpvsCodec() {}

  static final String FAMILY = "IPVS";
  static final int VERSION = 1;

  // IPVS_CMD_*
  static final int CMD_NEW_SERVICE = 1;
  static final int CMD_SET_SERVICE = 2;
  static final int CMD_DEL_SERVICE = 3;
  static final int CMD_GET_SERVICE = 4;
  static final int CMD_NEW_DEST = 5;
  static final int CMD_SET_DEST = 6;
  static final int CMD_DEL_DEST = 7;
  static final int CMD_GET_DEST = 8;
  static final int CMD_SET_INFO = 14;
  static final int CMD_GET_INFO = 15;
  static final int CMD_FLUSH = 17;

  // IPVS_CMD_ATTR_*
  static final int ATTR_SERVICE = 1;
  static final int ATTR_DEST = 2;

  // IPVS_SVC_ATTR_*
  static final int SVC_AF = 1;
  static final int SVC_PROTOCOL = 2;
  static final int SVC_ADDR = 3;
  static final int SVC_PORT = 4;
  static final int SVC_FWMARK = 5;
  static final int SVC_SCHED_NAME = 6;
  static final int SVC_FLAGS = 7;
  static final int SVC_TIMEOUT = 8;
  static final int SVC_NETMASK = 9;
  static final int SVC_STATS = 10;
  static final int SVC_PE_NAME = 11;
  static final int SVC_STATS64 = 12;

  // IPVS_DEST_ATTR_*
  static final int DEST_ADDR = 1;
  static final int DEST_PORT = 2;
  static final int DEST_FWD_METHOD = 3;
  static final int DEST_WEIGHT = 4;
  static final int DEST_U_THRESH = 5;
  static final int DEST_L_THRESH = 6;
  static final int DEST_ACTIVE_CONNS = 7;
  static final int DEST_INACT_CONNS = 8;
  static final int DEST_PERSIST_CONNS = 9;
  static final int DEST_STATS = 10;
  static final int DEST_ADDR_FAMILY = 11;
  static final int DEST_STATS64 = 12;
  static final int DEST_TUN_TYPE = 13;
  static final int DEST_TUN_PORT = 14;
  static final int DEST_TUN_FLAGS = 15;

  // IPVS_INFO_ATTR_*
  static final int INFO_VERSION = 1;
  static final int INFO_CONN_TAB_SIZE = 2;

  static final int AF_INET = 2;
  static final int AF_INET6 = 10;

  /** The request for one table change. */
  static GenlRequest encode(IpvsOp op) {
    AttributeWriter w = new AttributeWriter();
    int cmd;
    if (op instanceof IpvsOp.AddService a) {
      cmd = CMD_NEW_SERVICE;
      service(w, a.service());
    } else if (op instanceof IpvsOp.UpdateService u) {
      cmd = CMD_SET_SERVICE;
      service(w, u.service());
    } else if (op instanceof IpvsOp.DeleteService d) {
      cmd = CMD_DEL_SERVICE;
      identity(w, d.key());
    } else if (op instanceof IpvsOp.AddDestination a) {
      cmd = CMD_NEW_DEST;
      identity(w, a.key());
      destination(w, a.destination());
    } else if (op instanceof IpvsOp.UpdateDestination u) {
      cmd = CMD_SET_DEST;
      identity(w, u.key());
      destination(w, u.destination());
    } else if (op instanceof IpvsOp.DeleteDestination d) {
      cmd = CMD_DEL_DEST;
      identity(w, d.key());
      destination(w, d.destination());
    } else if (op instanceof IpvsOp.Flush) {
      cmd = CMD_FLUSH;
    } else {
      throw new IllegalArgumentException("unknown op " + op);
    }
    return new GenlRequest(cmd, VERSION, false, w.toByteArray());
  }

  static GenlRequest getInfo() {
    return new GenlRequest(CMD_GET_INFO, VERSION, false, new byte[0]);
  }

  static GenlRequest dumpServices() {
    return new GenlRequest(CMD_GET_SERVICE, VERSION, true, new byte[0]);
  }

  static GenlRequest getService(ServiceKey key) {
    AttributeWriter w = new AttributeWriter().begin(ATTR_SERVICE);
    keyAttributes(w, key);
    return new GenlRequest(CMD_GET_SERVICE, VERSION, false, w.end().toByteArray());
  }

  static GenlRequest dumpDestinations(ServiceKey key) {
    AttributeWriter w = new AttributeWriter().begin(ATTR_SERVICE);
    keyAttributes(w, key);
    return new GenlRequest(CMD_GET_DEST, VERSION, true, w.end().toByteArray());
  }

  private static void service(AttributeWriter w, VirtualService s) {
    w.begin(ATTR_SERVICE);
    keyAttributes(w, s.key());
    w.string(SVC_SCHED_NAME, s.scheduler());
    flags(w, s.flags());
    w.u32(SVC_TIMEOUT, s.timeout()).u32(SVC_NETMASK, s.netmask()).end();
  }

  /** The service as ipvsadm names it for delete and destination commands. */
  private static void identity(AttributeWriter w, ServiceKey key) {
    w.begin(ATTR_SERVICE);
    keyAttributes(w, key);
    w.string(SVC_SCHED_NAME, "");
    flags(w, 0);
    w.u32(SVC_TIMEOUT, 0).u32(SVC_NETMASK, VirtualService.defaultNetmask(key.family())).end();
  }

  private static void flags(AttributeWriter w, int flags) {
    // struct ip_vs_flags { flags; mask }: the mask says which bits to set; all of them.
    byte[] f = new byte[8];
    for (int i = 0; i < 4; i++) {
      f[i] = (byte) (flags >>> (8 * i));
      f[4 + i] = (byte) 0xff;
    }
    w.bytes(SVC_FLAGS, f);
  }

  private static void keyAttributes(AttributeWriter w, ServiceKey key) {
    w.u16(SVC_AF, af(key.family()));
    if (key instanceof AddressKey a) {
      w.u16(SVC_PROTOCOL, a.protocol().number())
          .bytes(SVC_ADDR, address16(a.address()))
          .be16(SVC_PORT, a.port());
    } else if (key instanceof FwmarkKey f) {
      w.u32(SVC_FWMARK, f.mark());
    }
  }

  private static void destination(AttributeWriter w, Destination d) {
    w.begin(ATTR_DEST)
        .u16(DEST_ADDR_FAMILY, af(d.address().family()))
        .bytes(DEST_ADDR, address16(d.address()))
        .be16(DEST_PORT, d.port())
        .u32(DEST_FWD_METHOD, d.forward().code())
        .u32(DEST_WEIGHT, d.weight())
        .u8(DEST_TUN_TYPE, 0)
        .be16(DEST_TUN_PORT, 0)
        .u16(DEST_TUN_FLAGS, 0)
        .u32(DEST_U_THRESH, d.upperThreshold())
        .u32(DEST_L_THRESH, d.lowerThreshold())
        .end();
  }

  /** union nf_inet_addr: IPv4 in the first 4 of 16 bytes, as ipvsadm sends it. */
  static byte[] address16(IpAddress a) {
    byte[] out = new byte[16];
    byte[] b = a.toBytes();
    System.arraycopy(b, 0, out, 0, b.length);
    return out;
  }

  static int af(IpFamily family) {
    return family == IpFamily.IPV4 ? AF_INET : AF_INET6;
  }

  static IpFamily family(int af) {
    return switch (af) {
      case AF_INET -> IpFamily.IPV4;
      case AF_INET6 -> IpFamily.IPV6;
      default -> throw new NetlinkException("unsupported address family " + af);
    };
  }

  // ---- replies -----------------------------------------------------------------------------

  static IpvsInfo decodeInfo(NetlinkMessage m) {
    Attributes a = m.genlAttributes();
    return new IpvsInfo(a.u32(INFO_VERSION), a.u32Or(INFO_CONN_TAB_SIZE, 0));
  }

  static VirtualService decodeService(NetlinkMessage m) {
    Attributes s = m.genlAttributes().nested(ATTR_SERVICE);
    IpFamily family = family(s.u16(SVC_AF));
    ServiceKey key =
        s.has(SVC_FWMARK) && s.u32(SVC_FWMARK) != 0
            ? new FwmarkKey(family, s.u32(SVC_FWMARK))
            : new AddressKey(
                address(family, s.bytes(SVC_ADDR)),
                Protocol.of(s.u16(SVC_PROTOCOL)),
                s.be16(SVC_PORT));
    int flags = s.has(SVC_FLAGS) ? littleEndianInt(s.bytes(SVC_FLAGS)) : 0;
    IpvsStats stats = stats(s, SVC_STATS64, SVC_STATS);
    return new VirtualService(
        key,
        s.has(SVC_SCHED_NAME) ? s.string(SVC_SCHED_NAME) : "",
        flags,
        s.u32Or(SVC_TIMEOUT, 0),
        s.u32Or(SVC_NETMASK, VirtualService.defaultNetmask(family)),
        stats);
  }

  /** {@code serviceFamily} applies when an old kernel omits the destination's own family. */
  static Destination decodeDestination(NetlinkMessage m, IpFamily serviceFamily) {
    Attributes d = m.genlAttributes().nested(ATTR_DEST);
    IpFamily family = d.has(DEST_ADDR_FAMILY) ? family(d.u16(DEST_ADDR_FAMILY)) : serviceFamily;
    return new Destination(
        address(family, d.bytes(DEST_ADDR)),
        d.be16(DEST_PORT),
        ForwardMethod.of(d.u32Or(DEST_FWD_METHOD, 0)),
        d.u32Or(DEST_WEIGHT, 0),
        d.u32Or(DEST_U_THRESH, 0),
        d.u32Or(DEST_L_THRESH, 0),
        d.u32Or(DEST_ACTIVE_CONNS, 0),
        d.u32Or(DEST_INACT_CONNS, 0),
        d.u32Or(DEST_PERSIST_CONNS, 0),
        stats(d, DEST_STATS64, DEST_STATS));
  }

  private static IpvsStats stats(Attributes parent, int stats64, int stats32) {
    int type = parent.has(stats64) ? stats64 : stats32;
    if (!parent.has(type)) {
      return IpvsStats.ZERO;
    }
    Attributes s = parent.nested(type);
    long[] v = new long[10];
    for (int i = 0; i < v.length; i++) {
      v[i] = s.has(i + 1) ? s.unsigned(i + 1) : 0;
    }
    return new IpvsStats(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
  }

  private static IpAddress address(IpFamily family, byte[] raw) {
    if (raw.length < family.bytes()) {
      throw new NetlinkException("address attribute too short for " + family + ": " + raw.length);
    }
    byte[] b = new byte[family.bytes()];
    System.arraycopy(raw, 0, b, 0, b.length);
    return IpAddress.fromBytes(b);
  }

  private static int littleEndianInt(byte[] b) {
    return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
  }
}
