package org.clusteripam.etcd.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.clusteripam.etcd.file.FileStateStore;
import org.clusteripam.etcd.file.FileStoreStats;

/**
 * How long a file-store compaction holds the state lock (the state copy and log switch) against the
 * whole compaction, for states of growing size. Not a test: run by hand (docs/bench/ipam-etcd.md).
 *
 * <p>Args: key counts (default 1000 20000 100000 1000000); values are 100 bytes.
 */
public final class FileSwitchBench {
  private FileSwitchBench() {}

  public static void main(String[] args) throws Exception {
    int[] sizes =
        args.length > 0
            ? Stream.of(args).mapToInt(Integer::parseInt).toArray()
            : new int[] {1_000, 20_000, 100_000, 1_000_000};
    for (int keys : sizes) {
      Path dir = Files.createTempDirectory("fsb");
      try (FileStateStore s = FileStateStore.open(dir, Long.MAX_VALUE)) {
        byte[] value = new byte[100];
        for (int from = 0; from < keys; from += 10_000) {
          int start = from;
          s.transact(
              "load",
              v -> {
                for (int k = start; k < Math.min(keys, start + 10_000); k++) {
                  v.put("state/" + k, value);
                }
                return null;
              });
        }
        for (int i = 0; i < 3; i++) {
          s.compactNow(); // warm-up
        }
        FileStoreStats warm = s.stats();
        for (int i = 0; i < 5; i++) {
          s.compactNow();
        }
        FileStoreStats st = s.stats().minus(warm);
        System.out.printf(
            "%,9d keys, snapshot %,11d B: state lock held %8.3f ms per compaction, compaction %8.1f ms%n",
            keys,
            st.snapshotSize(),
            st.switchNanos() / 1e6 / st.compactions(),
            st.compactionNanos() / 1e6 / st.compactions());
      } finally {
        try (Stream<Path> w = Files.walk(dir)) {
          w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }
}
