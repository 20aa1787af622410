package org.clusteripam.etcd.file;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.zip.CRC32C;

/**
 * One committed transaction in the log: its revision and its writes (a null value is a deletion).
 *
 * <p>On disk: {@code MAGIC(4) | payloadLength(4) | crc32c(payload)(4) | payload}, payload = {@code
 * revision(8) | count(4) | count × (op(1) | keyLength(4) | key | [valueLength(4) | value])}.
 */
record LogRecord(long revision, SortedMap<String, byte[]> writes) {
  static final int MAGIC = 0x43495052; // "CIPR"
  static final int HEADER = 12;
  static final int MAX_PAYLOAD = 64 << 20;
  private static final byte PUT = 1;
  private static final byte DELETE = 2;

  ByteBuffer encode() {
    List<byte[]> keys = new ArrayList<>(writes.size());
    int size = 12;
    for (Map.Entry<String, byte[]> w : writes.entrySet()) {
      byte[] k = w.getKey().getBytes(StandardCharsets.US_ASCII);
      keys.add(k);
      size += 1 + 4 + k.length + (w.getValue() == null ? 0 : 4 + w.getValue().length);
    }
    if (size > MAX_PAYLOAD) {
      throw new IllegalArgumentException(
          "transaction of " + size + " bytes exceeds the log record limit of " + MAX_PAYLOAD);
    }
    ByteBuffer payload = ByteBuffer.allocate(size);
    payload.putLong(revision).putInt(writes.size());
    int i = 0;
    for (byte[] value : writes.values()) {
      byte[] k = keys.get(i++);
      payload.put(value == null ? DELETE : PUT).putInt(k.length).put(k);
      if (value != null) {
        payload.putInt(value.length).put(value);
      }
    }
    payload.flip();
    CRC32C crc = new CRC32C();
    crc.update(payload.duplicate());
    ByteBuffer out = ByteBuffer.allocate(HEADER + size);
    out.putInt(MAGIC).putInt(size).putInt((int) crc.getValue()).put(payload).flip();
    return out;
  }

  static int crc(ByteBuffer payload) {
    CRC32C crc = new CRC32C();
    crc.update(payload.duplicate());
    return (int) crc.getValue();
  }

  /**
   * Decodes a payload whose checksum already matched; a malformed one is reported by the caller.
   */
  static LogRecord decode(ByteBuffer p) {
    long revision = p.getLong();
    int count = p.getInt();
    if (count < 0) {
      throw new IllegalArgumentException("negative write count " + count);
    }
    SortedMap<String, byte[]> writes = new java.util.TreeMap<>();
    for (int i = 0; i < count; i++) {
      byte op = p.get();
      byte[] k = new byte[p.getInt()];
      p.get(k);
      String key = new String(k, StandardCharsets.US_ASCII);
      if (op == PUT) {
        byte[] v = new byte[p.getInt()];
        p.get(v);
        writes.put(key, v);
      } else if (op == DELETE) {
        writes.put(key, null);
      } else {
        throw new IllegalArgumentException("unknown operation " + op);
      }
    }
    if (p.hasRemaining()) {
      throw new IllegalArgumentException(p.remaining() + " trailing bytes");
    }
    return new LogRecord(revision, writes);
  }
}
