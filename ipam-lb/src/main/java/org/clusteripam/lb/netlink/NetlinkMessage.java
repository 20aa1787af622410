package org.clusteripam.lb.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** One netlink message: the {@code nlmsghdr} fields and the payload after it. */
public record NetlinkMessage(int type, int flags, int seq, int pid, byte[] payload) {

  /** The message as sent: header, payload, padded to 4 bytes (host byte order: little endian). */
  public byte[] encode() {
    int length = Netlink.NLMSG_HDRLEN + payload.length;
    ByteBuffer b = ByteBuffer.allocate(Netlink.align(length)).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(length).putShort((short) type).putShort((short) flags).putInt(seq).putInt(pid);
    b.put(payload);
    return b.array();
  }

  /** Splits one received datagram into its messages. */
  public static List<NetlinkMessage> parseAll(byte[] buffer, int length) {
    ByteBuffer b = ByteBuffer.wrap(buffer, 0, length).order(ByteOrder.LITTLE_ENDIAN);
    List<NetlinkMessage> out = new ArrayList<>();
    int offset = 0;
    while (offset + Netlink.NLMSG_HDRLEN <= length) {
      int len = b.getInt(offset);
      if (len < Netlink.NLMSG_HDRLEN || offset + len > length) {
        throw new NetlinkException(
            "truncated netlink message: length " + len + " at " + offset + " of " + length);
      }
      int type = Short.toUnsignedInt(b.getShort(offset + 4));
      int flags = Short.toUnsignedInt(b.getShort(offset + 6));
      int seq = b.getInt(offset + 8);
      int pid = b.getInt(offset + 12);
      byte[] payload = new byte[len - Netlink.NLMSG_HDRLEN];
      System.arraycopy(buffer, offset + Netlink.NLMSG_HDRLEN, payload, 0, payload.length);
      out.add(new NetlinkMessage(type, flags, seq, pid, payload));
      offset += Netlink.align(len);
    }
    return out;
  }

  /** For NLMSG_ERROR: 0 for an ACK, else the positive errno. */
  public int errorCode() {
    if (payload.length < 4) {
      throw new NetlinkException("short NLMSG_ERROR message");
    }
    return -ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
  }

  /** The generic netlink command of this message. */
  public int genlCommand() {
    return Byte.toUnsignedInt(payload[0]);
  }

  /** The attributes after the generic netlink header. */
  public Attributes genlAttributes() {
    return Attributes.parse(payload, Netlink.GENL_HDRLEN, payload.length - Netlink.GENL_HDRLEN);
  }
}
