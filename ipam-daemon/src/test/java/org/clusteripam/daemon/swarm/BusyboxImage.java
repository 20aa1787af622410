package org.clusteripam.daemon.swarm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The test image {@code bb:1}: Debian's static busybox with sh/sleep/ping links, imported on every
 * host.
 */
final class BusyboxImage {
  static final String NAME = "bb:1";
  static final Path BUSYBOX = Path.of("/bin/busybox");
  private static final List<String> APPLETS =
      List.of("sh", "sleep", "ping", "ip", "cat", "ls", "hostname", "nslookup");

  private BusyboxImage() {}

  /** Builds the image tarball under {@code dir} (no pull: there is no registry here). */
  static Path buildTar(Path dir) {
    if (!Files.isExecutable(BUSYBOX)) {
      throw new IllegalStateException(
          BUSYBOX + " is missing: install busybox-static (scripts/install-test-prereqs.sh)");
    }
    try {
      Path root = dir.resolve("img");
      Path bin = Files.createDirectories(root.resolve("bin"));
      Files.copy(BUSYBOX, bin.resolve("busybox"));
      for (String a : APPLETS) {
        Files.createSymbolicLink(bin.resolve(a), Path.of("busybox"));
      }
      Path tar = dir.resolve("bb.tar");
      Commands.must(
          Duration.ofSeconds(30), "tar", "-C", root.toString(), "-cf", tar.toString(), ".");
      return tar;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void importOn(DockerHost host, Path tar) {
    host.must("import", tar.toString(), NAME);
  }
}
