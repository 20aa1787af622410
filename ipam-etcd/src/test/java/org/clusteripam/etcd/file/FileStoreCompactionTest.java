package org.clusteripam.etcd.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.clusteripam.core.store.StoreCorruptException;
import org.clusteripam.testkit.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Compaction beside transactions, log generations on open, and the store's counters. */
class FileStoreCompactionTest {
  private final Path dir = TempDirs.create("filecompact");

  @AfterEach
  void cleanUp() {
    TempDirs.delete(dir);
  }

  private static void put(FileStateStore s, String k, String v) {
    s.transact(
        "put",
        view -> {
          view.put(k, v.getBytes(UTF_8));
          return null;
        });
  }

  private static String get(FileStateStore s, String k) {
    return s.peek(k).map(v -> new String(v.value(), UTF_8)).orElse(null);
  }

  private static byte[] record(long revision, String key, String value) {
    ByteBuffer b =
        new LogRecord(revision, new TreeMap<>(Map.of(key, value.getBytes(UTF_8)))).encode();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  @Test
  void statsCountTransactionsCommitsFsyncsBytesAndCompactions() throws IOException {
    try (FileStateStore s = FileStateStore.open(dir)) {
      FileStoreStats start = s.stats();
      assertThat(start.transactions()).isZero();
      assertThat(start.logSize()).isEqualTo(LogFile.FILE_HEADER);
      put(s, "a", "1");
      put(s, "b", "2");
      put(s, "c", "3");
      s.transact("read only", v -> v.get("a"));
      FileStoreStats three = s.stats();
      assertThat(three.transactions()).isEqualTo(3);
      // sequential transactions: one log fsync each
      assertThat(three.groupCommits()).isEqualTo(3);
      assertThat(three.fsyncs() - start.fsyncs()).isEqualTo(3);
      long logged = Files.size(LogFiles.path(dir, 1)) - LogFile.FILE_HEADER;
      assertThat(three.logBytesWritten()).isEqualTo(logged);
      assertThat(three.logSize()).isEqualTo(Files.size(LogFiles.path(dir, 1)));
      assertThat(three.compactions()).isZero();
      assertThat(three.snapshotSize()).isZero();

      s.compactNow();
      FileStoreStats after = s.stats();
      assertThat(after.compactionsStarted()).isEqualTo(1);
      assertThat(after.compactions()).isEqualTo(1);
      assertThat(after.compacting()).isFalse();
      assertThat(after.maxCompactionNanos()).isPositive().isEqualTo(after.compactionNanos());
      assertThat(after.maxSwitchNanos())
          .isPositive()
          .isEqualTo(after.switchNanos())
          .isLessThanOrEqualTo(after.maxCompactionNanos());
      // new log (file + directory) and snapshot (file + directory); the sealed log needed no fsync
      assertThat(after.fsyncs() - three.fsyncs()).isEqualTo(4);
      assertThat(after.snapshotSize()).isEqualTo(Files.size(dir.resolve(SnapshotFile.NAME)));
      assertThat(after.logSize()).isEqualTo(LogFile.FILE_HEADER);
      assertThat(after.minus(three).transactions()).isZero();
      assertThat(after.minus(three).compactions()).isEqualTo(1);
    }
    try (FileStateStore s = FileStateStore.open(dir)) {
      assertThat(s.stats().snapshotSize()).isEqualTo(Files.size(dir.resolve(SnapshotFile.NAME)));
      assertThat(s.stats().transactions()).isZero();
    }
  }

  @Test
  void concurrentWritersShareGroupCommits() throws Exception {
    try (FileStateStore s = FileStateStore.open(dir)) {
      Thread[] ts = new Thread[16];
      for (int t = 0; t < ts.length; t++) {
        int id = t;
        ts[t] =
            new Thread(
                () -> {
                  for (int i = 0; i < 20; i++) {
                    put(s, "t" + id + "/" + i, "x");
                  }
                });
        ts[t].start();
      }
      for (Thread t : ts) {
        t.join();
      }
      FileStoreStats st = s.stats();
      assertThat(st.transactions()).isEqualTo(320);
      assertThat(st.groupCommits()).isBetween(1L, 320L);
      assertThat(st.fsyncs()).isGreaterThanOrEqualTo(st.groupCommits());
    }
  }

  /** A compaction held at {@code phase} on another thread; transactions must still complete. */
  private void writesProceedWhileCompactionIsHeldAt(CompactionHook.Phase phase) throws Exception {
    CountDownLatch reached = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompactionHook hold =
        p -> {
          if (p == phase) {
            reached.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    try (FileStateStore s = FileStateStore.open(dir, 1 << 30, hold)) {
      for (int i = 0; i < 20; i++) {
        put(s, "before/" + i, "v" + i);
      }
      CompletableFuture<Void> compaction = CompletableFuture.runAsync(s::compactNow);
      try {
        assertThat(reached.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(s.stats().compacting()).isTrue();
        CompletableFuture<Void> writes =
            CompletableFuture.runAsync(
                () -> {
                  for (int i = 0; i < 30; i++) {
                    put(s, "during/" + i, "v" + i);
                    s.transact(
                        "delete",
                        v -> {
                          v.delete("before/0");
                          return null;
                        });
                  }
                });
        writes.get(10, TimeUnit.SECONDS); // would time out if the compaction held the state lock
        assertThat(compaction).isNotDone();
      } finally {
        release.countDown();
      }
      compaction.get(10, TimeUnit.SECONDS);
      assertThat(s.stats().compactions()).isEqualTo(1);
      assertThat(s.revision()).isEqualTo(80);
    }
    assertThat(LogFiles.list(dir)).extracting(LogFiles.Generation::number).containsExactly(2L);
    try (FileStateStore s = FileStateStore.open(dir)) {
      assertThat(s.revision()).isEqualTo(80);
      assertThat(s.list("before/")).hasSize(19);
      assertThat(s.list("during/")).hasSize(30);
      assertThat(get(s, "during/29")).isEqualTo("v29");
    }
  }

  @Test
  void writesProceedWhileTheNextLogIsCreated() throws Exception {
    writesProceedWhileCompactionIsHeldAt(CompactionHook.Phase.NEXT_LOG_CREATED);
  }

  @Test
  void writesProceedWhileTheSnapshotIsWritten() throws Exception {
    writesProceedWhileCompactionIsHeldAt(CompactionHook.Phase.SNAPSHOT_TEMP_WRITTEN);
  }

  @Test
  void writesProceedBeforeTheOldLogIsDeleted() throws Exception {
    writesProceedWhileCompactionIsHeldAt(CompactionHook.Phase.SNAPSHOT_DURABLE);
  }

  @Test
  void backgroundCompactionKeepsEveryWriteAcrossManyGenerations() throws Exception {
    try (FileStateStore s = FileStateStore.open(dir, 1024)) {
      Thread[] ts = new Thread[4];
      for (int t = 0; t < ts.length; t++) {
        int id = t;
        ts[t] =
            new Thread(
                () -> {
                  for (int i = 0; i < 100; i++) {
                    put(s, "t" + id + "/" + (i % 10), "v" + i);
                  }
                });
        ts[t].start();
      }
      for (Thread t : ts) {
        t.join();
      }
      assertThat(s.stats().compactionsStarted()).isGreaterThan(3);
    }
    try (FileStateStore s = FileStateStore.open(dir, 1024)) {
      assertThat(s.revision()).isEqualTo(400);
      assertThat(s.list("t")).hasSize(40);
      for (int t = 0; t < 4; t++) {
        assertThat(get(s, "t" + t + "/9")).isEqualTo("v99");
      }
    }
  }

  /**
   * Generation 1 holds records 1–3; {@code extra} is appended to it, then generation 2 gets {@code
   * next}.
   */
  private void threeRecordsThen(byte[] extra, byte[] next) throws IOException {
    try (FileStateStore s = FileStateStore.open(dir)) {
      put(s, "a", "1");
      put(s, "b", "2");
      put(s, "c", "3");
    }
    Path first = LogFiles.path(dir, 1);
    Files.write(first, extra, StandardOpenOption.APPEND);
    byte[] header = new byte[LogFile.FILE_HEADER];
    System.arraycopy(Files.readAllBytes(first), 0, header, 0, header.length);
    Path second = LogFiles.path(dir, 2);
    Files.write(second, header);
    Files.write(second, next, StandardOpenOption.APPEND);
  }

  @Test
  void afterATornOlderLogTheNewerLogsUnacknowledgedRecordsAreDropped() throws IOException {
    byte[] four = record(4, "d", "4");
    byte[] half = java.util.Arrays.copyOf(four, four.length / 2);
    byte[] five = record(5, "e", "5");
    threeRecordsThen(half, five);
    try (FileStateStore s = FileStateStore.open(dir)) {
      assertThat(s.droppedTailBytes()).isEqualTo(half.length + five.length);
      assertThat(s.revision()).isEqualTo(3);
      assertThat(get(s, "d")).isNull();
      assertThat(get(s, "e")).isNull();
      put(s, "f", "6");
      assertThat(s.revision()).isEqualTo(4);
    }
    try (FileStateStore s = FileStateStore.open(dir)) {
      assertThat(s.droppedTailBytes()).isZero();
      assertThat(get(s, "f")).isEqualTo("6");
      assertThat(get(s, "c")).isEqualTo("3");
    }
  }

  @Test
  void aMissingRevisionBetweenIntactLogsIsCorruptionAndNothingIsDropped() throws IOException {
    byte[] five = record(5, "e", "5");
    threeRecordsThen(new byte[0], five);
    Path second = LogFiles.path(dir, 2);
    long size = Files.size(second);
    assertThatThrownBy(() -> FileStateStore.open(dir))
        .isInstanceOf(StoreCorruptException.class)
        .hasMessageContaining(second.toString())
        .hasMessageContaining("revision 5 does not follow 3");
    assertThat(Files.size(second)).isEqualTo(size);
  }

  @Test
  void theNextGenerationContinuesTheRevisions() throws IOException {
    threeRecordsThen(new byte[0], record(4, "d", "4"));
    long first = Files.size(LogFiles.path(dir, 1));
    long second = Files.size(LogFiles.path(dir, 2));
    try (FileStateStore s = FileStateStore.open(dir)) {
      assertThat(s.revision()).isEqualTo(4);
      assertThat(get(s, "d")).isEqualTo("4");
      put(s, "e", "5");
    }
    // appends went to the newest generation
    try (FileStateStore s = FileStateStore.open(dir)) {
      assertThat(get(s, "e")).isEqualTo("5");
      assertThat(Files.size(LogFiles.path(dir, 1))).isEqualTo(first);
      assertThat(Files.size(LogFiles.path(dir, 2))).isGreaterThan(second);
    }
  }

  @Test
  void aLogWithoutGenerationIsReadAsGenerationZeroAndRemovedByTheNextCompaction()
      throws IOException {
    try (FileStateStore s = FileStateStore.open(dir)) {
      put(s, "a", "1");
      put(s, "b", "2");
    }
    Path legacy = dir.resolve(LogFiles.LEGACY_NAME);
    Files.move(LogFiles.path(dir, 1), legacy);
    try (FileStateStore s = FileStateStore.open(dir)) {
      assertThat(get(s, "a") + get(s, "b")).isEqualTo("12");
      put(s, "c", "3");
      s.compactNow();
      put(s, "d", "4");
    }
    assertThat(legacy).doesNotExist();
    try (FileStateStore s = FileStateStore.open(dir)) {
      assertThat(s.revision()).isEqualTo(4);
      assertThat(get(s, "a") + get(s, "b") + get(s, "c") + get(s, "d")).isEqualTo("1234");
    }
  }

  @Test
  void aNonPositiveThresholdIsAClearError() {
    assertThatThrownBy(() -> FileStateStore.open(dir, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("compaction threshold");
  }
}
