package org.clusteripam.lb.netlink;

/** Constants of {@code linux/netlink.h} and {@code linux/genetlink.h} that this module uses. */
public final class Netlink {
  private Netlink() {}

  public static final int AF_NETLINK = 16;
  public static final int SOCK_RAW = 3;
  public static final int SOCK_CLOEXEC = 0x80000;
  public static final int NETLINK_GENERIC = 16;

  public static final int SOL_SOCKET = 1;
  public static final int SO_SNDBUF = 7;
  public static final int SO_RCVBUF = 8;
  public static final int SOL_NETLINK = 270;

  /** Errors quote only the failed header, not the whole request: smaller replies in bulk. */
  public static final int NETLINK_CAP_ACK = 10;

  public static final int NLMSG_HDRLEN = 16;
  public static final int NLMSG_NOOP = 1;
  public static final int NLMSG_ERROR = 2;
  public static final int NLMSG_DONE = 3;
  public static final int NLMSG_OVERRUN = 4;

  public static final int NLM_F_REQUEST = 0x1;
  public static final int NLM_F_MULTI = 0x2;
  public static final int NLM_F_ACK = 0x4;
  public static final int NLM_F_DUMP = 0x300;

  public static final int NLA_HDRLEN = 4;
  public static final int NLA_F_NESTED = 0x8000;
  public static final int NLA_F_NET_BYTEORDER = 0x4000;

  /** Attribute types are masked with this on parse: the kernel may or may not set the flags. */
  public static final int NLA_TYPE_MASK = 0x3fff;

  public static final int GENL_HDRLEN = 4;
  public static final int GENL_ID_CTRL = 0x10;
  public static final int CTRL_CMD_NEWFAMILY = 1;
  public static final int CTRL_CMD_GETFAMILY = 3;
  public static final int CTRL_ATTR_FAMILY_ID = 1;
  public static final int CTRL_ATTR_FAMILY_NAME = 2;

  /** Receive buffer for one datagram: the kernel sizes dump datagrams up to 32 KiB. */
  public static final int RECEIVE_BUFFER = 64 * 1024;

  static int align(int length) {
    return (length + 3) & ~3;
  }
}
