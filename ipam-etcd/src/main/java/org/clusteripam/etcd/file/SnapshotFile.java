package org.clusteripam.etcd.file;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32C;
import org.clusteripam.core.store.StoreCorruptException;
import org.clusteripam.core.store.Versioned;

/**
 * The compacted state: {@code "CIPAMSNP" | version(4) | revision(8) | count(4) | count ×
 * (keyLength(4) | key | modRevision(8) | valueLength(4) | value) | crc32c(all before)(4)}. Replaced
 * only by write-temp, fsync, atomic rename, directory fsync, so it is never torn: any defect is
 * corruption.
 */
final class SnapshotFile {
  static final String NAME = "state.snapshot";
  private static final byte[] MAGIC = "CIPAMSNP".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 1;

  /**
   * The state at {@code revision}; {@code size} is the file's length in bytes (0 when there is
   * none).
   */
  record Contents(long revision, TreeMap<String, Versioned> data, long size) {}

  private SnapshotFile() {}

  /** Reads the snapshot, or an empty state at revision 0 when none was ever written. */
  static Contents read(Path dir) {
    Path file = dir.resolve(NAME);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new Contents(0, new TreeMap<>(), 0);
    } catch (IOException e) {
      throw new StoreCorruptException(file.toString(), "cannot read: " + e.getMessage(), e);
    }
    if (bytes.length < MAGIC.length + 4 + 8 + 4 + 4) {
      throw new StoreCorruptException(
          file + " at offset 0", "snapshot is only " + bytes.length + " bytes long", null);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    int stored = b.getInt(bytes.length - 4);
    if ((int) crc.getValue() != stored) {
      throw new StoreCorruptException(file + " at offset 0", "snapshot checksum mismatch", null);
    }
    byte[] magic = new byte[MAGIC.length];
    b.get(magic);
    int version = b.getInt();
    if (!java.util.Arrays.equals(magic, MAGIC) || version != VERSION) {
      throw new StoreCorruptException(
          file + " at offset 0", "not a cluster-ipam snapshot of version " + VERSION, null);
    }
    try {
      long revision = b.getLong();
      int count = b.getInt();
      TreeMap<String, Versioned> data = new TreeMap<>();
      for (int i = 0; i < count; i++) {
        byte[] k = new byte[b.getInt()];
        b.get(k);
        long mod = b.getLong();
        byte[] v = new byte[b.getInt()];
        b.get(v);
        data.put(new String(k, StandardCharsets.US_ASCII), new Versioned(v, mod));
      }
      if (b.remaining() != 4) {
        throw new StoreCorruptException(
            file + " at offset " + b.position(), "trailing bytes in snapshot", null);
      }
      return new Contents(revision, data, bytes.length);
    } catch (BufferUnderflowException | NegativeArraySizeException e) {
      throw new StoreCorruptException(
          file + " at offset " + b.position(), "snapshot entry runs past the end", e);
    }
  }

  /**
   * Writes the state durably: temp file, fsync, atomic rename, directory fsync. Returns its size.
   * {@code hook} is told when the temp file is durable and when it has been renamed (tests pause
   * there).
   */
  static long write(Path dir, StateImage image, LongAdder fsyncs, CompactionHook hook)
      throws IOException {
    String[] keys = image.keys();
    Versioned[] values = image.values();
    int size = MAGIC.length + 4 + 8 + 4 + 4;
    for (int i = 0; i < keys.length; i++) {
      size += 4 + keys[i].length() + 8 + 4 + values[i].value().length;
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    b.put(MAGIC).putInt(VERSION).putLong(image.revision()).putInt(keys.length);
    for (int i = 0; i < keys.length; i++) {
      byte[] k = keys[i].getBytes(StandardCharsets.US_ASCII);
      b.putInt(k.length)
          .put(k)
          .putLong(values[i].modRevision())
          .putInt(values[i].value().length)
          .put(values[i].value());
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue()).flip();
    Path tmp = dir.resolve(NAME + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
      fsyncs.increment();
    }
    hook.at(CompactionHook.Phase.SNAPSHOT_TEMP_WRITTEN);
    Files.move(
        tmp,
        dir.resolve(NAME),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    hook.at(CompactionHook.Phase.SNAPSHOT_RENAMED);
    fsyncDirectory(dir, fsyncs);
    return size;
  }

  static void fsyncDirectory(Path dir, LongAdder fsyncs) throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
      fsyncs.increment();
    }
  }
}
