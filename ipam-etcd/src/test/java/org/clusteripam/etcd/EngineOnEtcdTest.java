package org.clusteripam.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.StoreConflictException;
import org.clusteripam.core.store.StoreCorruptException;
import org.clusteripam.core.store.StoreException;
import org.clusteripam.testkit.etcd.EtcdExtension;
import org.clusteripam.testkit.store.StateStoreContract;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The core engine on real etcd: 4 simulated hosts (each its own etcd client) × 8 threads allocating
 * and releasing in one pool, with and without an etcd crash in the middle.
 */
class EngineOnEtcdTest {
  private static final int HOSTS = 4;
  private static final int THREADS = 8;
  @RegisterExtension static final EtcdExtension etcd = new EtcdExtension();
  private static final AtomicInteger PREFIXES = new AtomicInteger();

  @BeforeAll
  static void warmUp() {
    // load gRPC/Netty once, so the short-timeout stores below do not pay for class loading
    // (a generous timeout: on a loaded machine the first client has missed the default 5 s)
    EtcdStateStore.connect(
            EtcdStoreConfig.of(etcd.endpoint())
                .withPrefix("/warm-up/")
                .withTimeout(Duration.ofSeconds(30)))
        .close();
  }

  /** One simulated host: its own store (etcd client) and engine. */
  private record Host(HostId id, EtcdStateStore store, IpamEngine ipam) {}

  private static List<Host> hosts(EtcdStoreConfig config) {
    List<Host> hs = new ArrayList<>();
    for (int i = 1; i <= HOSTS; i++) {
      EtcdStateStore s = EtcdStateStore.connect(config);
      HostId id = new HostId("host" + i);
      hs.add(new Host(id, s, IpamEngine.open(s, IpamConfig.defaults(), Clock.systemUTC())));
    }
    return hs;
  }

  private static PoolId joinPool(List<Host> hs, IpPrefix subnet) {
    PoolId id = null;
    for (Host h : hs) {
      PoolGrant g =
          h.ipam
              .driver()
              .requestPool(
                  new PoolRequest(
                      h.id,
                      h.ipam.driver().addressSpaces().local(),
                      Optional.of(subnet),
                      Optional.empty(),
                      Map.of(),
                      false));
      if (id != null) {
        assertThat(g.id()).isEqualTo(id);
      }
      id = g.id();
    }
    POOLS.put(id, subnet);
    return id;
  }

  /**
   * What the test saw: who holds each address (by the replies), and the calls whose outcome is
   * unknown.
   */
  private static final class Ledger {
    final ConcurrentHashMap<IpAddress, String> holder = new ConcurrentHashMap<>();
    final List<String> duplicates = new java.util.concurrent.CopyOnWriteArrayList<>();
    final AtomicInteger allocations = new AtomicInteger();
    final AtomicInteger failedAllocations = new AtomicInteger();
    final AtomicInteger borrowedSeen = new AtomicInteger();
    final AtomicInteger conflictFailures = new AtomicInteger();
    final Map<String, Integer> failures = new ConcurrentHashMap<>();

    /** Addresses whose release failed with a store error: they may still be allocated. */
    final Map<IpAddress, String> uncertainReleases = new ConcurrentHashMap<>();
  }

