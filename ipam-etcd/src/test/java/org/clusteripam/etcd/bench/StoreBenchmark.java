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
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import org.clusteripam.etcd.EtcdProcess;
import org.clusteripam.etcd.EtcdStateStore;
import org.clusteripam.etcd.EtcdStoreConfig;
import org.clusteripam.etcd.EtcdStoreStats;

/**
 * Allocations per second through {@link EtcdStateStore} with 1, 16 and 64 requests in flight, side by
 * side with the raw etcd single-key CAS transaction rate measured in the same run against the same
 * etcd. Starts its own etcd. Not a test: run it by hand (see docs/bench/ipam-etcd.md).
 *
 * <p>Arguments: {@code [seconds-per-point]} (default 5).
 */
public final class StoreBenchmark {
  private static final int[] CONCURRENCY = {1, 16, 64};

  public static void main(String[] args) throws Exception {
    long millis = (args.length > 0 ? Long.parseLong(args[0]) : 5) * 1000;
    try (EtcdProcess etcd = EtcdProcess.start()) {
      System.out.printf("etcd %s, %d cores, %s s per point%n", etcd.endpoint(), Runtime.getRuntime().availableProcessors(), millis / 1000);
      System.out.println("| in flight | raw CAS txn/s | raw p50 ms | raw p99 ms | allocations/s | alloc p50 ms | alloc p99 ms | ratio | etcd round trips/alloc | txns/alloc |");
      System.out.println("|---|---|---|---|---|---|---|---|---|---|");
      for (int c : CONCURRENCY) {
        LoadRun.Result raw = rawCas(etcd.endpoint(), c, millis);
        Measured alloc = allocations(etcd.endpoint(), c, millis);
        System.out.printf("| %d | %.0f | %.2f | %.2f | %.0f | %.2f | %.2f | %.2f | %.3f | %.3f |%n", c, raw.perSecond(), raw.p50Millis(),
            raw.p99Millis(), alloc.result.perSecond(), alloc.result.p50Millis(), alloc.result.p99Millis(),
            alloc.result.perSecond() / raw.perSecond(), (double) alloc.stats.roundTrips() / alloc.result.ops(),
            (double) alloc.stats.etcdTxns() / alloc.result.ops());
        if (raw.errors() + alloc.result.errors() > 0) {
          System.out.printf("  (errors: raw %d, alloc %d)%n", raw.errors(), alloc.result.errors());
        }
      }
    }
  }

  /** Each worker CASes its own key: If(mod_revision == last) Then(put). One round trip per txn. */
  static LoadRun.Result rawCas(String endpoint, int concurrency, long millis) throws Exception {
    try (Client client = Client.builder().endpoints(endpoint).build()) {
      KV kv = client.getKVClient();
      long[] lastMod = new long[concurrency];
      String run = "/bench-raw-" + System.nanoTime() + "/";
      return LoadRun.run(concurrency, millis, (w, i) -> {
        ByteSequence k = ByteSequence.from(run + w, UTF_8);
        Cmp cmp = lastMod[w] == 0 ? new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0)) : new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(lastMod[w]));
        TxnResponse r = kv.txn().If(cmp).Then(Op.put(k, ByteSequence.from(Long.toString(i), UTF_8), PutOption.DEFAULT)).commit()
            .get(10, TimeUnit.SECONDS);
        if (!r.isSucceeded()) {
          throw new IllegalStateException("raw CAS conflict on a private key");
        }
        lastMod[w] = r.getHeader().getRevision();
      });
    }
  }

  record Measured(LoadRun.Result result, EtcdStoreStats stats) {}

  /**
   * One host allocating addresses: each request takes the lowest free slot of one of the host's 4
   * blocks (a 256-bit bitmap per block key) and frees the one its worker held before, in one
   * transaction, as the engine's hot path does on a block it owns.
   */
  static Measured allocations(String endpoint, int concurrency, long millis) throws Exception {
    EtcdStoreConfig config = EtcdStoreConfig.of(endpoint).withPrefix("/bench-alloc-" + System.nanoTime() + "/");
    try (EtcdStateStore store = EtcdStateStore.connect(config)) {
      int[] held = new int[concurrency];
      java.util.Arrays.fill(held, -1);
      EtcdStoreStats before = store.stats();
      LoadRun.Result r = LoadRun.run(concurrency, millis, (w, i) -> {
        String block = "blocks/b" + (w % 4);
        int prev = held[w];
        held[w] = store.transact("allocate", v -> {
          BitSet bits = v.get(block).map(BitSet::valueOf).orElseGet(BitSet::new);
          if (prev >= 0) {
            bits.clear(prev);
          }
          int slot = bits.nextClearBit(0);
          if (slot >= 256) {
            throw new IllegalStateException("block full");
          }
          bits.set(slot);
          v.put(block, bits.toByteArray());
          return slot;
        });
      });
      return new Measured(r, store.stats().minus(before));
    }
  }

  private StoreBenchmark() {}
}
