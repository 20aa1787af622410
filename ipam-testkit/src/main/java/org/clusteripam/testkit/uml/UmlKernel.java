package org.clusteripam.testkit.uml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The user-mode-linux kernel the tests boot and its module tree, as {@code scripts/prereqs/uml.sh}
 * leaves them: Debian 12's 6.1 where it runs, Debian unstable's otherwise (6.1 cannot start a
 * process on a host CPU with AMX). {@code -Dclusteripam.uml.dir} names such a directory; without it
 * the script runs once (quick when its directory is there).
 *
 * @param linux the kernel binary
 * @param modules the directory holding {@code <release>/kernel/...}
 * @param version the release and where it came from, as the script wrote it
 */
record UmlKernel(Path linux, Path modules, String version) {
  private static final Path ROOT =
      Path.of(System.getProperty("clusteripam.root", "..")).toAbsolutePath().normalize();
  private static final Path SCRIPT = ROOT.resolve("scripts/prereqs/uml.sh");
  private static UmlKernel found;
  private static String failure;

  /** The kernel's release ({@code uname -r}), the first word of {@link #version}. */
  String release() {
    return version.split(" ", 2)[0];
  }

  /** The kernel, or an {@link AssertionError} saying why there is none. */
  static synchronized UmlKernel get() {
    if (found == null && failure == null) {
      try {
        found = at(directory());
      } catch (IOException | RuntimeException e) {
        failure = e.getMessage();
      }
    }
    if (found == null) {
      throw new AssertionError(failure);
    }
    return found;
  }

  private static UmlKernel at(Path dir) throws IOException {
    Path linux = dir.resolve("linux.uml");
    if (!Files.isExecutable(linux)) {
      throw new IOException(linux + " missing: run " + SCRIPT);
    }
    String version = Files.readString(dir.resolve("version"), StandardCharsets.UTF_8).strip();
    return new UmlKernel(linux, dir.resolve("modules"), version);
  }

  private static Path directory() throws IOException {
    String given = System.getProperty("clusteripam.uml.dir", "");
    if (!given.isBlank()) {
      return Path.of(given);
    }
    Process p = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException(SCRIPT + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + SCRIPT, e);
    }
    List<String> lines = out.strip().lines().toList();
    return Path.of(lines.get(lines.size() - 1));
  }
}
