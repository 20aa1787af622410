package org.clusteripam.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.GetResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.clusteripam.core.store.StoreConflictException;
import org.clusteripam.core.store.StoreUnavailableException;
import org.clusteripam.testkit.etcd.EtcdExtension;
import org.clusteripam.testkit.store.StateStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * etcd-specific behaviour: round trips, group commit, prefix, leases, unavailability, conflicts.
 */
class EtcdStateStoreTest {
  @RegisterExtension static final EtcdExtension etcd = new EtcdExtension();
  private static Client raw;
  private static final AtomicInteger PREFIXES = new AtomicInteger();

  @BeforeAll
  static void connectRaw() {
    raw = Client.builder().endpoints(etcd.endpoint()).build();
  }

  @AfterAll
  static void closeRaw() {
    if (raw != null) {
      raw.close();
    }
  }

  private static EtcdStoreConfig config() {
    return EtcdStoreConfig.of(etcd.endpoint()).withPrefix("/t" + PREFIXES.incrementAndGet() + "/");
  }

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  private static String rawGet(String fullKey) throws Exception {
    GetResponse r =
        raw.getKVClient().get(ByteSequence.from(fullKey, UTF_8)).get(5, TimeUnit.SECONDS);
    return r.getKvs().isEmpty() ? null : r.getKvs().get(0).getValue().toString(UTF_8);
  }

  private static void increment(EtcdStateStore s, String key) {
    StateStoreContract.increment(s, key);
  }

  @Test
  void keysLiveUnderTheConfiguredPrefix() throws Exception {
    EtcdStoreConfig c = config();
    try (EtcdStateStore s = EtcdStateStore.connect(c)) {
      StateStoreContract.put(s, "pools/p1", "x");
      assertThat(rawGet(c.prefix() + "pools/p1")).isEqualTo("x");
      assertThat(rawGet("pools/p1")).isNull();
    }
  }

  /**
   * Two hosts create the same key at once: the one that loses commits, in the same round trip, what
   * it does when it finds the peer's value (the nested transaction of the else-branch), with no
   * conflict counted and no retry; a value other than the presumed one is an ordinary conflict.
   */
  @Test
  void losingACreationRaceToThePresumedValueCommitsTheAlternativeInTheSameRoundTrip()
      throws Exception {
    EtcdStoreConfig c = config();
    try (EtcdStateStore s = EtcdStateStore.connect(c)) {
      AtomicInteger runs = new AtomicInteger();
      EtcdStoreStats before = s.stats();
      String got =
          s.transact(
              "create or join",
              v -> {
                boolean found = v.get("pool").isPresent();
                if (runs.incrementAndGet() == 1) {
                  // a peer creates the record right after this run read it as absent
                  raw.getKVClient()
                      .put(
                          ByteSequence.from(c.prefix() + "pool", UTF_8),
                          ByteSequence.from("same", UTF_8))
                      .join();
                }
                if (found) {
                  v.put("holders/me", b("joined"));
                  return "joined " + new String(v.get("pool").get(), UTF_8);
                }
                v.put("pool", b("same"));
                v.put("holders/me", b("created"));
                return "created";
              },
              java.util.Map.of("pool", b("same")));
      EtcdStoreStats d = s.stats().minus(before);
      assertThat(got).isEqualTo("joined same");
      assertThat(rawGet(c.prefix() + "holders/me")).isEqualTo("joined");
      assertThat(d.conflicts()).isZero();
      assertThat(d.roundTrips()).isEqualTo(1);

      // the peer wrote something else: an ordinary conflict, then a re-run on the fresh value
      AtomicInteger again = new AtomicInteger();
      before = s.stats();
      String other =
          s.transact(
              "create or join",
              v -> {
                boolean found = v.get("pool2").isPresent();
                if (again.incrementAndGet() == 1) {
                  raw.getKVClient()
                      .put(
                          ByteSequence.from(c.prefix() + "pool2", UTF_8),
                          ByteSequence.from("different", UTF_8))
                      .join();
                }
                if (found) {
                  return "found " + new String(v.get("pool2").get(), UTF_8);
                }
                v.put("pool2", b("same"));
                return "created";
              },
              java.util.Map.of("pool2", b("same")));
      assertThat(other).isEqualTo("found different");
      assertThat(s.stats().minus(before).conflicts()).isEqualTo(1);
    }
  }

