package org.clusteripam.testkit.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.Versioned;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The behaviour every {@link StateStore} must have; one subclass per implementation. */
public abstract class StateStoreContract {
  private StoreBacking backing;
  private final List<StateStore> opened = new ArrayList<>();

  /** A fresh, empty backing. */
  protected abstract StoreBacking newBacking();

  @BeforeEach
  void createBacking() {
    backing = newBacking();
  }

  @AfterEach
  void closeBacking() {
    opened.forEach(StateStore::close);
    backing.close();
  }

  protected StateStore open() {
    StateStore s = backing.open();
    opened.add(s);
    return s;
  }

  protected StoreBacking backing() {
    return backing;
  }

  public static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  public static String s(byte[] b) {
    return new String(b, UTF_8);
  }

  public static Optional<String> read(StateStore store, String key) {
    return store.transact("read", v -> v.get(key).map(StateStoreContract::s));
  }

  public static void put(StateStore store, String key, String value) {
    store.transact(
        "put",
        v -> {
          v.put(key, b(value));
          return null;
        });
  }

  public static int increment(StateStore store, String key) {
    return store.transact(
        "increment",
        v -> {
          int n = v.get(key).map(x -> Integer.parseInt(s(x))).orElse(0) + 1;
          v.put(key, b(Integer.toString(n)));
          return n;
        });
  }

  @Test
  void committedWritesAreReadBackWithTheirRevision() {
    StateStore store = open();
    long before = store.revision();
    put(store, "pools/a", "1");
    long after = store.revision();
    assertThat(after).isGreaterThan(before);
    assertThat(read(store, "pools/a")).contains("1");
    Versioned v = store.list("pools/").get("pools/a");
    assertThat(s(v.value())).isEqualTo("1");
    assertThat(v.modRevision()).isGreaterThan(before).isLessThanOrEqualTo(after);
  }

  @Test
  void aTransactionSeesItsOwnWritesAndDeletes() {
    StateStore store = open();
    put(store, "k/1", "one");
    String seen =
        store.transact(
            "mixed",
            v -> {
              v.put("k/2", b("two"));
              v.delete("k/1");
              SortedMap<String, byte[]> l = v.list("k/");
              return v.get("k/1").isPresent()
                  + " "
                  + s(v.get("k/2").orElseThrow())
                  + " "
                  + l.keySet();
            });
    assertThat(seen).isEqualTo("false two [k/2]");
    assertThat(store.list("k/").keySet()).containsExactly("k/2");
  }

  @Test
  void aTransactionThatThrowsWritesNothingAndItsExceptionPropagates() {
    StateStore store = open();
    put(store, "a", "1");
    long rev = store.revision();
    IllegalStateException boom = new IllegalStateException("boom");
    assertThatThrownBy(
            () ->
                store.transact(
                    "failing",
                    v -> {
                      v.put("a", b("2"));
                      v.put("b", b("3"));
                      throw boom;
                    }))
        .isSameAs(boom);
    assertThat(read(store, "a")).contains("1");
    assertThat(read(store, "b")).isEmpty();
    assertThat(store.revision()).isEqualTo(rev);
  }

  @Test
  void invalidKeysAreRefusedAndNothingIsWritten() {
    StateStore store = open();
    for (String bad : new String[] {"", "has space", "caf\u00e9", "tab\tkey"}) {
      assertThatThrownBy(
              () ->
                  store.transact(
                      "bad",
                      v -> {
                        v.put("good", b("x"));
                        v.put(bad, b("y"));
                        return null;
                      }))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("key");
    }
    assertThat(store.list("")).isEmpty();
  }

  @Test
  void listReturnsOnlyThePrefixSorted() {
    StateStore store = open();
    store.transact(
        "fill",
        v -> {
          v.put("pools/b", b("2"));
          v.put("pools/a", b("1"));
          v.put("poolsx", b("no"));
          v.put("hosts/h1", b("h"));
          return null;
        });
    assertThat(store.list("pools/").keySet()).containsExactly("pools/a", "pools/b");
    assertThat(store.list("").keySet()).containsExactly("hosts/h1", "pools/a", "pools/b", "poolsx");
    assertThat(store.list("nothing/")).isEmpty();
  }

