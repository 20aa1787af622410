package org.clusteripam.daemon.cni;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real CNI executables of the tests: the shim built from packaging/cni with gcc, Debian 12's
 * plugins (bridge 1.1.1) and unstable's (1.9.1, unpacked by scripts/prereqs/cni.sh), each set in a
 * directory of its own with the shim beside them, as CNI_PATH wants. Built once per JVM.
 */
final class CniPlugins {
  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static final Path BOOKWORM = Path.of("/usr/lib/cni");
  private static Path shim;
  private static Path unstable;

  private CniPlugins() {}

  /** The shim executable, compiled into target/. */
  static synchronized Path shim() throws IOException, InterruptedException {
    if (shim == null) {
      Path out = Path.of("target", "cni", "cluster-ipam").toAbsolutePath();
      Files.createDirectories(out.getParent());
      Exec.ok("sh " + REPO.resolve("packaging/cni/build.sh") + " " + out);
      shim = out;
    }
    return shim;
  }

  /** unstable's plugin directory (1.9.1). */
  static synchronized Path unstable() throws IOException, InterruptedException {
    if (unstable == null) {
      String out =
          Exec.ok("bash " + REPO.resolve("scripts/prereqs/cni.sh") + " 2>/dev/null").strip();
      unstable = Path.of(out.substring(out.lastIndexOf('\n') + 1));
    }
    return unstable;
  }

  /**
   * A CNI_PATH directory holding the plugins of {@code from} (bridge, loopback, ...) and the shim.
   */
  static Path binDir(Path from, Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    for (String p :
        new String[] {"bridge", "loopback", "host-local", "portmap", "firewall", "tuning"}) {
      if (Files.exists(from.resolve(p))) {
        Files.createSymbolicLink(dir.resolve(p), from.resolve(p));
      }
    }
    Files.createSymbolicLink(dir.resolve("cluster-ipam"), shim());
    return dir;
  }
}