  @Test
  void anUncontendedTransactionCostsOneRoundTrip() {
    try (EtcdStateStore s = EtcdStateStore.connect(config())) {
      StateStoreContract.put(s, "a", "1");
      EtcdStoreStats before = s.stats();
      increment(s, "a");
      s.transact(
          "read-modify-write two keys",
          v -> {
            v.put("b", v.get("a").orElseThrow());
            return null;
          });
      EtcdStoreStats d = s.stats().minus(before);
      assertThat(d.roundTrips()).isEqualTo(2);
      assertThat(d.conflicts()).isZero();
    }
  }

  @Test
  void bytesWrittenCountKeyWithPrefixPlusValueOfCommittedPutsOnly() {
    EtcdStoreConfig c = config();
    try (EtcdStateStore s = EtcdStateStore.connect(c)) {
      EtcdStoreStats before = s.stats();
      s.transact(
          "two puts",
          v -> {
            v.put("k1", b("abc"));
            v.put("key2", b("defgh"));
            return null;
          });
      s.transact(
          "a delete",
          v -> {
            v.delete("k1");
            return null;
          });
      assertThatThrownBy(
              () ->
                  s.transact(
                      "throws",
                      v -> {
                        v.put("k3", b("never"));
                        throw new IllegalStateException("no");
                      }))
          .isInstanceOf(IllegalStateException.class);
      int prefix = c.prefix().length();
      assertThat(s.stats().minus(before).bytesWritten())
          .isEqualTo((prefix + 2 + 3) + (prefix + 4 + 5));
    }
  }

