package org.clusteripam.etcd.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.clusteripam.core.store.StoreCorruptException;

/**
 * The append-only transaction log. Records are appended by one thread at a time and made durable
 * with {@link #force()}; the store acknowledges a transaction only after the force that covers it.
 *
 * <p>Torn-tail rule: only bytes that can never have been acknowledged are dropped on open. Because
 * a record is acknowledged only after a force covering all of it, and appends are strictly
 * sequential, the unacknowledged bytes are always a suffix of the file. The suffix after the last
 * good record is dropped when it is (a) shorter than a record header, (b) a record whose declared
 * length runs past the end of the file, or (c) all zero bytes (space the filesystem extended but
 * never wrote, after power loss). Anything else — a bad magic number, an impossible length, or a
 * checksum mismatch on a complete record — may be an acknowledged record gone bad, so it is
 * reported as {@link StoreCorruptException} naming the file and offset, and nothing is dropped.
 *
 * <p>The store keeps one log per generation ({@link LogFiles}); this class is one of them.
 */
final class LogFile implements AutoCloseable {
  private static final byte[] MAGIC = "CIPAMLOG".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 1;
  static final int FILE_HEADER = MAGIC.length + 4;

  private final Path file;
  private final FileChannel channel;
  private final LongAdder fsyncs;

  /** Written under the store's state lock; read by {@code stats()} without it. */
  private volatile long size;

  private LogFile(Path file, FileChannel channel, long size, LongAdder fsyncs) {
    this.file = file;
    this.channel = channel;
    this.size = size;
    this.fsyncs = fsyncs;
  }

  /**
   * What replay found: the last revision applied (or passed on), how many torn bytes were dropped,
   * and whether this file ended in a torn tail.
   */
  record Replay(long lastRevision, long droppedTailBytes, boolean torn) {}

  /**
   * Creates an empty log durably (temp file, fsync, atomic rename, directory fsync), so it is never
   * half there.
   */
  static LogFile create(Path file, LongAdder fsyncs) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(header());
      ch.force(true);
      fsyncs.increment();
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    SnapshotFile.fsyncDirectory(file.getParent(), fsyncs);
    return open(file, fsyncs);
  }

  static LogFile open(Path file, LongAdder fsyncs) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    return new LogFile(file, ch, ch.size(), fsyncs);
  }

  private static ByteBuffer header() {
    return ByteBuffer.allocate(FILE_HEADER).put(MAGIC).putInt(VERSION).flip();
  }

  /**
   * Reads every record, calling {@code apply} for those after {@code snapshotRevision} (older ones
   * are already in the snapshot: a crash before an old log is deleted leaves them behind). Each
   * applied record must be the one after {@code last} (the previous revision applied, or the
   * snapshot's).
   *
   * <p>{@code afterTornLog}: an earlier log ended in a torn tail. Then a missing revision is not
   * corruption: nothing in a later log can have been acknowledged (a record is acknowledged only
   * after every earlier log was forced, or a durable snapshot covered it — and then nothing is
   * missing), so this log is cut at the first such record.
   */
  Replay replay(long snapshotRevision, long last, boolean afterTornLog, Consumer<LogRecord> apply)
      throws IOException {
    ByteBuffer all = ByteBuffer.allocate(Math.toIntExact(size));
    while (all.hasRemaining() && channel.read(all, all.position()) >= 0) {
      // read fully
    }
    all.flip();
    if (all.limit() < FILE_HEADER || !all.slice(0, FILE_HEADER).equals(header())) {
      throw new StoreCorruptException(
          file + " at offset 0", "not a cluster-ipam log of version " + VERSION, null);
    }
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
      if (rec.revision() > snapshotRevision) {
        if (rec.revision() != last + 1) {
          if (afterTornLog && rec.revision() > last) {
            return truncateTail(pos, last);
          }
          throw corrupt(pos, "revision " + rec.revision() + " does not follow " + last);
        }
        apply.accept(rec);
        last = rec.revision();
      }
      pos += LogRecord.HEADER + length;
    }
    return new Replay(last, 0, false);
  }

  private Replay truncateTail(int pos, long last) throws IOException {
    long dropped = size - pos;
    channel.truncate(pos);
    force();
    size = pos;
    return new Replay(last, dropped, true);
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
    return new StoreCorruptException(
        file + " at offset " + offset,
        what
            + "; the log is not truncated automatically because this record may have been acknowledged",
        null);
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

  /** fdatasync: everything appended so far is durable. */
  void force() throws IOException {
    channel.force(false);
    fsyncs.increment();
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
