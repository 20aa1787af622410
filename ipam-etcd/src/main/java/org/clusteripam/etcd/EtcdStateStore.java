package org.clusteripam.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.StoreSnapshot;
import org.clusteripam.core.store.StoreUnavailableException;
import org.clusteripam.core.store.Txn;
import org.clusteripam.core.store.Versioned;

/**
 * The cluster store: every key under a prefix in etcd, every write a compare-and-swap.
 *
 * <p>A local cache of the prefix, fed by one etcd watch, answers {@link #peek} and the first reads
 * of a transaction, so an uncontended {@code transact} costs one etcd round trip (the commit, whose
 * compares validate those reads). Concurrent {@code transact} calls are group-committed: see {@link
 * GroupCommitter}. A {@code Txn} runs on the committer thread and must not call this store.
 */
public final class EtcdStateStore implements StateStore {
  /** Keys per range read of a snapshot: a page stays far below gRPC's message limit. */
  static final int PAGE_KEYS = 500;

  private final EtcdStoreConfig config;
  private final Client client;
  private final KV kv;
  private final KeyCodec keys;
  private final ValueCache cache = new ValueCache();
  private final GroupCommitter.Counters counters = new GroupCommitter.Counters();
  private final GroupCommitter committer;
  private final ScheduledExecutorService scheduler;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final HostLeases leases;
  private volatile Watch.Watcher watcher;
  private volatile boolean closed;

  /** The shared client and watch this store follows, or null: its own. */
  private final SharedEtcd shared;

  private record Listener(String prefix, Consumer<String> consumer) {}

