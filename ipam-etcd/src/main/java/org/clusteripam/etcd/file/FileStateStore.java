package org.clusteripam.etcd.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.clusteripam.core.store.MapTxnView;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.StoreKeys;
import org.clusteripam.core.store.StoreSnapshot;
import org.clusteripam.core.store.StoreUnavailableException;
import org.clusteripam.core.store.Txn;
import org.clusteripam.core.store.Versioned;

/**
 * The embedded durable store for a single machine: a snapshot plus an append-only log of committed
 * transactions under one directory, locked against a second process.
 *
 * <p>Transactions run one at a time against the in-memory state (so they never conflict), append a
 * checksummed record, and return only after an fsync covers that record. The fsync happens outside
 * the state lock, so transactions that arrive while one fsync is running share the next one (group
 * commit). Revisions continue across restarts.
 *
 * <p>When the log grows past a threshold a background thread compacts it without stopping
 * transactions for the write: under the state lock it only copies the state map (references, no
 * I/O) and switches appends to a new, already durable log generation; then it writes the snapshot
 * (temp file, fsync, atomic rename, directory fsync) and deletes the older logs. A crash at any
 * point leaves either the old snapshot plus every log, or the new snapshot plus logs whose older
 * records it already holds (skipped on replay).
 */
public final class FileStateStore implements StateStore {
  /** Default log size that triggers compaction. */
  public static final long DEFAULT_COMPACT_BYTES = 8L << 20;

  private final Path dir;
  private final long compactBytes;
  private final DirectoryLock lock;
  private final long droppedTailBytes;
  private final CompactionHook hook;

  /** Lock order: compactionLock, then stateLock, then syncLock. */
  private final Object compactionLock = new Object();

  private final Object stateLock = new Object();
  private final Object syncLock = new Object();
  private final TreeMap<String, Versioned> data;
  private long revision;

  /**
   * The log appended to; replaced under stateLock when a compaction switches generations. The
   * switch does not take syncLock, so it never waits for a running fsync (see awaitDurable).
   */
  private volatile LogFile log;

  /** Only changed under compactionLock. */
  private long generation;

  /**
   * The previous generation from a switch until it is forced or a durable snapshot covers it. Set
   * (before {@link #log}) under stateLock; cleared and closed only under syncLock.
   */
  private volatile LogFile sealed;

  private boolean compactionScheduled;

  /** Total bytes ever appended in this session, and how many of them an fsync covers. */
  private volatile long appendedLsn;

  private volatile long durableLsn;
  private volatile Throwable failed;
  private volatile boolean closed;
  private final List<Watch> watches = new CopyOnWriteArrayList<>();
  private final Map<String, byte[]> keptAlive = new ConcurrentHashMap<>();

  private record Watch(String prefix, Consumer<String> listener) {}

  private final AtomicLong transactions = new AtomicLong();
  private final LongAdder groupCommits = new LongAdder();
  private final LongAdder fsyncs;
  private final AtomicLong logBytesWritten = new AtomicLong();
  private final AtomicLong compactionsStarted = new AtomicLong();
  private final AtomicLong compactions = new AtomicLong();
  private final AtomicLong compactionNanos = new AtomicLong();
  private final AtomicLong maxCompactionNanos = new AtomicLong();
  private final AtomicLong switchNanos = new AtomicLong();
  private final AtomicLong maxSwitchNanos = new AtomicLong();
  private volatile long snapshotSize;

  private FileStateStore(
      Path dir,
      long compactBytes,
      DirectoryLock lock,
      SnapshotFile.Contents snap,
      LogFiles.Opened logs,
      LongAdder fsyncs,
      CompactionHook hook) {
    this.dir = dir;
    this.compactBytes = compactBytes;
    this.lock = lock;
    this.log = logs.current();
    this.generation = logs.generation();
    this.data = snap.data();
    this.snapshotSize = snap.size();
    this.revision = logs.lastRevision();
    this.droppedTailBytes = logs.droppedTailBytes();
    this.fsyncs = fsyncs;
    this.hook = hook;
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
    return open(dir, compactBytes, CompactionHook.NONE);
  }