  @Test
  void aSnapshotHoldsEveryTransactionAtOrBeforeItsRevisionEntirelyAndNoLaterOne() throws Exception {
    StateStore writer = open();
    StateStore reader = backing().independentInstances() ? open() : writer;
    // more than one page of a paged range read: "race/a" and "race/z" land in different pages
    int fillers = 600;
    for (int i = 0; i < fillers; i += 100) {
      int from = i;
      writer.transact(
          "fill",
          v -> {
            for (int j = from; j < Math.min(fillers, from + 100); j++) {
              v.put(String.format(java.util.Locale.ROOT, "race/m/%04d", j), b("f"));
            }
            return null;
          });
    }
    // generation g -> the revision its transaction committed at
    List<Long> committedAt = new CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean done =
        new java.util.concurrent.atomic.AtomicBoolean();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<?> writes =
          pool.submit(
              () -> {
                for (int g = 0; g == 0 || !done.get(); g++) {
                  String value = Integer.toString(g);
                  writer.transact(
                      "generation",
                      v -> {
                        v.put("race/a", b(value));
                        v.put("race/z", b(value));
                        return null;
                      });
                  committedAt.add(writer.list("race/a").get("race/a").modRevision());
                }
              });
      List<org.clusteripam.core.store.StoreSnapshot> seen = new ArrayList<>();
      java.util.Set<String> generations = new java.util.HashSet<>();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while ((seen.size() < 10 || generations.size() < 3) && System.nanoTime() < end) {
        org.clusteripam.core.store.StoreSnapshot snap = reader.snapshot("race/");
        seen.add(snap);
        if (snap.entries().containsKey("race/a")) {
          generations.add(s(snap.entries().get("race/a").value()));
        }
      }
      done.set(true);
      writes.get(60, TimeUnit.SECONDS);
      assertThat(generations)
          .as("generations the snapshots saw while the writes ran")
          .hasSizeGreaterThanOrEqualTo(3);
      for (org.clusteripam.core.store.StoreSnapshot snap : seen) {
        SortedMap<String, Versioned> e = snap.entries();
        assertThat(snap.under("race/m/")).hasSize(fillers);
        assertThat(e.values())
            .allSatisfy(x -> assertThat(x.modRevision()).isLessThanOrEqualTo(snap.revision()));
        if (!e.containsKey("race/a")) {
          assertThat(e).doesNotContainKey("race/z");
          assertThat(snap.revision()).isLessThan(committedAt.get(0));
          continue;
        }
        String ga = s(e.get("race/a").value());
        assertThat(s(e.get("race/z").value()))
            .as("both keys of one transaction, at revision " + snap.revision())
            .isEqualTo(ga);
        int g = Integer.parseInt(ga);
        assertThat(snap.revision())
            .as("revision of a snapshot holding generation " + g)
            .isGreaterThanOrEqualTo(committedAt.get(g));
        if (g + 1 < committedAt.size()) {
          assertThat(snap.revision())
              .as("revision of a snapshot without generation " + (g + 1))
              .isLessThan(committedAt.get(g + 1));
        }
      }
    } finally {
      done.set(true);
      pool.shutdownNow();
    }
  }

  @Test
  void peekSeesCommittedValues() throws Exception {
    StateStore store = open();
    put(store, "p/x", "v1");
    awaitTrue(() -> store.peek("p/x").map(v -> s(v.value()).equals("v1")).orElse(false));
    store.transact(
        "del",
        v -> {
          v.delete("p/x");
          return null;
        });
    awaitTrue(() -> store.peek("p/x").isEmpty());
  }

  @Test
  void concurrentIncrementsOnOneInstanceLoseNothing() throws Exception {
    StateStore store = open();
    int threads = 16;
    int each = 25;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String mine = "own/" + t;
        fs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < each; i++) {
                    increment(store, "shared");
                    increment(store, mine);
                  }
                }));
      }
      for (Future<?> f : fs) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(read(store, "shared")).contains(Integer.toString(threads * each));
    for (int t = 0; t < threads; t++) {
      assertThat(read(store, "own/" + t)).contains(Integer.toString(each));
    }
  }

  @Test
  void createIfAbsentSucceedsExactlyOnceAcrossConcurrentCallers() throws Exception {
    StateStore a = open();
    StateStore b = backing().independentInstances() ? open() : a;
    AtomicInteger winners = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        StateStore s = t % 2 == 0 ? a : b;
        String me = "t" + t;
        fs.add(
            pool.submit(
                () -> {
                  boolean won =
                      s.transact(
                          "claim",
                          v -> {
                            if (v.get("claim").isPresent()) {
                              return false;
                            }
                            v.put("claim", b(me));
                            return true;
                          });
                  if (won) {
                    winners.incrementAndGet();
                  }
                }));
      }
      for (Future<?> f : fs) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(winners.get()).isEqualTo(1);
  }

  @Test
  void twoInstancesOnOneBackingSerializeTheirTransactions() throws Exception {
    int rounds = 30;
    if (backing().independentInstances()) {
      StateStore a = open();
      StateStore b = open();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> fs = new ArrayList<>();
        for (StateStore s : List.of(a, b, a, b)) {
          fs.add(
              pool.submit(
                  () -> {
                    for (int i = 0; i < rounds; i++) {
                      increment(s, "counter");
                    }
                  }));
        }
        for (Future<?> f : fs) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(read(a, "counter")).contains(Integer.toString(4 * rounds));
      assertThat(read(b, "counter")).contains(Integer.toString(4 * rounds));
    } else {
      // Instances exclude each other: alternate them sequentially, closing each before the next.
      for (int i = 0; i < 6; i++) {
        StateStore s = backing().open();
        try {
          for (int j = 0; j < rounds; j++) {
            increment(s, "counter");
          }
        } finally {
          s.close();
        }
      }
      StateStore last = open();
      int expected = backing().durable() ? 6 * rounds : rounds;
      assertThat(read(last, "counter")).contains(Integer.toString(expected));
    }
  }

  @Test
  void scanSeesWhatListSeesIncludingOwnWrites() {
    StateStore store = open();
    store.transact(
        "fill",
        v -> {
          v.put("blocks/p/1", b("1"));
          v.put("blocks/p/2", b("2"));
          v.put("blocksx", b("no"));
          return null;
        });
    List<String> seen =
        store.transact(
            "scan",
            v -> {
              v.put("blocks/p/3", b("3"));
              v.delete("blocks/p/1");
              assertThat(v.scan("blocks/p/").keySet()).isEqualTo(v.list("blocks/p/").keySet());
              return List.copyOf(v.scan("blocks/p/").keySet());
            });
    assertThat(seen).containsExactly("blocks/p/2", "blocks/p/3");
  }

  @Test
  void aChangeOfAScannedKeyDoesNotMakeTheTransactionRunAgain() {
    if (!backing().independentInstances()) {
      return; // a single-writer store cannot interleave another instance inside a transaction
    }
    StateStore a = open();
    StateStore b = open();
    put(a, "holders/p/h2", "0");
    AtomicInteger runs = new AtomicInteger();
    a.transact(
        "scanning",
        v -> {
          assertThat(v.scan("holders/p/")).containsKey("holders/p/h2");
          if (runs.getAndIncrement() == 0) {
            put(b, "holders/p/h2", "changed"); // untracked: no compare for it in this commit
            put(b, "holders/p/h3", "new");
          }
          v.put("mine", b("1"));
          return null;
        });
    assertThat(runs.get()).isEqualTo(1);
    assertThat(read(b, "mine")).contains("1");
  }

  @Test
  void aWriteBetweenReadAndCommitMakesTheTransactionRunAgain() {
    if (!backing().independentInstances()) {
      return; // a single-writer store cannot interleave another instance inside a transaction
    }
    StateStore a = open();
    StateStore b = open();
    put(a, "x", "0");
    AtomicInteger runs = new AtomicInteger();
    int result =
        a.transact(
            "racy",
            v -> {
              int n = Integer.parseInt(s(v.get("x").orElseThrow()));
              if (runs.getAndIncrement() == 0) {
                increment(b, "x"); // another client changes x after we read it
              }
              v.put("x", b(Integer.toString(n + 10)));
              return n + 10;
            });
    assertThat(runs.get()).isGreaterThanOrEqualTo(2);
    assertThat(result).isEqualTo(11);
    assertThat(read(b, "x")).contains("11");
  }

  @Test
  void revisionsOnlyGrowAndSurviveReopening() {
    StateStore s = backing().open();
    long r0;
    try {
      put(s, "a", "1");
      r0 = s.revision();
      put(s, "a", "2");
      assertThat(s.revision()).isGreaterThan(r0);
      r0 = s.revision();
    } finally {
      s.close();
    }
    StateStore again = open();
    if (backing().durable()) {
      assertThat(again.revision()).isGreaterThanOrEqualTo(r0);
      assertThat(read(again, "a")).contains("2");
      put(again, "a", "3");
      assertThat(again.revision()).isGreaterThan(r0);
      assertThat(again.list("a").get("a").modRevision()).isGreaterThan(r0);
    }
  }

  @Test
  void watchReportsChangesUnderItsPrefixUntilClosed() throws Exception {
    StateStore store = open();
    StateStore other = backing().independentInstances() ? open() : store;
    List<String> seen = new CopyOnWriteArrayList<>();
    CountDownLatch two = new CountDownLatch(2);
    AutoCloseable w =
        store.watch(
            "blocks/",
            k -> {
              seen.add(k);
              two.countDown();
            });
    put(other, "blocks/1", "a");
    put(other, "hosts/1", "h");
    other.transact(
        "del",
        v -> {
          v.delete("blocks/1");
          return null;
        });
    assertThat(two.await(10, TimeUnit.SECONDS)).isTrue();
    w.close();
    put(other, "blocks/2", "late");
    Thread.sleep(300);
    assertThat(seen).containsOnly("blocks/1").hasSize(2);
  }

  @Test
  void keepAliveKeepsTheKeyAndReplacesItsValue() {
    StateStore store = open();
    store.keepAlive("hosts/h1/alive", b("v1"), Duration.ofSeconds(10));
    assertThat(read(store, "hosts/h1/alive")).contains("v1");
    store.keepAlive("hosts/h1/alive", b("v2"), Duration.ofSeconds(10));
    assertThat(read(store, "hosts/h1/alive")).contains("v2");
    assertThat(store.describe()).isNotBlank();
  }

  public static void awaitTrue(java.util.function.BooleanSupplier cond)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(10);
    }
  }
}
