package org.clusteripam.daemon.map;

import java.nio.file.Path;
import org.clusteripam.etcd.file.FileStateStore;

/**
 * Writes {@link MapFixture} into an embedded store directory (to look at the page by hand: then
 * {@code serve --state-dir DIR ...}).
 */
public final class MapFixtureMain {
  public static void main(String[] args) {
    try (FileStateStore s = FileStateStore.open(Path.of(args[0]))) {
      new MapFixture(s);
    }
  }
}
