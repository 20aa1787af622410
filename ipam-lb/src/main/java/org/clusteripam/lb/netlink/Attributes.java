package org.clusteripam.lb.netlink;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Parsed attributes of one level. Types are masked with {@link Netlink#NLA_TYPE_MASK}: the kernel
 * does not set NLA_F_NESTED on replies, libnl does on requests, and both must read the same. A
 * later attribute of the same type wins, as in the kernel's nla_parse.
 */
public final class Attributes {
  private final byte[] data;
  // Per type: offset of the payload, and its length; -1 when absent.
  private final int[] offsets;
  private final int[] lengths;

  private Attributes(byte[] data, int[] offsets, int[] lengths) {
    this.data = data;
    this.offsets = offsets;
    this.lengths = lengths;
  }

  public static Attributes parse(byte[] data, int offset, int length) {
    int max = 0;
    int end = offset + length;
    for (int p = offset; p + Netlink.NLA_HDRLEN <= end; ) {
      int len = le16(data, p);
      if (len < Netlink.NLA_HDRLEN || p + len > end) {
        throw new NetlinkException("malformed attribute: length " + len + " at " + p);
      }
      max = Math.max(max, le16(data, p + 2) & Netlink.NLA_TYPE_MASK);
      p += Netlink.align(len);
    }
    int[] offsets = new int[max + 1];
    int[] lengths = new int[max + 1];
    Arrays.fill(offsets, -1);
    for (int p = offset; p + Netlink.NLA_HDRLEN <= end; ) {
      int len = le16(data, p);
      int type = le16(data, p + 2) & Netlink.NLA_TYPE_MASK;
      offsets[type] = p + Netlink.NLA_HDRLEN;
      lengths[type] = len - Netlink.NLA_HDRLEN;
      p += Netlink.align(len);
    }
    return new Attributes(data, offsets, lengths);
  }

  public boolean has(int type) {
    return type < offsets.length && offsets[type] >= 0;
  }

  public int u8(int type) {
    return Byte.toUnsignedInt(data[at(type, 1)]);
  }

  public int u16(int type) {
    return le16(data, at(type, 2));
  }

  /** A 16-bit value in network byte order (ports). */
  public int be16(int type) {
    int p = at(type, 2);
    return (Byte.toUnsignedInt(data[p]) << 8) | Byte.toUnsignedInt(data[p + 1]);
  }

  public int u32(int type) {
    int p = at(type, 4);
    return le16(data, p) | (le16(data, p + 2) << 16);
  }

  public long u64(int type) {
    int p = at(type, 8);
    return Integer.toUnsignedLong(le32(p)) | ((long) le32(p + 4) << 32);
  }

  /** An unsigned counter stored as u32 or u64, whichever the length says. */
  public long unsigned(int type) {
    at(type, 4);
    return lengths[type] >= 8 ? u64(type) : Integer.toUnsignedLong(u32(type));
  }

  public int u32Or(int type, int fallback) {
    return has(type) ? u32(type) : fallback;
  }

  public int u16Or(int type, int fallback) {
    return has(type) ? u16(type) : fallback;
  }

  /** A NUL-terminated string (the NUL and anything after it dropped). */
  public String string(int type) {
    int p = at(type, 0);
    int n = 0;
    while (n < lengths[type] && data[p + n] != 0) {
      n++;
    }
    return new String(data, p, n, StandardCharsets.UTF_8);
  }

  public Optional<String> optionalString(int type) {
    return has(type) ? Optional.of(string(type)) : Optional.empty();
  }

  public byte[] bytes(int type) {
    int p = at(type, 0);
    return Arrays.copyOfRange(data, p, p + lengths[type]);
  }

  public Attributes nested(int type) {
    int p = at(type, 0);
    return parse(data, p, lengths[type]);
  }

  private int at(int type, int minLength) {
    if (!has(type)) {
      throw new NetlinkException("missing attribute " + type);
    }
    if (lengths[type] < minLength) {
      throw new NetlinkException(
          "attribute " + type + " too short: " + lengths[type] + " < " + minLength);
    }
    return offsets[type];
  }

  private int le32(int p) {
    return le16(data, p) | (le16(data, p + 2) << 16);
  }

  private static int le16(byte[] d, int p) {
    return Byte.toUnsignedInt(d[p]) | (Byte.toUnsignedInt(d[p + 1]) << 8);
  }
}
