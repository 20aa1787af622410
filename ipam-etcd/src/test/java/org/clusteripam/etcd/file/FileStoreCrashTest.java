package org.clusteripam.etcd.file;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.clusteripam.etcd.TempDirs;
import org.junit.jupiter.api.Test;

/** A child JVM writing in a loop is killed with SIGKILL; every acknowledged write must be there. */
class FileStoreCrashTest {

  @Test
  void everyAcknowledgedWriteSurvivesKillMinus9() throws Exception {
    Path dir = TempDirs.create("filecrash");
    try {
      for (int round = 0; round < 2; round++) {
        List<String> acked = new ArrayList<>();
        int maxCount = crashWhileWriting(dir, 400 + round * 300, "r" + round, acked);
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
    } finally {
      TempDirs.delete(dir);
    }
  }

  /** Starts the writer, waits for {@code acks} acknowledgements, kills it with SIGKILL. */
  private static int crashWhileWriting(Path dir, int acks, String run, List<String> acked) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        FileStoreWriterMain.class.getName(), dir.toString(), run)
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    int maxCount = 0;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("ack ")) {
          String[] parts = line.split(" ");
          acked.add(parts[1]);
          maxCount = Math.max(maxCount, Integer.parseInt(parts[2]));
          if (acked.size() >= acks) {
            p.destroyForcibly(); // SIGKILL on Linux, in the middle of writes
            break;
          }
        }
      }
    } finally {
      p.destroyForcibly();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(acked).hasSize(acks);
    return maxCount;
  }
}
