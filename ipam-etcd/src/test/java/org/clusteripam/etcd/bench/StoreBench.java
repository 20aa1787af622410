package org.clusteripam.etcd.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.DriverIpam;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.etcd.EtcdStateStore;
import org.clusteripam.etcd.EtcdStoreConfig;
import org.clusteripam.etcd.EtcdStoreStats;
import org.clusteripam.testkit.etcd.EtcdProcess;

/**
 * Allocations per second through the core engine on {@link EtcdStateStore} with 1, 16 and 64
 * requests in flight, side by side with the raw etcd single-key CAS transaction rate measured in
 * the same run against the same etcd. Starts its own etcd. Not a test: run it by hand (see
 * docs/bench/ipam-etcd.md).
 *
 * <p>Arguments: {@code [seconds-per-point]} (default 5).
 */
public final class StoreBench {
  private static final int[] CONCURRENCY = {1, 16, 64};

  public static void main(String[] args) throws Exception {
    long millis = (args.length > 0 ? Long.parseLong(args[0]) : 5) * 1000;
    try (EtcdProcess etcd = EtcdProcess.start()) {
      System.out.printf(
          "etcd %s, %d cores, %s s per point%n",
          etcd.endpoint(), Runtime.getRuntime().availableProcessors(), millis / 1000);
      // JIT warm-up of jetcd, the store and the engine; not reported
      rawCas(etcd.endpoint(), 16, millis);
      allocations(etcd.endpoint(), 16, 2 * millis, 8);
      System.out.println(
          "| in flight | held/worker | raw CAS txn/s | raw p50 ms | raw p99 ms | allocations/s | alloc p50 ms | alloc p99 ms | ratio "
              + "| etcd round trips/alloc | committer µs in Txn functions/alloc | store-only txn/s | store-only p50 ms | store-only p99 ms |");
      System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
      for (int keep : new int[] {8, 1}) {
        for (int c : CONCURRENCY) {
          ConcurrentLoad.Result raw = rawCas(etcd.endpoint(), c, millis);
          Measured alloc = allocations(etcd.endpoint(), c, millis, keep);
          Measured bare = storeOnly(etcd.endpoint(), c, millis);
          System.out.printf(
              "| %d | %d | %.0f | %.2f | %.2f | %.0f | %.2f | %.2f | %.2f | %.3f | %.0f | %.0f | %.2f | %.2f |%n",
              c,
              keep,
              raw.perSecond(),
              raw.p50Millis(),
              raw.p99Millis(),
              alloc.result.perSecond(),
              alloc.result.p50Millis(),
              alloc.result.p99Millis(),
              alloc.result.perSecond() / raw.perSecond(),
              (double) alloc.stats.roundTrips() / alloc.result.ops(),
              alloc.stats.functionNanos() / 1e3 / alloc.result.ops(),
              bare.result.perSecond(),
              bare.result.p50Millis(),
              bare.result.p99Millis());
          if (raw.errors() + alloc.result.errors() + bare.result.errors() > 0) {
            System.out.printf(
                "  (errors: raw %d, alloc %d, store-only %d)%n",
                raw.errors(), alloc.result.errors(), bare.result.errors());
          }
        }
      }
    }
  }

