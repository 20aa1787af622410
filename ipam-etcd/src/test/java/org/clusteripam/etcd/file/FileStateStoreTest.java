package org.clusteripam.etcd.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.clusteripam.core.store.StoreCorruptException;
import org.clusteripam.core.store.StoreUnavailableException;
import org.clusteripam.testkit.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FileStateStoreTest {
  private final Path dir = TempDirs.create("filestore");

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

  private void writeThree() {
    try (FileStateStore s = FileStateStore.open(dir)) {
      put(s, "a", "1");
      put(s, "b", "2");
      put(s, "c", "3");
    }
  }

  /** The newest log (generation 1 until the first compaction). */
  private Path log() {
    try {
      List<LogFiles.Generation> gens = LogFiles.list(dir);
      return gens.isEmpty() ? LogFiles.path(dir, 1) : gens.get(gens.size() - 1).file();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void appendRaw(byte[] bytes) throws IOException {
    Files.write(log(), bytes, StandardOpenOption.APPEND);
  }

  @Test
  void aSecondOpenOfTheSameDirectoryIsRefusedNamingIt() {
    try (FileStateStore first = FileStateStore.open(dir)) {
      assertThatThrownBy(() -> FileStateStore.open(dir))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining(dir.toAbsolutePath().toString())
          .hasMessageContaining("in use");
      put(first, "still", "works");
    }
    try (FileStateStore again = FileStateStore.open(dir)) {
      assertThat(get(again, "still")).isEqualTo("works");
    }
  }

  @Test
  void aTornLastRecordIsDroppedAndEverythingAcknowledgedSurvives() throws IOException {
    writeThree();
    long good = Files.size(log());
    ByteBuffer rec =
        new LogRecord(4, new java.util.TreeMap<>(java.util.Map.of("d", "4".getBytes(UTF_8))))
            .encode();
    byte[] half = new byte[rec.remaining() - 3];
    rec.get(half);
    appendRaw(half);
    try (FileStateStore s = FileStateStore.open(dir)) {
      assertThat(s.droppedTailBytes()).isEqualTo(half.length);
      assertThat(get(s, "a") + get(s, "b") + get(s, "c")).isEqualTo("123");
      assertThat(get(s, "d")).isNull();
      assertThat(s.revision()).isEqualTo(3);
      put(s, "e", "5");
      assertThat(s.revision()).isEqualTo(4);
    }
    assertThat(Files.size(log())).isGreaterThan(good);
    try (FileStateStore s = FileStateStore.open(dir)) {
      assertThat(s.droppedTailBytes()).isZero();
      assertThat(get(s, "e")).isEqualTo("5");
    }
  }

  @Test
  void aZeroFilledTailIsUnwrittenSpaceAndIsDropped() throws IOException {
    writeThree();
    appendRaw(new byte[100]);
    try (FileStateStore s = FileStateStore.open(dir)) {
      assertThat(s.droppedTailBytes()).isEqualTo(100);
      assertThat(get(s, "c")).isEqualTo("3");
    }
  }

  @Test
  void aFlippedByteInsideTheLogIsReportedWithFileAndOffsetAndNothingIsTruncated()
      throws IOException {
    writeThree();
    byte[] bytes = Files.readAllBytes(log());
    int secondRecord = LogFile.FILE_HEADER + (bytes.length - LogFile.FILE_HEADER) / 3;
    bytes[secondRecord + LogRecord.HEADER + 3] ^= 0x40;
    Files.write(log(), bytes);
    assertThatThrownBy(() -> FileStateStore.open(dir))
        .isInstanceOf(StoreCorruptException.class)
        .hasMessageContaining(log().toString())
        .hasMessageContaining("offset " + secondRecord)
        .hasMessageContaining("checksum");
    assertThat(Files.readAllBytes(log())).isEqualTo(bytes);
    // the failed open released the lock
    assertThatThrownBy(() -> FileStateStore.open(dir)).isInstanceOf(StoreCorruptException.class);
  }

  @Test
  void garbageAfterTheLastRecordIsCorruptionNotATornTail() throws IOException {
    writeThree();
    appendRaw("this is not a record at all".getBytes(UTF_8));
    assertThatThrownBy(() -> FileStateStore.open(dir))
        .isInstanceOf(StoreCorruptException.class)
        .hasMessageContaining("bad record marker");
  }

  @Test
  void compactionWritesASnapshotAndKeepsRevisionsGoing() throws IOException {
    try (FileStateStore s = FileStateStore.open(dir, 2000)) {
      for (int i = 0; i < 200; i++) {
        put(s, "k/" + (i % 17), "v" + i);
      }
      assertThat(s.revision()).isEqualTo(200);
      assertThat(s.stats().compactionsStarted()).isPositive();
    }
    assertThat(dir.resolve(SnapshotFile.NAME)).exists();
    // close waited for the last compaction, which deleted every older log
    assertThat(LogFiles.list(dir)).hasSize(1);
    assertThat(LogFiles.list(dir).get(0).number()).isGreaterThan(1);
    try (FileStateStore s = FileStateStore.open(dir, 2000)) {
      assertThat(s.revision()).isEqualTo(200);
      assertThat(get(s, "k/12")).isEqualTo("v199");
      assertThat(s.list("k/")).hasSize(17);
      assertThat(s.peek("k/12").orElseThrow().modRevision()).isEqualTo(200);
    }
  }

  @Test
  void aCrashBeforeTheOldLogIsDeletedReplaysNothingTwice() throws IOException {
    Path first = LogFiles.path(dir, 1);
    try (FileStateStore s = FileStateStore.open(dir)) {
      put(s, "a", "1");
      put(s, "b", "2");
      Files.copy(first, dir.resolve("old.log"));
      s.transact(
          "del",
          v -> {
            v.delete("a");
            return null;
          });
      s.compactNow();
      assertThat(first).doesNotExist();
      put(s, "c", "3");
    }
    // generation 1 (records 1 and 2, both inside the snapshot) is left behind as if its deletion
    // never happened
    Files.move(dir.resolve("old.log"), first);
    try (FileStateStore s = FileStateStore.open(dir)) {
      assertThat(s.revision()).isEqualTo(4);
      assertThat(get(s, "a")).isNull();
      assertThat(get(s, "b")).isEqualTo("2");
      assertThat(get(s, "c")).isEqualTo("3");
      put(s, "d", "4");
    }
    try (FileStateStore s = FileStateStore.open(dir)) {
      assertThat(get(s, "d")).isEqualTo("4");
      assertThat(s.revision()).isEqualTo(5);
    }
  }

  @Test
  void aCorruptSnapshotIsReportedNotReplacedByEmptyState() throws IOException {
    try (FileStateStore s = FileStateStore.open(dir)) {
      put(s, "a", "1");
      s.compactNow();
    }
    Path snap = dir.resolve(SnapshotFile.NAME);
    byte[] bytes = Files.readAllBytes(snap);
    bytes[bytes.length / 2] ^= 1;
    Files.write(snap, bytes);
    assertThatThrownBy(() -> FileStateStore.open(dir))
        .isInstanceOf(StoreCorruptException.class)
        .hasMessageContaining(snap.toString());
  }

  @Test
  void aDirectoryThatIsAFileIsAClearError() throws IOException {
    Path file = dir.resolve("plain-file");
    Files.writeString(file, "x");
    assertThatThrownBy(() -> FileStateStore.open(file))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void concurrentTransactionsShareFsyncs() throws Exception {
    // Not a timing assertion: just that many writers finish and all their writes are durable.
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
    }
    try (FileStateStore s = FileStateStore.open(dir)) {
      assertThat(s.list("t")).hasSize(320);
      assertThat(s.revision()).isEqualTo(320);
    }
    try (FileChannel ch = FileChannel.open(log(), StandardOpenOption.READ)) {
      assertThat(ch.size()).isGreaterThan(LogFile.FILE_HEADER);
    }
  }
}
