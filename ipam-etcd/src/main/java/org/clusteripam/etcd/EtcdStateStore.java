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
import java.util.Collections;
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

  private record Listener(String prefix, Consumer<String> consumer) {}

  private EtcdStateStore(EtcdStoreConfig config, Client client) {
    this.config = config;
    this.client = client;
    this.kv = client.getKVClient();
    this.keys = new KeyCodec(config.prefix());
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
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
  public static EtcdStateStore connect(EtcdStoreConfig config, java.util.concurrent.ExecutorService clientExecutor) {
    Client client = buildClient(config, clientExecutor);
    EtcdStateStore store = new EtcdStateStore(config, client);
    try {
      store.loadAndWatch();
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  private static Client buildClient(EtcdStoreConfig config, java.util.concurrent.ExecutorService clientExecutor) {
    ClientBuilder b = Client.builder()
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
        b.sslContext(ssl -> {
          ssl.trustManager(config.caCert().get().toFile());
          config.clientCert().ifPresent(cert -> ssl.keyManager(cert.toFile(), config.clientKey().orElseThrow().toFile()));
        });
      } catch (SSLException | RuntimeException e) {
        throw new IllegalArgumentException("cannot set up TLS for etcd from " + config + ": " + e.getMessage(), e);
      }
    }
    return b.build();
  }

  /** Fills the cache from a consistent read and watches from the revision after it. */
  private void loadAndWatch() {
    counters.roundTrips.incrementAndGet();
    GetResponse all = EtcdCalls.await(kv.get(keys.prefix(), GetOption.builder().isPrefix(true).build()), config.timeout(),
        "read " + config.prefix());
    for (KeyValue e : all.getKvs()) {
      String k = keys.relative(e.getKey());
      if (k != null) {
        cache.apply(k, e.getValue().getBytes(), e.getModRevision());
      }
    }
    long from = all.getHeader().getRevision() + 1;
    Watch.Watcher old = watcher;
    watcher = client.getWatchClient().watch(keys.prefix(),
        WatchOption.builder().isPrefix(true).withRevision(from).build(),
        Watch.listener(this::onWatch, this::onWatchError, () -> onWatchError(null)));
    if (old != null) {
      old.close();
    }
  }

  private void onWatch(WatchResponse r) {
    for (WatchEvent e : r.getEvents()) {
      String k = keys.relative(e.getKeyValue().getKey());
      if (k == null) {
        continue;
      }
      boolean deleted = e.getEventType() == WatchEvent.EventType.DELETE;
      cache.apply(k, deleted ? null : e.getKeyValue().getValue().getBytes(), e.getKeyValue().getModRevision());
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
  }

  /** The watch broke (etcd restarted, history compacted): reload and watch again until it works. */
  private void onWatchError(Throwable t) {
    if (closed) {
      return;
    }
    try {
      scheduler.schedule(() -> {
        if (closed) {
          return;
        }
        try {
          loadAndWatch();
        } catch (RuntimeException e) {
          onWatchError(e);
        }
      }, 500, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // the store is closing
    }
  }

  @Override
  public <R> R transact(String name, Txn<R> txn) {
    checkOpen();
    GroupCommitter.Request<R> r = committer.submit(name, txn);
    long timeoutMs = config.timeout().toMillis();
    try {
      try {
        return r.future.get(timeoutMs, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        if (r.cancel()) {
          throw new StoreUnavailableException("etcd store busy or unreachable: " + name + " was not started within " + timeoutMs
              + " ms and nothing was written", e);
        }
        // the committer has it; its etcd call is bounded by the same timeout
        return r.future.get(timeoutMs + 1000, TimeUnit.MILLISECONDS);
      }
    } catch (TimeoutException e) {
      throw new StoreUnavailableException("etcd did not answer " + name + " within " + timeoutMs + " ms", e);
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
    checkOpen();
    counters.roundTrips.incrementAndGet();
    GetResponse resp = EtcdCalls.await(kv.get(keys.full(prefix), GetOption.builder().isPrefix(true).build()), config.timeout(),
        "list " + config.prefix() + prefix);
    TreeMap<String, Versioned> out = new TreeMap<>();
    for (KeyValue e : resp.getKvs()) {
      String k = keys.relative(e.getKey());
      if (k != null) {
        byte[] v = e.getValue().getBytes();
        cache.apply(k, v, e.getModRevision());
        out.put(k, new Versioned(v, e.getModRevision()));
      }
    }
    return Collections.unmodifiableSortedMap(out);
  }

  @Override
  public long revision() {
    checkOpen();
    counters.roundTrips.incrementAndGet();
    return EtcdCalls.await(kv.get(keys.prefix(), GetOption.builder().withCountOnly(true).build()), config.timeout(), "read the revision")
        .getHeader().getRevision();
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
    client.close();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(describe() + " is closed");
    }
  }
}
