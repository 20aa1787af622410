package org.clusteripam.dns;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.clusteripam.core.net.IpAddress;

/** The other side: a query to send and the reading of its reply (for probes and tests). */
public final class DnsClient {
  /** A parsed reply: its id, response code and the A/AAAA addresses of its answer section. */
  public record Reply(int id, int rcode, List<IpAddress> addresses) {}

  private DnsClient() {}

  /** A recursive query for {@code name} (a trailing dot allowed) of {@code type}, class IN. */
  public static byte[] query(int id, String fqdn, int type) {
    String name = fqdn.endsWith(".") ? fqdn.substring(0, fqdn.length() - 1) : fqdn;
    ByteBuffer b = ByteBuffer.allocate(DnsResponder.HEADER + name.length() + 6);
    b.putShort((short) id)
        .putShort((short) 0x0100)
        .putShort((short) 1)
        .putShort((short) 0)
        .putShort((short) 0)
        .putShort((short) 0);
    if (!name.isEmpty()) {
      for (String label : name.split("\\.", -1)) {
        byte[] l = label.getBytes(StandardCharsets.ISO_8859_1);
        if (l.length == 0 || l.length > 63) {
          throw new IllegalArgumentException("bad label in " + name);
        }
        b.put((byte) l.length).put(l);
      }
    }
    b.put((byte) 0).putShort((short) type).putShort((short) DnsQuestion.IN);
    return java.util.Arrays.copyOf(b.array(), b.position());
  }

  /** Reads a reply of {@link DnsResponder} (answer names compressed or not). */
  public static Reply parse(byte[] reply, int length) {
    try {
      ByteBuffer in = ByteBuffer.wrap(reply, 0, length);
      int id = in.getShort() & 0xffff;
      int rcode = in.getShort() & 0xf;
      int qd = in.getShort() & 0xffff;
      int an = in.getShort() & 0xffff;
      in.position(DnsResponder.HEADER);
      for (int i = 0; i < qd; i++) {
        skipName(in);
        in.position(in.position() + 4);
      }
      List<IpAddress> out = new ArrayList<>();
      for (int i = 0; i < an; i++) {
        skipName(in);
        int type = in.getShort() & 0xffff;
        in.getShort();
        in.getInt();
        byte[] rdata = new byte[in.getShort() & 0xffff];
        in.get(rdata);
        if (type == DnsQuestion.A || type == DnsQuestion.AAAA) {
          out.add(IpAddress.fromBytes(rdata));
        }
      }
      return new Reply(id, rcode, List.copyOf(out));
    } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
      throw new DnsFormatException("malformed reply: " + e);
    }
  }

  private static void skipName(ByteBuffer in) {
    while (true) {
      int len = in.get() & 0xff;
      if (len == 0) {
        return;
      }
      if ((len & 0xc0) == 0xc0) {
        in.get();
        return;
      }
      in.position(in.position() + len);
    }
  }
}
