package org.clusteripam.lb.netlink;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/** Builds netlink attributes (type-length-value, 4-byte aligned, host byte order). */
public final class AttributeWriter {
  private byte[] buf = new byte[128];
  private int size;
  private final Deque<Integer> open = new ArrayDeque<>();

  public AttributeWriter() {}

  public AttributeWriter u8(int type, int value) {
    header(type, 1);
    put((byte) value);
    return pad();
  }

  public AttributeWriter u16(int type, int value) {
    header(type, 2);
    putLe(value, 2);
    return pad();
  }

  /** A 16-bit value in network byte order (ports). */
  public AttributeWriter be16(int type, int value) {
    header(type, 2);
    put((byte) (value >>> 8));
    put((byte) value);
    return pad();
  }

  public AttributeWriter u32(int type, int value) {
    header(type, 4);
    putLe(value, 4);
    return pad();
  }

  public AttributeWriter u64(int type, long value) {
    header(type, 8);
    putLe(value, 8);
    return pad();
  }

  /** A NUL-terminated string. */
  public AttributeWriter string(int type, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    header(type, bytes.length + 1);
    for (byte x : bytes) {
      put(x);
    }
    put((byte) 0);
    return pad();
  }

  public AttributeWriter bytes(int type, byte[] value) {
    header(type, value.length);
    for (byte x : value) {
      put(x);
    }
    return pad();
  }

  /** Opens a nested attribute; NLA_F_NESTED is set as ipvsadm (libnl) does. */
  public AttributeWriter begin(int type) {
    return begin(type, true);
  }

  /** Opens a nested attribute, with or without NLA_F_NESTED (the kernel's replies go without). */
  public AttributeWriter begin(int type, boolean nestedFlag) {
    open.push(size);
    header(nestedFlag ? type | Netlink.NLA_F_NESTED : type, 0);
    return this;
  }

  public AttributeWriter end() {
    int start = open.pop();
    int length = size - start;
    buf[start] = (byte) length;
    buf[start + 1] = (byte) (length >>> 8);
    return this;
  }

  public byte[] toByteArray() {
    if (!open.isEmpty()) {
      throw new IllegalStateException("unclosed nested attribute");
    }
    return Arrays.copyOf(buf, size);
  }

  private void header(int type, int payloadLength) {
    int length = Netlink.NLA_HDRLEN + payloadLength;
    putLe(length, 2);
    putLe(type, 2);
  }

  private AttributeWriter pad() {
    while ((size & 3) != 0) {
      put((byte) 0);
    }
    return this;
  }

  private void putLe(long value, int bytes) {
    for (int i = 0; i < bytes; i++) {
      put((byte) (value >>> (8 * i)));
    }
  }

  private void put(byte b) {
    if (size == buf.length) {
      buf = Arrays.copyOf(buf, size * 2);
    }
    buf[size++] = b;
  }
}
