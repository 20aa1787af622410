package org.clusteripam.etcd.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.clusteripam.testkit.TempDirs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A child JVM writing in a loop is killed with SIGKILL; every acknowledged write must be there. */
class FileStoreCrashTest {

  @Test
  void everyAcknowledgedWriteSurvivesKillMinus9() throws Exception {
    Path dir = TempDirs.create("filecrash");
    try {
      for (int round = 0; round < 2; round++) {
        List<String> acked = new ArrayList<>();
        int maxCount = crashWhileWriting(dir, 400 + round * 300, "r" + round, null, acked);
        checkAfterCrash(dir, acked, maxCount);
      }
    } finally {
      TempDirs.delete(dir);
    }
  }

  /**
   * The child's first compaction stops at {@code phase} while its writers go on; it is killed
   * there. The writers' progress while it is stopped shows compaction does not hold them up.
   */
  @ParameterizedTest
  @EnumSource(CompactionHook.Phase.class)
  void everyAcknowledgedWriteSurvivesKillMinus9DuringCompaction(CompactionHook.Phase phase)
      throws Exception {
    Path dir = TempDirs.create("filecrash-" + phase);
    try {
      List<String> acked = new ArrayList<>();
      int maxCount = crashWhileWriting(dir, 300, "c", phase, acked);
      checkAfterCrash(dir, acked, maxCount);
      // the recovered store compacts and reopens normally
      try (FileStateStore s = FileStateStore.open(dir, 16 * 1024)) {
        s.compactNow();
      }
      checkAfterCrash(dir, acked, maxCount);
      assertThat(LogFiles.list(dir)).hasSize(1);
    } finally {
      TempDirs.delete(dir);
    }
  }

  private static void checkAfterCrash(Path dir, List<String> acked, int maxCount) {
    try (FileStateStore s = FileStateStore.open(dir, 16 * 1024)) {
      for (String key : acked) {
        assertThat(s.peek(key)).as(key).isPresent();
        assertThat(new String(s.peek(key).orElseThrow().value(), UTF_8)).isEqualTo("value-" + key);
      }
      int count = Integer.parseInt(new String(s.peek("count").orElseThrow().value(), UTF_8));
      assertThat(count).isGreaterThanOrEqualTo(maxCount);
      // the counter and the written keys come from the same transactions: they agree exactly
      assertThat(s.list("w/")).hasSize(count);
      assertThat(s.revision()).isGreaterThanOrEqualTo(count);
    }
  }

  /**
   * Starts the writer, waits for {@code acks} acknowledgements (counted after the pause, when
   * {@code pauseAt} is given), kills it with SIGKILL.
   */
  private static int crashWhileWriting(
      Path dir, int acks, String run, CompactionHook.Phase pauseAt, List<String> acked)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                FileStoreWriterMain.class.getName(),
                dir.toString(),
                run));
    if (pauseAt != null) {
      cmd.add(pauseAt.name());
    }
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    int maxCount = 0;
    boolean paused = pauseAt == null;
    int afterPause = 0;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.equals("paused " + pauseAt)) {
          paused = true;
        } else if (line.startsWith("ack ")) {
          String[] parts = line.split(" ");
          acked.add(parts[1]);
          maxCount = Math.max(maxCount, Integer.parseInt(parts[2]));
          if (paused && ++afterPause >= acks) {
            p.destroyForcibly(); // SIGKILL on Linux, in the middle of writes
            break;
          }
        }
      }
    } finally {
      p.destroyForcibly();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(paused).as("compaction reached " + pauseAt).isTrue();
    assertThat(afterPause).isEqualTo(acks);
    return maxCount;
  }
}
