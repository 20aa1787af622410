package org.clusteripam.daemon.swarm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Appends measured figures to target/swarm-figures.txt (read by the benchmark write-up; never
 * asserted).
 */
final class Figures {
  static final Path FILE = Path.of("target", "swarm-figures.txt");

  private Figures() {}

  static synchronized void record(String what, String value) {
    String line = Instant.now() + "\t" + what + "\t" + value + System.lineSeparator();
    System.out.print(line);
    try {
      Files.createDirectories(FILE.getParent());
      Files.writeString(FILE, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.err.println("cannot record figure: " + e);
    }
  }
}
