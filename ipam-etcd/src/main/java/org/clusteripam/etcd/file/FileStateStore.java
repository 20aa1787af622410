package org.clusteripam.etcd.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.clusteripam.core.store.MapTxnView;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.StoreKeys;
import org.clusteripam.core.store.StoreUnavailableException;
import org.clusteripam.core.store.Txn;
import org.clusteripam.core.store.TxnView;
import org.clusteripam.core.store.Versioned;

/**
 * The embedded durable store for a single machine: a snapshot plus an append-only log of committed
 * transactions under one directory, locked against a second process.
 *
 * <p>Transactions run one at a time against the in-memory state (so they never conflict), append a
 * checksummed record, and return only after an fsync covers that record. The fsync happens outside
 * the state lock, so transactions that arrive while one fsync is running share the next one (group
 * commit). Revisions continue across restarts. When the log grows past a threshold it is compacted
 * into a new snapshot (temp file, fsync, atomic rename, directory fsync) and reset.
 */
public final class FileStateStore implements StateStore {
  /** Default log size that triggers compaction. */
  public static final long DEFAULT_COMPACT_BYTES = 8L << 20;

  private final Path dir;
  private final long compactBytes;
  private final DirectoryLock lock;
  private final LogFile log;
  private final long droppedTailBytes;

  private final Object stateLock = new Object();
  private final Object syncLock = new Object();
  private final TreeMap<String, Versioned> data;
  private long revision;
  /** Total bytes ever appended in this session, and how many of them an fsync covers. */
  private volatile long appendedLsn;
  private volatile long durableLsn;
  private volatile Throwable failed;
  private volatile boolean closed;
  private final List<Watch> watches = new CopyOnWriteArrayList<>();
  private final Map<String, byte[]> keptAlive = new ConcurrentHashMap<>();

  private record Watch(String prefix, Consumer<String> listener) {}

  private FileStateStore(Path dir, long compactBytes, DirectoryLock lock, LogFile log, SnapshotFile.Contents snap, LogFile.Replay replay) {
    this.dir = dir;
    this.compactBytes = compactBytes;
    this.lock = lock;
    this.log = log;
    this.data = snap.data();
    this.revision = replay.lastRevision();
    this.droppedTailBytes = replay.droppedTailBytes();
  }

  /** Opens (creating if needed) the store in {@code dir}. */
  public static FileStateStore open(Path dir) {
    return open(dir, DEFAULT_COMPACT_BYTES);
  }

