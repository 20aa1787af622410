package org.clusteripam.daemon.swarm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The per-host cgroup parent ({@code dockerd --cgroup-parent}) under every v1 controller: lists the
 * processes left in it and removes the directories dockerd leaves behind.
 */
final class Cgroups {
  private static final Path ROOT = Path.of("/sys/fs/cgroup");

  private Cgroups() {}

  static Set<Long> pids(String parent) {
    Set<Long> pids = new TreeSet<>();
    for (Path dir : parentDirs(parent)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          if (f.getFileName().toString().equals("cgroup.procs")) {
            for (String l : Files.readAllLines(f)) {
              if (!l.isBlank()) {
                pids.add(Long.parseLong(l.strip()));
              }
            }
          }
        }
      } catch (IOException | RuntimeException gone) {
        // removed meanwhile
      }
    }
    return pids;
  }

  /** Removes the (empty) cgroup directories, deepest first; best effort. */
  static void remove(String parent) {
    for (Path dir : parentDirs(parent)) {
      try (Stream<Path> files = Files.walk(dir)) {
        List<Path> dirs =
            files.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList();
        for (Path d : dirs) {
          Files.deleteIfExists(d);
        }
      } catch (IOException | RuntimeException busy) {
        // a process still inside: the sweep before this one reports it
      }
    }
  }

  private static List<Path> parentDirs(String parent) {
    try (Stream<Path> controllers = Files.list(ROOT)) {
      return controllers.map(c -> c.resolve(parent)).filter(Files::isDirectory).toList();
    } catch (IOException e) {
      return List.of();
    }
  }
}
