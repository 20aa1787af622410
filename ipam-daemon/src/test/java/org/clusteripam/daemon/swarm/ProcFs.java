package org.clusteripam.daemon.swarm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Reads /proc: process memory, and the processes a bed left behind (found by its base directory).
 */
final class ProcFs {
  private ProcFs() {}

  static long rssKib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException gone) {
      // exited meanwhile
    }
    return 0;
  }

  /**
   * Pids whose command line mentions {@code marker} (dockerd, containerd, shims of this bed) and
   * all their descendants (containers, plugin processes), which shims re-parent away from dockerd.
   */
  static Set<Long> processesMentioning(String marker) {
    Map<Long, Long> parent = new HashMap<>();
    List<Long> roots = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) procs::iterator) {
        String n = p.getFileName().toString();
        if (!n.chars().allMatch(Character::isDigit)) {
          continue;
        }
        long pid = Long.parseLong(n);
        try {
          String cmdline =
              new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
          String stat = Files.readString(p.resolve("stat"));
          // ppid is the second field after the parenthesised command name.
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          parent.put(pid, Long.parseLong(f[1]));
          if (cmdline.contains(marker) && pid != ProcessHandle.current().pid()) {
            roots.add(pid);
          }
        } catch (IOException | RuntimeException gone) {
          // exited meanwhile
        }
      }
    } catch (IOException e) {
      return Set.of();
    }
    Set<Long> found = new TreeSet<>(roots);
    boolean grew = true;
    while (grew) {
      grew = false;
      for (Map.Entry<Long, Long> e : parent.entrySet()) {
        if (found.contains(e.getValue()) && found.add(e.getKey())) {
          grew = true;
        }
      }
    }
    return found;
  }
}