  @Test
  void concurrentTransactionsAreGroupCommittedInBoundedBatches() throws Exception {
    try (EtcdStateStore s = EtcdStateStore.connect(config().withMaxBatchOps(32))) {
      int callers = 200;
      ExecutorService pool = Executors.newFixedThreadPool(64);
      try {
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
          String key = "own/" + i;
          fs.add(pool.submit(() -> increment(s, key)));
        }
        for (Future<?> f : fs) {
          f.get(30, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      EtcdStoreStats st = s.stats();
      assertThat(st.transacts()).isEqualTo(callers);
      assertThat(st.etcdTxns()).isLessThan(callers);
      assertThat(st.largestBatch()).isGreaterThan(1).isLessThanOrEqualTo(32);
      assertThat(s.list("own/")).hasSize(callers);
    }
  }

  @Test
  void aThrowingTransactionInABatchFailsAloneAndItsNeighboursCommit() throws Exception {
    try (EtcdStateStore s = EtcdStateStore.connect(config())) {
      int callers = 60;
      ExecutorService pool = Executors.newFixedThreadPool(callers);
      List<CompletableFuture<Integer>> fs = new ArrayList<>();
      try {
        for (int i = 0; i < callers; i++) {
          int id = i;
          fs.add(
              CompletableFuture.supplyAsync(
                  () ->
                      s.transact(
                          "t" + id,
                          v -> {
                            v.put("k/" + id, b("v"));
                            if (id % 3 == 0) {
                              throw new IllegalArgumentException("refused " + id);
                            }
                            return id;
                          }),
                  pool));
        }
        for (int i = 0; i < callers; i++) {
          int id = i;
          if (id % 3 == 0) {
            assertThatThrownBy(() -> fs.get(id).join()).hasRootCauseMessage("refused " + id);
          } else {
            assertThat(fs.get(id).join()).isEqualTo(id);
          }
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(s.list("k/")).hasSize(callers - callers / 3);
      assertThat(s.list("k/")).doesNotContainKey("k/0");
    }
  }

  @Test
  void aStaleCacheOnlyCostsARetry() throws Exception {
    EtcdStoreConfig c = config();
    try (EtcdStateStore s = EtcdStateStore.connect(c)) {
      StateStoreContract.put(s, "n", "1");
      // change the key behind the store's back and read it before the watch can deliver
      raw.getKVClient()
          .put(ByteSequence.from(c.prefix() + "n", UTF_8), ByteSequence.from("41", UTF_8))
          .get(5, TimeUnit.SECONDS);
      increment(s, "n");
      assertThat(rawGet(c.prefix() + "n")).isEqualTo("42");
    }
  }

  @Test
  void endlessConflictsEndInAClearConflictError() {
    EtcdStoreConfig c = config().withMaxAttempts(3);
    try (EtcdStateStore a = EtcdStateStore.connect(c);
        EtcdStateStore b = EtcdStateStore.connect(c)) {
      StateStoreContract.put(a, "hot", "0");
      AtomicInteger runs = new AtomicInteger();
      assertThatThrownBy(
              () ->
                  a.transact(
                      "allocate",
                      v -> {
                        v.get("hot");
                        runs.incrementAndGet();
                        increment(b, "hot"); // someone else always wins
                        v.put("hot", b("mine"));
                        return null;
                      }))
          .isInstanceOf(StoreConflictException.class)
          .hasMessageContaining("allocate")
          .hasMessageContaining("3 attempts");
      assertThat(runs.get()).isEqualTo(3);
      assertThat(StateStoreContract.read(a, "hot")).contains("3");
    }
  }

  @Test
  void keepAliveKeysAreRenewedAndVanishWhenTheirOwnerCloses() throws Exception {
    EtcdStoreConfig c = config();
    try (EtcdStateStore observer = EtcdStateStore.connect(c)) {
      EtcdStateStore host = EtcdStateStore.connect(c);
      try {
        host.keepAlive("hosts/h1", b("alive"), Duration.ofSeconds(1));
        Thread.sleep(2500); // longer than the TTL: only renewal keeps it
        assertThat(StateStoreContract.read(observer, "hosts/h1")).contains("alive");
        GetResponse r =
            raw.getKVClient()
                .get(ByteSequence.from(c.prefix() + "hosts/h1", UTF_8))
                .get(5, TimeUnit.SECONDS);
        assertThat(r.getKvs().get(0).getLease()).isNotZero();
      } finally {
        host.close();
      }
      StateStoreContract.awaitTrue(() -> StateStoreContract.read(observer, "hosts/h1").isEmpty());
    }
  }

  @Test
  void anUnreachableEtcdFailsWithinTheTimeoutAndWritesNothingThenRecovers() throws Exception {
    EtcdStoreConfig c = config().withTimeout(Duration.ofSeconds(1));
    try (EtcdStateStore s = EtcdStateStore.connect(c)) {
      StateStoreContract.put(s, "before", "1");
      etcd.kill();
      try {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> StateStoreContract.put(s, "during", "x"))
            .isInstanceOf(StoreUnavailableException.class)
            .hasMessageContaining("etcd");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(ms).isLessThan(3500);
        assertThatThrownBy(() -> s.list("")).isInstanceOf(StoreUnavailableException.class);
      } finally {
        etcd.restart();
      }
      // after a kill the txn may or may not have landed; here it never reached a live etcd
      assertThat(rawGet(c.prefix() + "during")).isNull();
      StateStoreContract.awaitTrue(
          () -> {
            try {
              StateStoreContract.put(s, "after", "2");
              return true;
            } catch (StoreUnavailableException e) {
              return false;
            }
          });
      assertThat(StateStoreContract.read(s, "before")).contains("1");
      assertThat(StateStoreContract.read(s, "after")).contains("2");
    }
  }

  @Test
  void aClosedStoreRefusesWorkClearly() {
    EtcdStateStore s = EtcdStateStore.connect(config());
    StateStoreContract.put(s, "a", "1");
    s.close();
    assertThatThrownBy(() -> StateStoreContract.put(s, "a", "2")).hasMessageContaining("is closed");
    assertThatThrownBy(() -> s.peek("a")).hasMessageContaining("is closed");
  }

  @Test
  void connectingToNothingIsAClearUnavailableError() {
    long t0 = System.nanoTime();
    assertThatThrownBy(
            () ->
                EtcdStateStore.connect(
                    EtcdStoreConfig.of("http://127.0.0.1:1").withTimeout(Duration.ofMillis(800))))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("/cluster-ipam/");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(5000);
  }

  @Test
  void badConfigurationIsRefusedClearly() {
    assertThatThrownBy(() -> EtcdStoreConfig.of("localhost:2379"))
        .hasMessageContaining("http://HOST:PORT");
    assertThatThrownBy(() -> EtcdStoreConfig.of("http://127.0.0.1:2379").withPrefix("no-slash"))
        .hasMessageContaining("ending in '/'");
    assertThatThrownBy(
            () ->
                EtcdStoreConfig.of("http://127.0.0.1:2379")
                    .withTls(java.nio.file.Path.of("/nonexistent/ca.pem"), null, null))
        .hasMessageContaining("/nonexistent/ca.pem");
    assertThat(EtcdStoreConfig.of("http://127.0.0.1:2379").withAuth("root", "secret").toString())
        .doesNotContain("secret");
  }
}