  /**
   * Opens the store in {@code dir}, compacting when the log exceeds {@code compactBytes}.
   *
   * @throws StoreUnavailableException the directory is locked by another process or unusable
   * @throws org.clusteripam.core.store.StoreCorruptException the snapshot or log is damaged
   */
  public static FileStateStore open(Path dir, long compactBytes) {
    Path abs = dir.toAbsolutePath();
    try {
      Files.createDirectories(abs);
    } catch (IOException e) {
      throw new StoreUnavailableException("cannot create state directory " + abs + ": " + e.getMessage(), e);
    }
    DirectoryLock lock = DirectoryLock.acquire(abs);
    LogFile log = null;
    try {
      SnapshotFile.Contents snap = SnapshotFile.read(abs);
      log = LogFile.open(abs);
      TreeMap<String, Versioned> data = snap.data();
      LogFile.Replay replay = log.replay(snap.revision(), rec -> apply(data, rec));
      return new FileStateStore(abs, compactBytes, lock, log, snap, replay);
    } catch (IOException e) {
      closeAll(log, lock);
      throw new StoreUnavailableException("cannot open state in " + abs + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeAll(log, lock);
      throw e;
    }
  }

  private static void closeAll(LogFile log, DirectoryLock lock) {
    if (log != null) {
      try {
        log.close();
      } catch (IOException ignored) {
        // already failing
      }
    }
    lock.close();
  }

  private static void apply(TreeMap<String, Versioned> data, LogRecord rec) {
    for (Map.Entry<String, byte[]> w : rec.writes().entrySet()) {
      if (w.getValue() == null) {
        data.remove(w.getKey());
      } else {
        data.put(w.getKey(), new Versioned(w.getValue(), rec.revision()));
      }
    }
  }

  /** Bytes of a torn, unacknowledged tail dropped when this store was opened (0 normally). */
  public long droppedTailBytes() {
    return droppedTailBytes;
  }

  @Override
  public <R> R transact(String name, Txn<R> txn) {
    long waitFor;
    R result;
    List<String> changed;
    synchronized (stateLock) {
      checkUsable();
      MapTxnView view = new MapTxnView(data);
      result = txn.run(view);
      if (view.writes().isEmpty()) {
        return result;
      }
      long rev = revision + 1;
      ByteBuffer record = new LogRecord(rev, view.writes()).encode();
      try {
        long before = log.size();
        long after = log.append(record);
        appendedLsn += after - before;
      } catch (IOException e) {
        failed = e;
        throw new StoreUnavailableException("cannot append to " + log.path() + " (store is now unusable; reopen it): " + e.getMessage(), e);
      }
      revision = rev;
      changed = new ArrayList<>(view.writes().keySet());
      for (Map.Entry<String, byte[]> w : view.writes().entrySet()) {
        if (w.getValue() == null) {
          data.remove(w.getKey());
        } else {
          data.put(w.getKey(), new Versioned(w.getValue(), rev));
        }
      }
      waitFor = appendedLsn;
      if (log.size() > compactBytes) {
        compact();
      }
    }
    awaitDurable(waitFor, name);
    notifyWatches(changed);
    return result;
  }

  /** Group commit: one thread fsyncs everything appended so far; the others find themselves covered. */
  private void awaitDurable(long lsn, String name) {
    if (durableLsn >= lsn) {
      return;
    }
    synchronized (syncLock) {
      if (durableLsn >= lsn) {
        return;
      }
      checkUsable();
      long upTo = appendedLsn;
      try {
        log.force();
      } catch (IOException e) {
        failed = e;
        throw new StoreUnavailableException("fsync of " + log.path() + " failed during " + name
            + " (store is now unusable; reopen it): " + e.getMessage(), e);
      }
      durableLsn = upTo;
    }
  }

  /** Called with the state lock held: snapshot everything, then drop the log. */
  private void compact() {
    synchronized (syncLock) {
      try {
        SnapshotFile.write(dir, revision, data);
        log.reset();
        durableLsn = appendedLsn;
      } catch (IOException e) {
        failed = e;
        throw new StoreUnavailableException("compaction of " + dir + " failed (store is now unusable; reopen it): " + e.getMessage(), e);
      }
    }
  }

  /** Writes a snapshot now and empties the log (also done automatically past the size threshold). */
  public void compactNow() {
    synchronized (stateLock) {
      checkUsable();
      compact();
    }
  }

  @Override
  public Optional<Versioned> peek(String key) {
    synchronized (stateLock) {
      checkUsable();
      return Optional.ofNullable(data.get(key));
    }
  }

  @Override
  public SortedMap<String, Versioned> list(String prefix) {
    synchronized (stateLock) {
      checkUsable();
      return Collections.unmodifiableSortedMap(new TreeMap<>(data.subMap(prefix, prefix + Character.MAX_VALUE)));
    }
  }

  @Override
  public long revision() {
    synchronized (stateLock) {
      return revision;
    }
  }

  /**
   * A single machine has no other host to tell: the key is written like any other and deleted when
   * the store is closed cleanly. After a crash it stays until the next owner rewrites or deletes it.
   */
  @Override
  public void keepAlive(String key, byte[] value, Duration ttl) {
    StoreKeys.check(key);
    byte[] copy = value.clone();
    transact("keepAlive", v -> {
      v.put(key, copy);
      return null;
    });
    keptAlive.put(key, copy);
  }

  @Override
  public AutoCloseable watch(String prefix, Consumer<String> listener) {
    Watch w = new Watch(prefix, listener);
    watches.add(w);
    return () -> watches.remove(w);
  }

  @Override
  public String describe() {
    return "file store in " + dir;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (!keptAlive.isEmpty() && failed == null) {
      try {
        transact("close", v -> {
          keptAlive.keySet().forEach(v::delete);
          return null;
        });
      } catch (RuntimeException ignored) {
        // closing anyway
      }
    }
    synchronized (stateLock) {
      closed = true;
      try {
        log.close();
      } catch (IOException ignored) {
        // every acknowledged record was already forced
      }
      lock.close();
    }
  }

  private void checkUsable() {
    if (closed) {
      throw new IllegalStateException(describe() + " is closed");
    }
    if (failed != null) {
      throw new StoreUnavailableException(describe() + " failed earlier and must be reopened: " + failed.getMessage(), failed);
    }
  }

  private void notifyWatches(List<String> changed) {
    for (Watch w : watches) {
      for (String key : changed) {
        if (key.startsWith(w.prefix)) {
          w.listener.accept(key);
        }
      }
    }
  }
}
