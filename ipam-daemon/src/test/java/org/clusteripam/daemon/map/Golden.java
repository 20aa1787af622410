package org.clusteripam.daemon.map;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Screenshots compared with reviewed golden images: the share of pixels whose colour differs by
 * more than a small step (anti-aliasing and font hinting move edges by a shade) must stay under a
 * tolerance. Each screenshot is also written to {@code target/map-screenshots/} for review; with
 * {@code -Dmap.golden.update=true} it replaces the golden image in the sources.
 */
final class Golden {
  static final Path SOURCES = Path.of("src/test/resources/org/clusteripam/daemon/map/golden");
  static final Path OUT = Path.of("target/map-screenshots");
  private static final int STEP = 40;

  private Golden() {}

  /**
   * The differing-pixel ratio of {@code png} against golden {@code name}; fails when it exceeds
   * {@code tolerance}.
   */
  static double check(String name, byte[] png, double tolerance) throws IOException {
    Files.createDirectories(OUT);
    Files.write(OUT.resolve(name), png);
    if (Boolean.getBoolean("map.golden.update")) {
      Files.createDirectories(SOURCES);
      Files.write(SOURCES.resolve(name), png);
      return 0;
    }
    var golden = Golden.class.getResourceAsStream("golden/" + name);
    if (golden == null) {
      throw new AssertionError(
          "no golden image "
              + name
              + ": review "
              + OUT.resolve(name).toAbsolutePath()
              + " and run with -Dmap.golden.update=true");
    }
    BufferedImage want;
    try (golden) {
      want = ImageIO.read(golden);
    }
    BufferedImage got = ImageIO.read(new ByteArrayInputStream(png));
    double ratio = diff(want, got);
    if (ratio > tolerance) {
      throw new AssertionError(
          String.format(
              "screenshot %s differs from its golden image in %.2f%% of its pixels (tolerance %.2f%%): see %s",
              name, ratio * 100, tolerance * 100, OUT.resolve(name).toAbsolutePath()));
    }
    return ratio;
  }

  /**
   * The share of pixels that differ by more than {@link #STEP} in some channel (1 when the sizes
   * differ).
   */
  static double diff(BufferedImage a, BufferedImage b) {
    if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
      return 1;
    }
    long differ = 0;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        int p = a.getRGB(x, y);
        int q = b.getRGB(x, y);
        if (Math.abs((p >> 16 & 255) - (q >> 16 & 255)) > STEP
            || Math.abs((p >> 8 & 255) - (q >> 8 & 255)) > STEP
            || Math.abs((p & 255) - (q & 255)) > STEP) {
          differ++;
        }
      }
    }
    return (double) differ / ((long) a.getWidth() * a.getHeight());
  }
}