  /**
   * As {@link #open(Path, long)}, telling {@code hook} about each step of every compaction (for
   * crash tests).
   */
  static FileStateStore open(Path dir, long compactBytes, CompactionHook hook) {
    if (compactBytes <= 0) {
      throw new IllegalArgumentException(
          "compaction threshold must be positive, got " + compactBytes + " bytes");
    }
    Path abs = dir.toAbsolutePath();
    try {
      Files.createDirectories(abs);
    } catch (IOException e) {
      throw new StoreUnavailableException(
          "cannot create state directory " + abs + ": " + e.getMessage(), e);
    }
    DirectoryLock lock = DirectoryLock.acquire(abs);
    try {
      SnapshotFile.Contents snap = SnapshotFile.read(abs);
      TreeMap<String, Versioned> data = snap.data();
      LongAdder fsyncs = new LongAdder();
      LogFiles.Opened logs = LogFiles.open(abs, snap.revision(), rec -> apply(data, rec), fsyncs);
      return new FileStateStore(abs, compactBytes, lock, snap, logs, fsyncs, hook);
    } catch (IOException e) {
      lock.close();
      throw new StoreUnavailableException("cannot open state in " + abs + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
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
    boolean startCompaction = false;
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
        logBytesWritten.addAndGet(after - before);
      } catch (IOException e) {
        failed = e;
        throw new StoreUnavailableException(
            "cannot append to "
                + log.path()
                + " (store is now unusable; reopen it): "
                + e.getMessage(),
            e);
      }
      revision = rev;
      transactions.incrementAndGet();
      changed = new ArrayList<>(view.writes().keySet());
      for (Map.Entry<String, byte[]> w : view.writes().entrySet()) {
        if (w.getValue() == null) {
          data.remove(w.getKey());
        } else {
          data.put(w.getKey(), new Versioned(w.getValue(), rev));
        }
      }
      waitFor = appendedLsn;
      if (log.size() > compactBytes && !compactionScheduled) {
        compactionScheduled = true;
        startCompaction = true;
      }
    }
    if (startCompaction) {
      startCompactor();
    }
    awaitDurable(waitFor, name);
    notifyWatches(changed);
    return result;
  }

  /**
   * Group commit: one thread fsyncs everything appended so far; the others find themselves covered.
   */
  private void awaitDurable(long lsn, String name) {
    if (durableLsn >= lsn) {
      return;
    }
    synchronized (syncLock) {
      if (durableLsn >= lsn) {
        return;
      }
      checkUsable();
      // Read in this order (all volatile): a switch sets `sealed` before `log`, and appends to the
      // new log follow the switch. So every byte up to upTo is in `current`, in `old` (when a
      // switch came between the reads), or in a log a durable snapshot already covers. The sealed
      // log goes first, so nothing in a newer log is acknowledged while an older one could still
      // lose a record (see LogFile.replay).
      long upTo = appendedLsn;
      LogFile current = log;
      LogFile old = sealed;
      LogFile forcing = current;
      try {
        if (old != null) {
          forcing = old;
          old.force();
          // no newer switch can have happened: its compaction would wait for syncLock
          sealed = null;
          forcing = current;
        }
        current.force();
      } catch (IOException e) {
        failed = e;
        throw new StoreUnavailableException(
            "fsync of "
                + forcing.path()
                + " failed during "
                + name
                + " (store is now unusable; reopen it): "
                + e.getMessage(),
            e);
      }
      groupCommits.increment();
      durableLsn = Math.max(durableLsn, upTo);
    }
  }

  private void startCompactor() {
    Thread t = new Thread(this::compactInBackground, "file-store-compaction " + dir.getFileName());
    t.setDaemon(true);
    t.start();
  }

  private void compactInBackground() {
    try {
      compact();
    } catch (RuntimeException e) {
      // recorded in `failed` (the next transaction reports it) or the store was closed meanwhile
    } finally {
      synchronized (stateLock) {
        compactionScheduled = false;
      }
    }
  }

