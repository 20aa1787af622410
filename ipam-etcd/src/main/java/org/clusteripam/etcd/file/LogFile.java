package org.clusteripam.etcd.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import org.clusteripam.core.store.StoreCorruptException;

/**
 * The append-only transaction log. Records are appended by one thread at a time and made durable
 * with {@link #force()}; the store acknowledges a transaction only after the force that covers it.
 *
 * <p>Torn-tail rule: only bytes that can never have been acknowledged are dropped on open. Because a
 * record is acknowledged only after a force covering all of it, and appends are strictly
 * sequential, the unacknowledged bytes are always a suffix of the file. The suffix after the last
 * good record is dropped when it is (a) shorter than a record header, (b) a record whose declared
 * length runs past the end of the file, or (c) all zero bytes (space the filesystem extended but
 * never wrote, after power loss). Anything else — a bad magic number, an impossible length, or a
 * checksum mismatch on a complete record — may be an acknowledged record gone bad, so it is reported
 * as {@link StoreCorruptException} naming the file and offset, and nothing is dropped.
 */
final class LogFile implements AutoCloseable {
  static final String NAME = "state.log";
  private static final byte[] MAGIC = "CIPAMLOG".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 1;
  static final int FILE_HEADER = MAGIC.length + 4;

  private final Path file;
  private final FileChannel channel;
  private long size;

  private LogFile(Path file, FileChannel channel, long size) {
    this.file = file;
    this.channel = channel;
    this.size = size;
  }

  /** What replay found: the records' highest revision and how many torn bytes were dropped. */
  record Replay(long lastRevision, long droppedTailBytes) {}

  static LogFile open(Path dir) throws IOException {
    Path file = dir.resolve(NAME);
    if (!Files.exists(file)) {
      Path tmp = dir.resolve(NAME + ".tmp");
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ch.write(header());
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      SnapshotFile.fsyncDirectory(dir);
    }
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    return new LogFile(file, ch, ch.size());
  }

  private static ByteBuffer header() {
    return ByteBuffer.allocate(FILE_HEADER).put(MAGIC).putInt(VERSION).flip();
  }

  /**
   * Reads every record, calling {@code apply} for those after {@code afterRevision} (older ones are
   * already in the snapshot: a crash between snapshot rename and log reset leaves them behind).
   */
  Replay replay(long afterRevision, Consumer<LogRecord> apply) throws IOException {
    ByteBuffer all = ByteBuffer.allocate(Math.toIntExact(size));
    while (all.hasRemaining() && channel.read(all, all.position()) >= 0) {
      // read fully
    }
    all.flip();
    if (all.limit() < FILE_HEADER || !all.slice(0, FILE_HEADER).equals(header())) {
      throw new StoreCorruptException(file + " at offset 0", "not a cluster-ipam log of version " + VERSION, null);
    }
    long last = afterRevision;
    int pos = FILE_HEADER;
    int end = all.limit();
    while (pos < end) {
      int remaining = end - pos;
      if (remaining < LogRecord.HEADER) {
        return truncateTail(pos, last);
      }
      int magic = all.getInt(pos);
      int length = all.getInt(pos + 4);
      int crc = all.getInt(pos + 8);
      if (magic != LogRecord.MAGIC) {
        if (allZero(all, pos, end)) {
          return truncateTail(pos, last);
        }
        throw corrupt(pos, "bad record marker 0x" + Integer.toHexString(magic));
      }
      if (length < 12 || length > LogRecord.MAX_PAYLOAD) {
        throw corrupt(pos, "impossible record length " + length);
      }
      if ((long) pos + LogRecord.HEADER + length > end) {
        return truncateTail(pos, last);
      }
      ByteBuffer payload = all.slice(pos + LogRecord.HEADER, length);
      if (LogRecord.crc(payload) != crc) {
        throw corrupt(pos, "record checksum mismatch");
      }
      LogRecord rec;
      try {
        rec = LogRecord.decode(payload);
      } catch (RuntimeException e) {
        throw corrupt(pos, "malformed record (" + e.getMessage() + ")");
      }
      if (rec.revision() > afterRevision) {
        if (rec.revision() <= last) {
          throw corrupt(pos, "revision " + rec.revision() + " does not follow " + last);
        }
        apply.accept(rec);
        last = rec.revision();
      }
      pos += LogRecord.HEADER + length;
    }
    return new Replay(last, 0);
  }

  private Replay truncateTail(int pos, long last) throws IOException {
    long dropped = size - pos;
    channel.truncate(pos);
    channel.force(false);
    size = pos;
    return new Replay(last, dropped);
  }

  private static boolean allZero(ByteBuffer b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b.get(i) != 0) {
        return false;
      }
    }
    return true;
  }

  private StoreCorruptException corrupt(int offset, String what) {
    return new StoreCorruptException(file + " at offset " + offset, what
        + "; the log is not truncated automatically because this record may have been acknowledged", null);
  }

  /** Appends a whole record; not durable until {@link #force()}. Returns the new size. */
  long append(ByteBuffer record) throws IOException {
    long at = size;
    while (record.hasRemaining()) {
      at += channel.write(record, at);
    }
    size = at;
    return at;
  }

  void force() throws IOException {
    channel.force(false);
  }

  /** Drops every record (after a durable snapshot holds them) and makes that durable. */
  void reset() throws IOException {
    channel.truncate(FILE_HEADER);
    channel.force(true);
    size = FILE_HEADER;
  }

  long size() {
    return size;
  }

  Path path() {
    return file;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