  /**
   * Each thread keeps up to {@code maxHeld} addresses, allocating and releasing at random, until
   * {@code total} allocations.
   */
  private static void churn(
      List<Host> hs, PoolId pool, int total, int[] maxHeldPerHost, Ledger ledger, Runnable atHalf)
      throws Exception {
    ExecutorService ex = Executors.newFixedThreadPool(HOSTS * THREADS);
    AtomicBoolean halfDone = new AtomicBoolean();
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (Host h : hs) {
        int maxHeld = maxHeldPerHost[hs.indexOf(h)];
        for (int t = 0; t < THREADS; t++) {
          fs.add(
              ex.submit(
                  () -> {
                    List<IpAddress> mine = new ArrayList<>();
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    while (ledger.allocations.get() < total) {
                      if (mine.size() < maxHeld && (mine.isEmpty() || rnd.nextInt(3) > 0)) {
                        try {
                          IpAddress a =
                              h.ipam
                                  .driver()
                                  .requestAddress(
                                      new AddressRequest(
                                          h.id,
                                          pool,
                                          Optional.empty(),
                                          AddressKind.ENDPOINT,
                                          Map.of()))
                                  .address();
                          String prev = ledger.holder.putIfAbsent(a, h.id.value());
                          if (prev != null) {
                            ledger.duplicates.add(a + " held by " + prev + " and given to " + h.id);
                          }
                          mine.add(a);
                          if (ledger.allocations.incrementAndGet() == total / 2
                              && atHalf != null
                              && halfDone.compareAndSet(false, true)) {
                            atHalf.run();
                          }
                        } catch (StoreConflictException e) {
                          // definite: the compares failed, nothing was written
                          ledger.conflictFailures.incrementAndGet();
                          ledger.failures.merge(
                              e.getClass().getSimpleName()
                                  + ": "
                                  + e.getMessage().replaceAll("[0-9]+", "N"),
                              1,
                              Integer::sum);
                        } catch (StoreException e) {
                          ledger.failedAllocations.incrementAndGet();
                          ledger.failures.merge(
                              e.getClass().getSimpleName()
                                  + ": "
                                  + e.getMessage().replaceAll("[0-9]+", "N"),
                              1,
                              Integer::sum);
                          pause();
                        }
                      } else {
                        IpAddress a = mine.remove(rnd.nextInt(mine.size()));
                        // before the call: another host may get it as soon as it commits
                        ledger.holder.remove(a);
                        try {
                          h.ipam.driver().releaseAddress(h.id, pool, a);
                        } catch (StoreException e) {
                          ledger.uncertainReleases.put(a, h.id.value());
                          ledger.failures.merge(
                              "release " + e.getClass().getSimpleName(), 1, Integer::sum);
                          pause();
                        }
                      }
                    }
                  }));
        }
      }
      AtomicBoolean churnDone = new AtomicBoolean();
      Thread monitor =
          new Thread(
              () -> {
                // while the churn runs: snapshots of the state never show an address with two
                // holders
                while (!churnDone.get() && atHalf == null) {
                  try {
                    for (String[] hv : stateOf(hs.get(0), subnetOf(pool)).values()) {
                      if (hv[0].contains(",")) {
                        ledger.duplicates.add("state shows two holders: " + hv[0]);
                      }
                      if (!hv[0].equals(hv[1])) {
                        ledger.borrowedSeen.incrementAndGet();
                      }
                    }
                    Thread.sleep(200);
                  } catch (InterruptedException e) {
                    return;
                  } catch (RuntimeException e) {
                    ledger.duplicates.add("snapshot failed: " + e);
                  }
                }
              });
      monitor.start();
      try {
        for (Future<?> f : fs) {
          f.get(150, TimeUnit.SECONDS);
        }
      } finally {
        churnDone.set(true);
        monitor.join();
      }
    } finally {
      ex.shutdownNow();
    }
  }

  private static IpPrefix subnetOf(PoolId pool) {
    return POOLS.get(pool);
  }

  private static final Map<PoolId, IpPrefix> POOLS = new ConcurrentHashMap<>();

  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** State in etcd, address → (holders, block owner). */
  private static Map<IpAddress, String[]> stateOf(Host any, IpPrefix subnet) {
    Map<IpAddress, String[]> out = new HashMap<>();
    IpamQueries.PoolView pv =
        any.ipam.queries().snapshot().allPools().stream()
            .filter(p -> p.prefix().equals(subnet))
            .findFirst()
            .orElseThrow();
    for (IpamQueries.BlockView b : pv.blocks()) {
      for (IpamQueries.AddressView a : b.addresses()) {
        out.put(
            a.address(),
            new String[] {
              String.join(",", a.holders().stream().map(Holder::format).toList()),
              b.owner().map(Holder::format).orElse("")
            });
      }
    }
    return out;
  }

  /**
   * Releases are idempotent: repeat those that failed (conflict retries exhausted, or outcome
   * unknown), except addresses re-allocated since (a release names only host and address, so it
   * would free the new allocation).
   */
  private static void releaseAgain(List<Host> hs, PoolId pool, Ledger ledger) {
    Map<String, Host> byId = new HashMap<>();
    hs.forEach(h -> byId.put(h.id.value(), h));
    ledger.uncertainReleases.forEach(
        (a, id) -> {
          if (!ledger.holder.containsKey(a)) {
            byId.get(id).ipam.driver().releaseAddress(byId.get(id).id, pool, a);
          }
        });
  }

  /** Returns how many held addresses are borrowed (in a block another host owns). */
  private static int checkAgainstState(Host any, IpPrefix subnet, Ledger ledger, int maxUnknown) {
    assertThat(ledger.duplicates).as("addresses handed to two holders at once").isEmpty();
    Map<IpAddress, String[]> state = stateOf(any, subnet);
    int borrowed = 0;
    int unknown = 0;
    for (Map.Entry<IpAddress, String[]> e : state.entrySet()) {
      String holders = e.getValue()[0];
      String owner = e.getValue()[1];
      assertThat(holders).as("one holder for " + e.getKey()).doesNotContain(",");
      String expected = ledger.holder.get(e.getKey());
      if (expected == null) {
        // not held by any acknowledged reply: only an allocation or release whose outcome was
        // unknown
        unknown++;
        continue;
      }
      assertThat(holders).as("holder of " + e.getKey()).isEqualTo(expected);
      if (!owner.equals(holders)) {
        borrowed++; // in another host's block, recorded with its holder in that block
      }
    }
    // every acknowledged allocation still held is in the state: none lost
    for (Map.Entry<IpAddress, String> e : ledger.holder.entrySet()) {
      assertThat(state)
          .as("acknowledged " + e.getKey() + " of " + e.getValue())
          .containsKey(e.getKey());
    }
    assertThat(unknown)
        .as("allocations not explained by acknowledged replies")
        .isLessThanOrEqualTo(maxUnknown);
    System.out.printf(
        "state: %d addresses held, %d borrowed, %d from calls with unknown outcome%n",
        state.size(), borrowed, unknown);
    return borrowed;
  }

  @Test
  void fourHostsAllocateAndRelease20000AddressesWithoutDuplicatesOrLosses() throws Exception {
    EtcdStoreConfig config =
        EtcdStoreConfig.of(etcd.endpoint())
            .withPrefix("/engine-" + PREFIXES.incrementAndGet() + "/");
    List<Host> hs = hosts(config);
    try {
      // 8 blocks of /26; host1 wants up to 8 x 24 = 192 addresses (3+ blocks), the
      // others 8 x 12 = 96 each (2 blocks each): once every block is claimed host1 must borrow
      // from the others' blocks; 480 addresses fit in the 510 the pool has
      IpPrefix subnet = IpPrefix.parse("10.90.0.0/23");
      PoolId pool = joinPool(hs, subnet);
      Ledger ledger = new Ledger();
      churn(hs, pool, 20_000, new int[] {24, 12, 12, 12}, ledger, null);
      // A borrower racing a block's busy owner may run out of retries; that is a clean, definite
      // failure (checked below: nothing it could have written is unexplained), and must be rare.
      assertThat(ledger.failedAllocations.get())
          .as("unavailable errors without any fault")
          .isZero();
      assertThat(ledger.conflictFailures.get() + ledger.uncertainReleases.size())
          .as("conflict failures: " + ledger.failures)
          .isLessThan(200);
      releaseAgain(hs, pool, ledger);
      checkAgainstState(hs.get(0), subnet, ledger, 0);
      assertThat(ledger.borrowedSeen.get())
          .as("some allocations were borrowed from another host's block")
          .isPositive();
      long conflicts = hs.stream().mapToLong(h -> h.store.stats().conflicts()).sum();
      long txns = hs.stream().mapToLong(h -> h.store.stats().etcdTxns()).sum();
      long transacts = hs.stream().mapToLong(h -> h.store.stats().transacts()).sum();
      System.out.printf(
          "20000 allocations: %d transacts in %d etcd txns, %d conflicts, failed calls %s, %d borrowed seen%n",
          transacts, txns, conflicts, ledger.failures, ledger.borrowedSeen.get());
    } finally {
      hs.forEach(h -> h.store.close());
    }
  }

  @Test
  void anEtcdCrashInTheMiddleLosesNoAcknowledgedAllocation() throws Exception {
    EtcdStoreConfig config =
        EtcdStoreConfig.of(etcd.endpoint())
            .withPrefix("/engine-" + PREFIXES.incrementAndGet() + "/")
            .withTimeout(Duration.ofSeconds(2));
    List<Host> hs = hosts(config);
    try {
      IpPrefix subnet = IpPrefix.parse("10.91.0.0/20");
      PoolId pool = joinPool(hs, subnet);
      Ledger ledger = new Ledger();
      churn(
          hs,
          pool,
          6_000,
          new int[] {24, 24, 24, 24},
          ledger,
          () -> {
            etcd.kill();
            pause();
            etcd.restart();
          });
      assertThat(ledger.failedAllocations.get() + ledger.uncertainReleases.size())
          .as("calls failed during the outage")
          .isPositive();
      releaseAgain(hs, pool, ledger);
      // what is left unexplained can only come from allocations that failed but landed
      checkAgainstState(hs.get(0), subnet, ledger, ledger.failedAllocations.get());
    } finally {
      hs.forEach(h -> h.store.close());
    }
  }

  @Test
  void aCorruptValueUnderThePrefixIsAClearErrorNamingTheKey() throws Exception {
    EtcdStoreConfig config =
        EtcdStoreConfig.of(etcd.endpoint())
            .withPrefix("/engine-" + PREFIXES.incrementAndGet() + "/");
    List<Host> hs = hosts(config);
    try (Client raw = Client.builder().endpoints(etcd.endpoint()).build()) {
      IpPrefix subnet = IpPrefix.parse("10.92.0.0/24");
      PoolId pool = joinPool(hs, subnet);
      Host h = hs.get(0);
      IpAddress a =
          h.ipam
              .driver()
              .requestAddress(
                  new AddressRequest(h.id, pool, Optional.empty(), AddressKind.ENDPOINT, Map.of()))
              .address();
      String blockKey =
          h.store.list("blocks/").keySet().stream()
              .filter(k -> k.contains("10.92.0.0-24"))
              .findFirst()
              .orElseThrow();
      raw.getKVClient()
          .put(
              ByteSequence.from(config.prefix() + blockKey, UTF_8),
              ByteSequence.from("{not json", UTF_8))
          .get(5, TimeUnit.SECONDS);
      StateStoreContract.awaitTrue(
          () ->
              h.store
                  .peek(blockKey)
                  .map(v -> new String(v.value(), UTF_8).startsWith("{not"))
                  .orElse(false));
      assertThatThrownBy(() -> h.ipam.driver().releaseAddress(h.id, pool, a))
          .isInstanceOf(StoreCorruptException.class)
          .hasMessageContaining(blockKey);
      assertThat(h.store.peek(blockKey).map(v -> new String(v.value(), UTF_8)))
          .contains("{not json");
    } finally {
      hs.forEach(h -> h.store.close());
    }
  }
}
