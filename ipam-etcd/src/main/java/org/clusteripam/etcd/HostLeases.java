package org.clusteripam.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.clusteripam.core.store.StoreConflictException;

/**
 * Liveness keys: each is written (by CAS) with its own etcd lease, which a keep-alive stream renews
 * while this store is open. If the stream breaks (etcd restarted, lease expired) the key is
 * re-established in the background. Closing the store revokes the leases, so the keys vanish at
 * once; a crashed host's keys vanish when their TTL runs out.
 */
final class HostLeases implements AutoCloseable {
  private record Held(long leaseId, CloseableClient keepAlive) {}

  private final Lease leaseClient;
  private final KV kv;
  private final KeyCodec keys;
  private final EtcdStoreConfig config;
  private final GroupCommitter.Counters counters;
  private final ScheduledExecutorService scheduler;
  private final Map<String, Held> held = new ConcurrentHashMap<>();
  private volatile boolean closed;

  HostLeases(
      Client client,
      KV kv,
      KeyCodec keys,
      EtcdStoreConfig config,
      GroupCommitter.Counters counters,
      ScheduledExecutorService scheduler) {
    this.leaseClient = client.getLeaseClient();
    this.kv = kv;
    this.keys = keys;
    this.config = config;
    this.counters = counters;
    this.scheduler = scheduler;
  }

  synchronized void keepAlive(String key, byte[] value, Duration ttl) {
    long ttlSeconds = Math.max(1, (ttl.toMillis() + 999) / 1000);
    counters.roundTrips.incrementAndGet();
    long lease =
        EtcdCalls.await(leaseClient.grant(ttlSeconds), config.timeout(), "grant a lease for " + key)
            .getID();
    try {
      casPut(key, value, lease);
    } catch (RuntimeException e) {
      leaseClient.revoke(lease);
      throw e;
    }
    CloseableClient stream =
        leaseClient.keepAlive(
            lease,
            new StreamObserver<>() {
              @Override
              public void onNext(LeaseKeepAliveResponse r) {}

              @Override
              public void onError(Throwable t) {
                reestablish(key, value, ttl, lease);
              }

              @Override
              public void onCompleted() {
                reestablish(key, value, ttl, lease);
              }
            });
    Held old = held.put(key, new Held(lease, stream));
    if (old != null) {
      old.keepAlive.close();
      leaseClient.revoke(old.leaseId); // the key is attached to the new lease already
    }
  }

  /** Puts {@code key} attached to {@code lease}, conditional on the revision just read. */
  private void casPut(String key, byte[] value, long lease) {
    ByteSequence k = keys.full(key);
    for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
      counters.roundTrips.incrementAndGet();
      GetResponse cur = EtcdCalls.await(kv.get(k), config.timeout(), "read " + key);
      Cmp cmp =
          cur.getKvs().isEmpty()
              ? new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0))
              : new Cmp(
                  k, Cmp.Op.EQUAL, CmpTarget.modRevision(cur.getKvs().get(0).getModRevision()));
      counters.roundTrips.incrementAndGet();
      TxnResponse r =
          EtcdCalls.await(
              kv.txn()
                  .If(cmp)
                  .Then(
                      Op.put(
                          k,
                          ByteSequence.from(value),
                          PutOption.builder().withLeaseId(lease).build()))
                  .commit(),
              config.timeout(),
              "write " + key);
      if (r.isSucceeded()) {
        return;
      }
    }
    throw new StoreConflictException(
        "liveness key " + key + " kept changing under concurrent writers");
  }

  private void reestablish(String key, byte[] value, Duration ttl, long lease) {
    Held h = held.get(key);
    if (closed || h == null || h.leaseId != lease) {
      return;
    }
    try {
      scheduler.schedule(
          () -> {
            try {
              if (!closed && held.get(key) != null && held.get(key).leaseId == lease) {
                keepAlive(key, value, ttl);
              }
            } catch (RuntimeException e) {
              reestablish(key, value, ttl, lease);
            }
          },
          1,
          TimeUnit.SECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // the store is closing
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (Held h : held.values()) {
      h.keepAlive.close();
      try {
        leaseClient.revoke(h.leaseId).get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception ignored) {
        // the TTL removes the key anyway
      }
    }
    held.clear();
  }
}
