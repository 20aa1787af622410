package org.clusteripam.dns;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;

/**
 * Turns one query datagram into its response (RFC 1035): the question is echoed, A and AAAA
 * questions get the resolver's addresses, other types of our names NODATA, names not ours REFUSED,
 * a malformed question FORMERR, an opcode other than QUERY NOTIMP. Additional records (EDNS) are
 * ignored and none are sent: answers stay far below 512 bytes.
 */
public final class DnsResponder {
  public static final int NOERROR = 0;
  public static final int FORMERR = 1;
  public static final int SERVFAIL = 2;
  public static final int NXDOMAIN = 3;
  public static final int NOTIMP = 4;
  public static final int REFUSED = 5;
  static final int HEADER = 12;

  /** A response never carries more addresses than fit a plain 512-byte UDP message. */
  static final int MAX_ANSWERS = 16;

  private DnsResponder() {}

  /**
   * The response to {@code query}, or empty when there is nothing to answer: fewer than 12 bytes
   * (no id to answer to) or a response rather than a query. {@code resolver} is asked only for a
   * well-formed question of class IN.
   */
  public static Optional<byte[]> respond(
      byte[] query, int length, Function<DnsQuestion, DnsAnswer> resolver) {
    if (length < HEADER || length > query.length) {
      return Optional.empty();
    }
    ByteBuffer in = ByteBuffer.wrap(query, 0, length);
    int id = in.getShort() & 0xffff;
    int flags = in.getShort() & 0xffff;
    if ((flags & 0x8000) != 0) {
      return Optional.empty();
    }
    int opcode = (flags >> 11) & 0xf;
    boolean rd = (flags & 0x0100) != 0;
    if (opcode != 0) {
      return Optional.of(header(id, opcode, rd, NOTIMP, 0, 0));
    }
    DnsQuestion q;
    byte[] questionBytes;
    try {
      int qd = in.getShort() & 0xffff;
      if (qd != 1) {
        throw new DnsFormatException("expected one question, got " + qd);
      }
      in.position(HEADER);
      String name = readName(in);
      int type = in.getShort() & 0xffff;
      int qclass = in.getShort() & 0xffff;
      q = new DnsQuestion(name, type, qclass);
      questionBytes = java.util.Arrays.copyOfRange(query, HEADER, in.position());
    } catch (DnsFormatException | java.nio.BufferUnderflowException e) {
      return Optional.of(header(id, 0, rd, FORMERR, 0, 0));
    }
    if (q.qclass() != DnsQuestion.IN) {
      return Optional.of(withQuestion(id, rd, REFUSED, questionBytes, List.of(), 0));
    }
    DnsAnswer a = resolver.apply(q);
    if (a instanceof DnsAnswer.Addresses found) {
      IpFamily family =
          q.type() == DnsQuestion.A
              ? IpFamily.IPV4
              : q.type() == DnsQuestion.AAAA ? IpFamily.IPV6 : null;
      List<IpAddress> addresses =
          family == null
              ? List.of()
              : found.addresses().stream()
                  .filter(x -> x.family() == family)
                  .limit(MAX_ANSWERS)
                  .toList();
      return Optional.of(
          withQuestion(id, rd, NOERROR, questionBytes, addresses, found.ttlSeconds()));
    }
    return Optional.of(withQuestion(id, rd, REFUSED, questionBytes, List.of(), 0));
  }

  /** Labels up to the root label; no compression (a query has nothing to point back to). */
  static String readName(ByteBuffer in) {
    StringBuilder name = new StringBuilder();
    int total = 0;
    while (true) {
      int len = in.get() & 0xff;
      if (len == 0) {
        break;
      }
      if (len > 63) {
        throw new DnsFormatException(
            "label length " + len + " (compression is not used in a question)");
      }
      total += len + 1;
      if (total > 254) {
        throw new DnsFormatException("name longer than 255 bytes");
      }
      byte[] label = new byte[len];
      in.get(label);
      if (name.length() > 0) {
        name.append('.');
      }
      name.append(new String(label, StandardCharsets.ISO_8859_1));
    }
    return name.toString();
  }

  private static byte[] header(int id, int opcode, boolean rd, int rcode, int qd, int an) {
    ByteBuffer b = ByteBuffer.allocate(HEADER);
    b.putShort((short) id);
    // QR, opcode, AA (we are the authority for our names), RD echoed, RA (Docker's DNS recurses).
    b.putShort((short) (0x8000 | opcode << 11 | 0x0400 | (rd ? 0x0100 : 0) | 0x0080 | rcode));
    b.putShort((short) qd).putShort((short) an).putShort((short) 0).putShort((short) 0);
    return b.array();
  }

  private static byte[] withQuestion(
      int id, boolean rd, int rcode, byte[] question, List<IpAddress> answers, int ttl) {
    ByteArrayOutputStream out =
        new ByteArrayOutputStream(HEADER + question.length + answers.size() * 28);
    out.writeBytes(header(id, 0, rd, rcode, 1, answers.size()));
    out.writeBytes(question);
    for (IpAddress a : answers) {
      byte[] rdata = a.toBytes();
      ByteBuffer rr = ByteBuffer.allocate(12 + rdata.length);
      rr.putShort((short) 0xc00c); // the question's name, at offset 12
      rr.putShort((short) (a.isV4() ? DnsQuestion.A : DnsQuestion.AAAA))
          .putShort((short) DnsQuestion.IN);
      rr.putInt(ttl).putShort((short) rdata.length).put(rdata);
      out.writeBytes(rr.array());
    }
    return out.toByteArray();
  }
}
