package org.clusteripam.daemon.map;

import java.util.Locale;
import org.clusteripam.core.ipam.Holder;

/** The map's colours, computed once on the server so the page and the SVG agree. */
public final class MapColors {
  /** Utilization above this fraction is drawn with a warning band. */
  public static final double WARN = 0.8;

  private static final double[] STOPS = {0, 0.5, 0.8, 1};
  private static final int[][] RGB = {
    {0xd9, 0xf0, 0xd3}, {0xfd, 0xe0, 0x6f}, {0xf5, 0x8c, 0x2a}, {0xd3, 0x2f, 0x2f}
  };

  private MapColors() {}

  /** Pale green when empty, yellow at half, orange at the warning level, red when full. */
  public static String utilization(double u) {
    double v = Double.isNaN(u) ? 0 : Math.max(0, Math.min(1, u));
    int i = 0;
    while (i < STOPS.length - 2 && v > STOPS[i + 1]) {
      i++;
    }
    double t = (v - STOPS[i]) / (STOPS[i + 1] - STOPS[i]);
    int[] a = RGB[i];
    int[] b = RGB[i + 1];
    return hex(
        (int) Math.round(a[0] + (b[0] - a[0]) * t),
        (int) Math.round(a[1] + (b[1] - a[1]) * t),
        (int) Math.round(a[2] + (b[2] - a[2]) * t));
  }

  /**
   * A stable colour per block owner: hosts spread round the hue circle; the swarm manager's and no
   * one's blocks are grey.
   */
  public static String owner(java.util.Optional<Holder> holder) {
    if (holder.isEmpty()) {
      return "#e0e0e0";
    }
    if (!holder.get().isHost()) {
      return "#bdbdbd";
    }
    String owner = holder.get().format();
    int h = 0x811c9dc5;
    for (int i = 0; i < owner.length(); i++) {
      h = (h ^ owner.charAt(i)) * 0x01000193;
    }
    return HOSTS[Math.floorMod(h ^ (h >>> 15), HOSTS.length)];
  }

  /**
   * Twelve light, mutually distinct colours (ColorBrewer Set3, tuned), so dark labels stay
   * readable.
   */
  private static final String[] HOSTS = {
    "#8dd3c7", "#fdb462", "#bebada", "#fb8072", "#80b1d3", "#b3de69", "#fccde5", "#bc80bd",
    "#ccebc5", "#ffed6f", "#9fd5a5", "#e5c494"
  };

  /** The fill of an address cell by its kind. */
  public static String kind(String kind) {
    return switch (kind) {
      case "gateway" -> "#1e88e5";
      case "vip" -> "#8e24aa";
      case "placeholder" -> "#fb8c00";
      case "cooling" -> "#b3d4f5";
      case "network", "broadcast" -> "#757575";
      default -> "#43a047";
    };
  }

  private static String hex(int r, int g, int b) {
    return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
  }
}
