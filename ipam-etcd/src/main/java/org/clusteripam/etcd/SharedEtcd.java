package org.clusteripam.etcd;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One etcd client and one watch of a prefix, shared by many stores of one process — a simulator's
 * hosts. Each store keeps its own cache, committer and listeners, fed from the one watch, so etcd
 * sends each change once instead of once per store and the process decodes it once. On N real
 * machines each host has its own client and watch; this only moves that fan-out out of the one
 * process (and the one etcd) that simulates them all.
 */
public final class SharedEtcd implements AutoCloseable {
  private final EtcdStoreConfig config;
  private final Client client;
  private final KeyCodec keys;
  private final CopyOnWriteArrayList<EtcdStateStore> stores = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "etcd-shared-watch");
            t.setDaemon(true);
            return t;
          });
  private volatile Watch.Watcher watcher;
  private volatile boolean closed;

  private SharedEtcd(EtcdStoreConfig config, Client client) {
    this.config = config;
    this.client = client;
    this.keys = new KeyCodec(config.prefix());
  }

  /**
   * Connects and watches every key under {@code config.prefix()}; the client's callbacks run on
   * {@code clientExecutor} (or the client's own pool when null).
   */
  public static SharedEtcd open(EtcdStoreConfig config, ExecutorService clientExecutor) {
    SharedEtcd s = new SharedEtcd(config, EtcdStateStore.buildClient(config, clientExecutor));
    s.watch();
    return s;
  }

  /**
   * A store under {@code storeConfig.prefix()} (inside this watch's prefix, same endpoints) on the
   * shared client and watch: it loads its prefix, then its cache follows the shared watch. Closing
   * it leaves the client open.
   */
  public EtcdStateStore connect(EtcdStoreConfig storeConfig) {
    if (!storeConfig.prefix().startsWith(config.prefix())
        || !storeConfig.endpoints().equals(config.endpoints())) {
      throw new IllegalArgumentException(
          storeConfig + " is not inside the shared watch of " + config);
    }
    return EtcdStateStore.connectShared(storeConfig, client, this);
  }

  void add(EtcdStateStore s) {
    stores.add(s);
  }

  void remove(EtcdStateStore s) {
    stores.remove(s);
  }

  private void watch() {
    Watch.Watcher old = watcher;
    watcher =
        client
            .getWatchClient()
            .watch(
                keys.prefix(),
                WatchOption.builder().isPrefix(true).build(),
                Watch.listener(this::onWatch, e -> broken(), this::broken));
    if (old != null) {
      old.close();
    }
  }

  private void onWatch(WatchResponse r) {
    for (WatchEvent e : r.getEvents()) {
      String full = e.getKeyValue().getKey().toString(StandardCharsets.UTF_8);
      boolean deleted = e.getEventType() == WatchEvent.EventType.DELETE;
      byte[] value = deleted ? null : e.getKeyValue().getValue().getBytes();
      long rev = e.getKeyValue().getModRevision();
      for (EtcdStateStore s : stores) {
        s.fromSharedWatch(full, value, rev); // each cache keeps its own copy
      }
    }
  }

  /** The watch broke (etcd restarted, history compacted): watch again, then every store reloads. */
  private void broken() {
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
              watch();
              stores.forEach(EtcdStateStore::reloadShared);
            } catch (RuntimeException e) {
              broken();
            }
          },
          500,
          TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // closing
    }
  }

  @Override
  public void close() {
    closed = true;
    stores.forEach(EtcdStateStore::close);
    Watch.Watcher w = watcher;
    if (w != null) {
      w.close();
    }
    scheduler.shutdownNow();
    client.close();
  }
}