  /** Each worker CASes its own key: If(mod_revision == last) Then(put). One round trip per txn. */
  static ConcurrentLoad.Result rawCas(String endpoint, int concurrency, long millis)
      throws Exception {
    try (Client client = Client.builder().endpoints(endpoint).build()) {
      KV kv = client.getKVClient();
      long[] lastMod = new long[concurrency];
      String run = "/bench-raw-" + System.nanoTime() + "/";
      return ConcurrentLoad.run(
          concurrency,
          millis,
          (w, i) -> {
            ByteSequence k = ByteSequence.from(run + w, UTF_8);
            Cmp cmp =
                lastMod[w] == 0
                    ? new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0))
                    : new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(lastMod[w]));
            TxnResponse r =
                kv.txn()
                    .If(cmp)
                    .Then(Op.put(k, ByteSequence.from(Long.toString(i), UTF_8), PutOption.DEFAULT))
                    .commit()
                    .get(10, TimeUnit.SECONDS);
            if (!r.isSucceeded()) {
              throw new IllegalStateException("raw CAS conflict on a private key");
            }
            lastMod[w] = r.getHeader().getRevision();
          });
    }
  }

  record Measured(ConcurrentLoad.Result result, EtcdStoreStats stats) {}

  /**
   * One host allocating through the core engine ({@link DriverIpam}) on a /16 pool it owns. One
   * measured operation = one RequestAddress plus, once the worker holds {@code keep} addresses, one
   * ReleaseAddress of its oldest: the steady state of containers coming and going. Both are counted
   * in the latency and in the round trips, so the figures are per allocation, release included.
   */
  static Measured allocations(String endpoint, int concurrency, long millis, int keep)
      throws Exception {
    EtcdStoreConfig config =
        EtcdStoreConfig.of(endpoint).withPrefix("/bench-alloc-" + System.nanoTime() + "/");
    try (EtcdStateStore store = EtcdStateStore.connect(config)) {
      HostId host = new HostId("bench-host");
      DriverIpam ipam = IpamEngine.open(store, IpamConfig.defaults(), Clock.systemUTC()).driver();
      PoolId pool =
          ipam.requestPool(
                  new PoolRequest(
                      host,
                      ipam.addressSpaces().local(),
                      Optional.of(IpPrefix.parse("10.77.0.0/16")),
                      Optional.empty(),
                      Map.of(),
                      false))
              .id();
      List<ArrayDeque<IpAddress>> held = new ArrayList<>();
      for (int w = 0; w < concurrency; w++) {
        held.add(new ArrayDeque<>());
      }
      EtcdStoreStats before = store.stats();
      ConcurrentLoad.Result r =
          ConcurrentLoad.run(
              concurrency,
              millis,
              (w, i) -> {
                ArrayDeque<IpAddress> mine = held.get(w);
                mine.add(
                    ipam.requestAddress(
                            new AddressRequest(
                                host, pool, Optional.empty(), AddressKind.ENDPOINT, Map.of()))
                        .address());
                if (mine.size() > keep) {
                  ipam.releaseAddress(host, pool, mine.poll());
                }
              });
      return new Measured(r, store.stats().minus(before));
    }
  }

  /**
   * The store without the engine: each request takes the lowest free slot of one of 4 block keys (a
   * 256-bit bitmap each) and frees the slot its worker held before, in one transaction.
   */
  static Measured storeOnly(String endpoint, int concurrency, long millis) throws Exception {
    EtcdStoreConfig config =
        EtcdStoreConfig.of(endpoint).withPrefix("/bench-store-" + System.nanoTime() + "/");
    try (EtcdStateStore store = EtcdStateStore.connect(config)) {
      int[] held = new int[concurrency];
      java.util.Arrays.fill(held, -1);
      EtcdStoreStats before = store.stats();
      ConcurrentLoad.Result r =
          ConcurrentLoad.run(
              concurrency,
              millis,
              (w, i) -> {
                String block = "blocks/b" + (w % 4);
                int prev = held[w];
                held[w] =
                    store.transact(
                        "allocate",
                        v -> {
                          java.util.BitSet bits =
                              v.get(block)
                                  .map(java.util.BitSet::valueOf)
                                  .orElseGet(java.util.BitSet::new);
                          if (prev >= 0) {
                            bits.clear(prev);
                          }
                          int slot = bits.nextClearBit(0);
                          bits.set(slot);
                          v.put(block, bits.toByteArray());
                          return slot;
                        });
              });
      return new Measured(r, store.stats().minus(before));
    }
  }

  private StoreBench() {}
}
