package org.clusteripam.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.clusteripam.core.store.StoreException;
import org.clusteripam.core.store.Versioned;
import org.clusteripam.testkit.etcd.EtcdExtension;
import org.clusteripam.testkit.store.StateStoreContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * etcd is killed with SIGKILL and restarted under load; bad bytes under the prefix do not break the
 * store.
 */
class EtcdFaultTest {
  @RegisterExtension static final EtcdExtension etcd = new EtcdExtension();

  @Test
  void acknowledgedTransactionsSurviveAnEtcdCrashAndNoneIsHalfWritten() throws Exception {
    EtcdStoreConfig c =
        EtcdStoreConfig.of(etcd.endpoint())
            .withPrefix("/fault/")
            .withTimeout(Duration.ofSeconds(1));
    Set<String> acked = ConcurrentHashMap.newKeySet();
    Set<String> failed = ConcurrentHashMap.newKeySet();
    AtomicInteger ackedAfterRestart = new AtomicInteger();
    AtomicBoolean restarted = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    try (EtcdStateStore a = EtcdStateStore.connect(c);
        EtcdStateStore b = EtcdStateStore.connect(c)) {
      ExecutorService pool = Executors.newFixedThreadPool(16);
      List<Future<?>> fs = new ArrayList<>();
      try {
        for (int t = 0; t < 16; t++) {
          EtcdStateStore s = t % 2 == 0 ? a : b;
          int id = t;
          fs.add(
              pool.submit(
                  () -> {
                    for (int i = 0; !stop.get(); i++) {
                      String key = "items/" + id + "/" + i;
                      try {
                        // an item and the shared counter change together or not at all
                        s.transact(
                            "add",
                            v -> {
                              int n =
                                  v.get("count")
                                      .map(x -> Integer.parseInt(new String(x, UTF_8)))
                                      .orElse(0);
                              v.put("count", Integer.toString(n + 1).getBytes(UTF_8));
                              v.put(key, "x".getBytes(UTF_8));
                              return null;
                            });
                        acked.add(key);
                        if (restarted.get()) {
                          ackedAfterRestart.incrementAndGet();
                        }
                      } catch (StoreException e) {
                        failed.add(key);
                        sleep(20);
                      }
                    }
                  }));
        }
        awaitAcks(acked, 300);
        etcd.kill();
        sleep(1500);
        etcd.restart();
        restarted.set(true);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (ackedAfterRestart.get() < 300 && System.nanoTime() < end) {
          sleep(20);
        }
        stop.set(true);
        for (Future<?> f : fs) {
          f.get(30, TimeUnit.SECONDS);
        }
      } finally {
        stop.set(true);
        pool.shutdownNow();
      }
      assertThat(ackedAfterRestart.get())
          .as("store recovered after the restart")
          .isGreaterThanOrEqualTo(300);
      assertThat(failed).as("calls during the outage failed").isNotEmpty();
      var items = a.list("items/");
      assertThat(items.keySet()).containsAll(acked);
      int count = Integer.parseInt(new String(a.list("count").get("count").value(), UTF_8));
      // every item present was counted exactly once: no half-written transaction
      assertThat(count).isEqualTo(items.size());
      // a failed call either landed whole or not at all; the rest are exactly the acknowledged ones
      for (String k : items.keySet()) {
        assertThat(acked.contains(k) || failed.contains(k)).as(k).isTrue();
      }
    }
  }

  @Test
  void foreignBytesUnderThePrefixDoNotBreakTheStore() throws Exception {
    EtcdStoreConfig c = EtcdStoreConfig.of(etcd.endpoint()).withPrefix("/bad/");
    try (Client raw = Client.builder().endpoints(etcd.endpoint()).build()) {
      raw.getKVClient()
          .put(
              ByteSequence.from(new byte[] {'/', 'b', 'a', 'd', '/', 'k', (byte) 0xff, 0}),
              ByteSequence.from(new byte[] {(byte) 0xde, (byte) 0xad}))
          .get(5, TimeUnit.SECONDS);
      raw.getKVClient()
          .put(
              ByteSequence.from("/bad/pools/p1", UTF_8),
              ByteSequence.from(new byte[] {0, 1, 2, (byte) 0xff}))
          .get(5, TimeUnit.SECONDS);
      try (EtcdStateStore s = EtcdStateStore.connect(c)) {
        Versioned v = s.list("pools/").get("pools/p1");
        assertThat(v.value()).containsExactly(0, 1, 2, 0xff);
        assertThat(s.peek("pools/p1")).isPresent();
        int len = s.transact("read", view -> view.get("pools/p1").orElseThrow().length);
        assertThat(len).isEqualTo(4);
        assertThat(s.list("")).hasSizeGreaterThanOrEqualTo(2);
        StateStoreContract.put(s, "pools/p1", "fixed");
        assertThat(StateStoreContract.read(s, "pools/p1")).contains("fixed");
      }
    }
  }

  private static void awaitAcks(Set<String> acked, int n) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (acked.size() < n) {
      if (System.nanoTime() > end) {
        throw new AssertionError("only " + acked.size() + " acknowledgements in 30 s");
      }
      sleep(10);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