  /**
   * Snapshots the state and deletes the older logs. Transactions wait only while the state map is
   * copied and the log is switched; the snapshot is written beside them.
   */
  private void compact() {
    synchronized (compactionLock) {
      checkUsable();
      long started = System.nanoTime();
      compactionsStarted.incrementAndGet();
      long next = generation + 1;
      try {
        LogFile nextLog = LogFile.create(LogFiles.path(dir, next), fsyncs);
        hook.at(CompactionHook.Phase.NEXT_LOG_CREATED);
        StateImage image;
        LogFile old;
        long oldEnd;
        synchronized (stateLock) {
          long locked = System.nanoTime();
          if (closed || failed != null) {
            nextLog.close();
            checkUsable();
          }
          image = StateImage.of(revision, data);
          old = log;
          oldEnd = appendedLsn;
          sealed = old;
          log = nextLog;
          generation = next;
          long held = System.nanoTime() - locked;
          switchNanos.addAndGet(held);
          maxSwitchNanos.accumulateAndGet(held, Math::max);
        }
        hook.at(CompactionHook.Phase.SWITCHED);
        snapshotSize = SnapshotFile.write(dir, image, fsyncs, hook);
        hook.at(CompactionHook.Phase.SNAPSHOT_DURABLE);
        synchronized (syncLock) {
          // the snapshot holds every record of the old log: waiters on those need no fsync of it
          if (sealed == old) {
            sealed = null;
          }
          durableLsn = Math.max(durableLsn, oldEnd);
          old.close(); // under syncLock: no forcer is using it
        }
        LogFiles.deleteBefore(dir, next);
        hook.at(CompactionHook.Phase.OLD_LOGS_DELETED);
      } catch (IOException e) {
        failed = e;
        throw new StoreUnavailableException(
            "compaction of "
                + dir
                + " failed (store is now unusable; reopen it): "
                + e.getMessage(),
            e);
      }
      long took = System.nanoTime() - started;
      compactionNanos.addAndGet(took);
      maxCompactionNanos.accumulateAndGet(took, Math::max);
      compactions.incrementAndGet();
    }
  }

  /**
   * Writes a snapshot now and deletes the logs it covers (also done in the background past the size
   * threshold); returns when the snapshot is durable.
   */
  public void compactNow() {
    compact();
  }

  /** Counters since this store was opened. */
  public FileStoreStats stats() {
    return new FileStoreStats(
        transactions.get(),
        groupCommits.sum(),
        fsyncs.sum(),
        logBytesWritten.get(),
        compactionsStarted.get(),
        compactions.get(),
        compactionNanos.get(),
        maxCompactionNanos.get(),
        switchNanos.get(),
        maxSwitchNanos.get(),
        log.size(),
        snapshotSize);
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
    return snapshot(prefix).entries();
  }

  @Override
  public StoreSnapshot snapshot(String prefix) {
    synchronized (stateLock) {
      checkUsable();
      return new StoreSnapshot(revision, data.subMap(prefix, prefix + Character.MAX_VALUE));
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
   * the store is closed cleanly. After a crash it stays until the next owner rewrites or deletes
   * it.
   */
  @Override
  public void keepAlive(String key, byte[] value, Duration ttl) {
    StoreKeys.check(key);
    byte[] copy = value.clone();
    transact(
        "keepAlive",
        v -> {
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
        transact(
            "close",
            v -> {
              keptAlive.keySet().forEach(v::delete);
              return null;
            });
      } catch (RuntimeException ignored) {
        // closing anyway
      }
    }
    // a running compaction finishes first, so the directory is never unlocked while it writes
    synchronized (compactionLock) {
      synchronized (stateLock) {
        synchronized (syncLock) {
          closed = true;
          try {
            log.close();
            if (sealed != null) {
              sealed.close();
            }
          } catch (IOException ignored) {
            // every acknowledged record was already forced
          }
        }
        lock.close();
      }
    }
  }

  private void checkUsable() {
    if (closed) {
      throw new IllegalStateException(describe() + " is closed");
    }
    if (failed != null) {
      throw new StoreUnavailableException(
          describe() + " failed earlier and must be reopened: " + failed.getMessage(), failed);
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
