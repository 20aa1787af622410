package org.clusteripam.core.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.StoreConflictException;
import org.clusteripam.core.store.Txn;
import org.clusteripam.core.store.TxnView;
import org.clusteripam.core.store.Versioned;

/**
 * An optimistic store whose transactions read from a lagging cache, as the etcd store's do: a
 * {@link TxnView} sees the state as of {@code lag} revisions ago (a key created since is absent,
 * one changed or deleted since shows its old value), every key it reads or lists is compared at
 * commit, and a failed compare re-runs the function. Keys created under a listed prefix since the
 * lagging snapshot are NOT compared — exactly the SPI's "list is not tracked for additions". {@link
 * #list} and {@link #peek} outside transactions are linearizable. As in a client's cache, a caller
 * (thread) never sees older state than it already saw: its own commits and its linearizable
 * listings raise its floor. Single-threaded use (a scheduler runs one caller at a time).
 */
public final class LaggingStateStore implements StateStore {
  /** One version of a key: its value (null: deleted) from revision {@code rev} on. */
  private record Version(byte[] value, long rev) {}

  private final Map<String, List<Version>> history = new HashMap<>();
  private final IntSupplier lag;
  private long revision;
  private long conflicts;
  private final Map<Thread, Long> floors = new HashMap<>();

  /** {@code lag} is asked once per transaction attempt: how many revisions its view lags. */
  public LaggingStateStore(IntSupplier lag) {
    this.lag = lag;
  }

  public synchronized long conflicts() {
    return conflicts;
  }

  private Version at(String key, long rev) {
    List<Version> h = history.get(key);
    if (h == null) {
      return null;
    }
    Version found = null;
    for (Version v : h) {
      if (v.rev <= rev) {
        found = v;
      }
    }
    return found == null || found.value == null ? null : found;
  }

  private Version current(String key) {
    return at(key, Long.MAX_VALUE);
  }

  @Override
  public synchronized <R> R transact(String name, Txn<R> txn) {
    for (int attempt = 0; attempt < 64; attempt++) {
      long floor = floors.getOrDefault(Thread.currentThread(), 0L);
      long snap = attempt >= 3 ? revision : Math.max(floor, revision - Math.max(0, lag.getAsInt()));
      View v = new View(snap);
      R result = txn.run(v);
      boolean ok = true;
      for (Map.Entry<String, Long> seen : v.seen.entrySet()) {
        Version now = current(seen.getKey());
        long nowRev = now == null ? 0 : now.rev;
        if (nowRev != seen.getValue()) {
          ok = false;
          break;
        }
      }
      if (!ok) {
        conflicts++;
        continue;
      }
      if (!v.writes.isEmpty()) {
        revision++;
        v.writes.forEach(
            (k, val) ->
                history.computeIfAbsent(k, x -> new ArrayList<>()).add(new Version(val, revision)));
        floors.put(Thread.currentThread(), revision);
      }
      return result;
    }
    throw new StoreConflictException("transaction " + name + " kept conflicting");
  }

  private final class View implements TxnView {
    final long snap;

    /** Every key read, listed or written, with the mod revision seen (0: absent). */
    final TreeMap<String, Long> seen = new TreeMap<>();

    final TreeMap<String, byte[]> writes = new TreeMap<>();

    View(long snap) {
      this.snap = snap;
    }

    private Optional<byte[]> read(String key) {
      Version v = at(key, snap);
      seen.putIfAbsent(key, v == null ? 0 : v.rev);
      return v == null ? Optional.empty() : Optional.of(v.value.clone());
    }

    @Override
    public Optional<byte[]> get(String key) {
      if (writes.containsKey(key)) {
        return Optional.ofNullable(writes.get(key)).map(byte[]::clone);
      }
      return read(key);
    }

    @Override
    public SortedMap<String, byte[]> list(String prefix) {
      TreeMap<String, byte[]> out = new TreeMap<>();
      for (String k : history.keySet()) {
        if (k.startsWith(prefix) && !writes.containsKey(k)) {
          boolean tracked = seen.containsKey(k);
          Optional<byte[]> b = read(k);
          if (b.isPresent()) {
            out.put(k, b.get());
          } else if (!tracked) {
            // a key absent from the listing is not compared: additions are untracked
            seen.remove(k);
          }
        }
      }
      writes
          .subMap(prefix, prefix + Character.MAX_VALUE)
          .forEach(
              (k, b) -> {
                if (b != null) {
                  out.put(k, b.clone());
                }
              });
      return out;
    }

    @Override
    public void put(String key, byte[] value) {
      get(key); // like etcd: a written key is compared too
      writes.put(key, value.clone());
    }

    @Override
    public void delete(String key) {
      get(key);
      writes.put(key, null);
    }
  }

  @Override
  public synchronized Optional<Versioned> peek(String key) {
    Version v = current(key);
    return v == null ? Optional.empty() : Optional.of(new Versioned(v.value.clone(), v.rev));
  }

  @Override
  public synchronized SortedMap<String, Versioned> list(String prefix) {
    floors.put(Thread.currentThread(), revision);
    TreeMap<String, Versioned> out = new TreeMap<>();
    for (String k : history.keySet()) {
      Version v = current(k);
      if (k.startsWith(prefix) && v != null) {
        out.put(k, new Versioned(v.value.clone(), v.rev));
      }
    }
    return out;
  }

  @Override
  public synchronized org.clusteripam.core.store.StoreSnapshot snapshot(String prefix) {
    return new org.clusteripam.core.store.StoreSnapshot(revision, list(prefix));
  }

  @Override
  public synchronized long revision() {
    return revision;
  }

  @Override
  public void keepAlive(String key, byte[] value, Duration ttl) {
    transact(
        "keepAlive",
        v -> {
          v.put(key, value);
          return null;
        });
  }

  @Override
  public AutoCloseable watch(String prefix, Consumer<String> listener) {
    return () -> {};
  }

  @Override
  public String describe() {
    return "lagging store";
  }

  @Override
  public void close() {}

  /** For assertions: the current value of every key, as text. */
  public synchronized SortedMap<String, String> contents() {
    TreeMap<String, String> out = new TreeMap<>();
    list("")
        .forEach(
            (k, v) -> out.put(k, new String(v.value(), java.nio.charset.StandardCharsets.UTF_8)));
    return out;
  }

  static boolean same(byte[] a, byte[] b) {
    return Arrays.equals(a, b);
  }
}