  private EtcdStateStore(EtcdStoreConfig config, Client client, SharedEtcd shared) {
    this.config = config;
    this.shared = shared;
    this.client = client;
    this.kv = client.getKVClient();
    this.keys = new KeyCodec(config.prefix());
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "etcd-store-maintenance");
              t.setDaemon(true);
              return t;
            });
    this.committer = new GroupCommitter(kv, keys, cache, config, counters, config.prefix());
    this.leases = new HostLeases(client, kv, keys, config, counters, scheduler);
  }

  /**
   * Connects, loads the prefix into the cache and starts watching it.
   *
   * @throws StoreUnavailableException etcd cannot be reached within the timeout
   */
  public static EtcdStateStore connect(EtcdStoreConfig config) {
    return connect(config, null);
  }

  /**
   * As {@link #connect(EtcdStoreConfig)}, with the etcd client's callbacks and retries on {@code
   * clientExecutor} (shared by many stores in one process, e.g. a simulator; the store never shuts
   * it down), or on a pool of the client's own when null.
   */
  public static EtcdStateStore connect(
      EtcdStoreConfig config, java.util.concurrent.ExecutorService clientExecutor) {
    Client client = buildClient(config, clientExecutor);
    EtcdStateStore store = new EtcdStateStore(config, client, null);
    try {
      store.loadAndWatch();
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  /**
   * On {@link SharedEtcd}'s client, fed by its watch (registered before the load, so nothing is
   * missed).
   */
  static EtcdStateStore connectShared(EtcdStoreConfig config, Client client, SharedEtcd shared) {
    EtcdStateStore store = new EtcdStateStore(config, client, shared);
    shared.add(store);
    try {
      store.load();
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  /** An event of the shared watch, for whichever store's prefix it is under. */
  void fromSharedWatch(String fullKey, byte[] value, long revision) {
    String p = keys.prefixString();
    if (!closed && fullKey.startsWith(p)) {
      changed(fullKey.substring(p.length()), value == null ? null : value.clone(), revision);
    }
  }

  /** After the shared watch broke: what it may have missed. */
  void reloadShared() {
    if (!closed) {
      try {
        load();
      } catch (RuntimeException e) {
        // the next read that matters conflicts and refreshes; the next break reloads again
      }
    }
  }

  static Client buildClient(
      EtcdStoreConfig config, java.util.concurrent.ExecutorService clientExecutor) {
    ClientBuilder b =
        Client.builder()
            .endpoints(config.endpoints().toArray(java.net.URI[]::new))
            .connectTimeout(config.timeout())
            .retryMaxDuration(config.timeout())
            .waitForReady(false)
            .interceptor(new DeadlineInterceptor(config.timeout()));
    if (clientExecutor != null) {
      b.executorService(clientExecutor);
    }
    if (config.user().isPresent()) {
      b.user(ByteSequence.from(config.user().get(), StandardCharsets.UTF_8))
          .password(ByteSequence.from(config.password().orElseThrow(), StandardCharsets.UTF_8));
    }
    if (config.caCert().isPresent()) {
      try {
        b.sslContext(
            ssl -> {
              ssl.trustManager(config.caCert().get().toFile());
              config
                  .clientCert()
                  .ifPresent(
                      cert ->
                          ssl.keyManager(cert.toFile(), config.clientKey().orElseThrow().toFile()));
            });
      } catch (SSLException | RuntimeException e) {
        throw new IllegalArgumentException(
            "cannot set up TLS for etcd from " + config + ": " + e.getMessage(), e);
      }
    }
    return b.build();
  }

  /** Fills the cache from a consistent read and watches from the revision after it. */
  private void loadAndWatch() {
    long from = load() + 1;
    if (shared != null) {
      return;
    }
    Watch.Watcher old = watcher;
    watcher =
        client
            .getWatchClient()
            .watch(
                keys.prefix(),
                WatchOption.builder().isPrefix(true).withRevision(from).build(),
                Watch.listener(this::onWatch, this::onWatchError, () -> onWatchError(null)));
    if (old != null) {
      old.close();
    }
  }

  /** Fills the cache from a consistent read of the prefix; its revision. */
  private long load() {
    counters.roundTrips.incrementAndGet();
    GetResponse all =
        EtcdCalls.await(
            kv.get(keys.prefix(), GetOption.builder().isPrefix(true).build()),
            config.timeout(),
            "read " + config.prefix());
    for (KeyValue e : all.getKvs()) {
      String k = keys.relative(e.getKey());
      if (k != null) {
        cache.apply(k, e.getValue().getBytes(), e.getModRevision());
      }
    }
    return all.getHeader().getRevision();
  }

  private void onWatch(WatchResponse r) {
    for (WatchEvent e : r.getEvents()) {
      String k = keys.relative(e.getKeyValue().getKey());
      if (k == null) {
        continue;
      }
      boolean deleted = e.getEventType() == WatchEvent.EventType.DELETE;
      changed(
          k,
          deleted ? null : e.getKeyValue().getValue().getBytes(),
          e.getKeyValue().getModRevision());
    }
  }

  private void changed(String k, byte[] value, long revision) {
    cache.apply(k, value, revision);
    for (Listener l : listeners) {
      if (k.startsWith(l.prefix)) {
        try {
          l.consumer.accept(k);
        } catch (RuntimeException ignored) {
          // a listener's failure must not stop the cache feed
        }
      }
    }
  }

  /** The watch broke (etcd restarted, history compacted): reload and watch again until it works. */
  private void onWatchError(Throwable t) {
    if (closed) {
      return;
    }
    try {
      scheduler.schedule(
          () -> {
            if (closed) {
              return;
            }
            try {
              loadAndWatch();
            } catch (RuntimeException e) {
              onWatchError(e);
            }
          },
          500,
          TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // the store is closing
    }
  }

  @Override
  public <R> R transact(String name, Txn<R> txn) {
    return transact(name, txn, java.util.Map.of());
  }

  /**
   * The commit's else-branch carries a nested transaction: {@code txn} run against {@code
   * presumed}.
   */
  @Override
  public <R> R transact(String name, Txn<R> txn, java.util.Map<String, byte[]> presumed) {
    checkOpen();
    GroupCommitter.Request<R> r = committer.submit(name, txn, presumed);
    long timeoutMs = config.timeout().toMillis();
    try {
      try {
        return r.future.get(timeoutMs, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        if (r.cancel()) {
          throw new StoreUnavailableException(
              "etcd store busy or unreachable: "
                  + name
                  + " was not started within "
                  + timeoutMs
                  + " ms and nothing was written",
              e);
        }
        // the committer has it; its etcd call is bounded by the same timeout
        return r.future.get(timeoutMs + 1000, TimeUnit.MILLISECONDS);
      }
    } catch (TimeoutException e) {
      throw new StoreUnavailableException(
          "etcd did not answer " + name + " within " + timeoutMs + " ms", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException re) {
        throw re; // the Txn's own exception, or a store exception, unchanged
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new StoreUnavailableException(name + " failed: " + c, c);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while waiting for " + name, e);
    }
  }

  @Override
  public Optional<Versioned> peek(String key) {
    checkOpen();
    return cache.peek(key);
  }

  @Override
  public SortedMap<String, Versioned> list(String prefix) {
    return snapshot(prefix).entries();
  }

  @Override
  public StoreSnapshot snapshot(String prefix) {
    return snapshot(prefix, PAGE_KEYS);
  }

  /**
   * One range read, in pages of {@code pageKeys} keys: the first page's header revision is the
   * snapshot's, and every later page is read at that revision, so the pages agree. When etcd
   * compacts that revision away between two pages, the read starts over.
   */
  StoreSnapshot snapshot(String prefix, int pageKeys) {
    checkOpen();
    ByteSequence full = keys.full(prefix);
    for (int attempt = 1; ; attempt++) {
      TreeMap<String, Versioned> out = new TreeMap<>();
      long revision = 0;
      ByteSequence from = full;
      boolean more = true;
      try {
        while (more) {
          GetOption.Builder o = GetOption.builder().withPrefix(full).withLimit(pageKeys);
          if (revision != 0) {
            o.withRevision(revision);
          }
          counters.roundTrips.incrementAndGet();
          GetResponse page =
              EtcdCalls.await(
                  kv.get(from, o.build()), config.timeout(), "list " + config.prefix() + prefix);
          if (revision == 0) {
            revision = page.getHeader().getRevision();
          }
          List<KeyValue> kvs = page.getKvs();
          for (KeyValue e : kvs) {
            String k = keys.relative(e.getKey());
            if (k != null) {
              out.put(k, new Versioned(e.getValue().getBytes(), e.getModRevision()));
            }
          }
          more = page.isMore() && !kvs.isEmpty();
          if (more) {
            from = kvs.get(kvs.size() - 1).getKey().concat(ByteSequence.from(new byte[] {0}));
          }
        }
      } catch (StoreUnavailableException e) {
        if (revision != 0 && attempt < 3 && String.valueOf(e.getMessage()).contains("compacted")) {
          continue;
        }
        throw e;
      }
      out.forEach((k, v) -> cache.apply(k, v.value(), v.modRevision()));
      // keys the cache still has that the listing does not were deleted as of its revision (a
      // lagging watch)
      long rev = revision;
      cache.list(prefix).keySet().stream()
          .filter(k -> !out.containsKey(k))
          .toList()
          .forEach(k -> cache.apply(k, null, rev));
      return new StoreSnapshot(revision, out);
    }
  }

  @Override
  public long revision() {
    checkOpen();
    counters.roundTrips.incrementAndGet();
    return EtcdCalls.await(
            kv.get(keys.prefix(), GetOption.builder().withCountOnly(true).build()),
            config.timeout(),
            "read the revision")
        .getHeader()
        .getRevision();
  }

  @Override
  public void keepAlive(String key, byte[] value, Duration ttl) {
    checkOpen();
    KeyCodec.check(key);
    leases.keepAlive(key, value.clone(), ttl);
  }

  @Override
  public AutoCloseable watch(String prefix, Consumer<String> listener) {
    checkOpen();
    Listener l = new Listener(prefix, listener);
    listeners.add(l);
    return () -> listeners.remove(l);
  }

  /** Counters since this store was opened. */
  public EtcdStoreStats stats() {
    return counters.snapshot();
  }

  @Override
  public String describe() {
    return "etcd store " + config.endpoints() + " prefix " + config.prefix();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    committer.close();
    leases.close();
    Watch.Watcher w = watcher;
    if (w != null) {
      w.close();
    }
    scheduler.shutdownNow();
    if (shared == null) {
      client.close();
    } else {
      shared.remove(this);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(describe() + " is closed");
    }
  }
}
