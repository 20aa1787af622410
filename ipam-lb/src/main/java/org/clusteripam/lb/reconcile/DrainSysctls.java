package org.clusteripam.lb.reconcile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The IPVS sysctls that make draining work, as Docker and kube-proxy set them: connections to a
 * deleted destination expire at once instead of blackholing (expire_nodest_conn), and persistence
 * templates of a quiescent (weight 0) destination expire so clients move on
 * (expire_quiescent_template). The /proc/sys root is injectable for tests.
 */
public final class DrainSysctls {
  public static final List<String> NAMES =
      List.of("net.ipv4.vs.expire_nodest_conn", "net.ipv4.vs.expire_quiescent_template");

  private final Path procSys;

  public DrainSysctls(Path procSys) {
    this.procSys = procSys;
  }

  public static DrainSysctls system() {
    return new DrainSysctls(Path.of("/proc/sys"));
  }

  /** Sets each to 1 where it is not already, and reports before/after. */
  public List<SysctlSetting> apply() {
    List<SysctlSetting> out = new ArrayList<>();
    for (String name : NAMES) {
      Path file = procSys.resolve(name.replace('.', '/'));
      try {
        String before = Files.readString(file, StandardCharsets.US_ASCII).trim();
        if (!before.equals("1")) {
          Files.writeString(file, "1\n", StandardCharsets.US_ASCII);
        }
        String after = Files.readString(file, StandardCharsets.US_ASCII).trim();
        out.add(new SysctlSetting(name, before, after));
      } catch (IOException e) {
        throw new UncheckedIOException("sysctl " + name + " at " + file, e);
      }
    }
    return out;
  }
}
