package org.clusteripam.etcd.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The store's logs, one per generation: {@code state.log.N}. A compaction starts generation N+1
 * before it writes the snapshot, so transactions go on while the snapshot is written; the older
 * logs are deleted only once the snapshot covering them is durable. On open every log is replayed
 * in generation order. A {@code state.log} without a number (written before generations existed) is
 * generation 0.
 */
final class LogFiles {
  static final String LEGACY_NAME = "state.log";
  private static final Pattern NAME = Pattern.compile("state\\.log(?:\\.(\\d{1,18}))?");

  private LogFiles() {}

  /** One log file on disk and its generation. */
  record Generation(long number, Path file) {}

  /**
   * The result of opening: the newest log, open for appending; its generation; the older logs
   * (replayed, closed, still on disk until the next compaction); and what replay found.
   */
  record Opened(LogFile current, long generation, long lastRevision, long droppedTailBytes) {}

  static Path path(Path dir, long generation) {
    return dir.resolve(LEGACY_NAME + "." + generation);
  }

  /** Every log in {@code dir}, oldest generation first. */
  static List<Generation> list(Path dir) throws IOException {
    List<Generation> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Matcher m = NAME.matcher(f.getFileName().toString());
        if (m.matches()) {
          out.add(new Generation(m.group(1) == null ? 0 : Long.parseLong(m.group(1)), f));
        }
      }
    }
    out.sort(Comparator.comparingLong(Generation::number));
    return out;
  }

  /**
   * Replays every log after the snapshot's revision into {@code apply} and opens the newest for
   * appending (creating generation 1 in an empty directory).
   */
  static Opened open(Path dir, long snapshotRevision, Consumer<LogRecord> apply, LongAdder fsyncs)
      throws IOException {
    List<Generation> gens = list(dir);
    if (gens.isEmpty()) {
      return new Opened(LogFile.create(path(dir, 1), fsyncs), 1, snapshotRevision, 0);
    }
    long last = snapshotRevision;
    long dropped = 0;
    boolean torn = false;
    LogFile newest = null;
    try {
      for (Generation g : gens) {
        if (newest != null) {
          newest.close();
        }
        newest = LogFile.open(g.file(), fsyncs);
        LogFile.Replay r = newest.replay(snapshotRevision, last, torn, apply);
        last = r.lastRevision();
        dropped += r.droppedTailBytes();
        torn |= r.torn();
      }
    } catch (IOException | RuntimeException e) {
      if (newest != null) {
        newest.close();
      }
      throw e;
    }
    return new Opened(newest, gens.get(gens.size() - 1).number(), last, dropped);
  }

  /** Deletes every log older than {@code generation} (their records are in a durable snapshot). */
  static void deleteBefore(Path dir, long generation) throws IOException {
    for (Generation g : list(dir)) {
      if (g.number() < generation) {
        Files.deleteIfExists(g.file());
      }
    }
  }
}
