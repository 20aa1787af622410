package org.clusteripam.daemon.map;

import java.util.Locale;

/**
 * The overview as one static SVG document (for {@code show --svg} and {@code /v1/map.svg}): each
 * supernet a square tile with its pools where the page draws them, coloured by utilization, a red
 * warning band over a tile or outline round a pool past the warning level, and a legend.
 */
public final class MapSvg {
  static final double TILE = 480;
  static final double GAP = 24;
  static final double HEAD = 58;
  static final double LEGEND = 44;

  private MapSvg() {}

  public static String render(MapOverview o) {
    int n = Math.max(1, o.tiles().size());
    double width = GAP + n * (TILE + GAP);
    double height = GAP + HEAD + TILE + GAP + LEGEND;
    StringBuilder b = new StringBuilder();
    b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(num(width))
        .append("\" height=\"")
        .append(num(height))
        .append("\" viewBox=\"0 0 ")
        .append(num(width))
        .append(' ')
        .append(num(height))
        .append("\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" data-revision=\"")
        .append(o.revision())
        .append("\">\n");
    b.append("<title>cluster-ipam address map, ")
        .append(esc(o.store()))
        .append(", revision ")
        .append(o.revision())
        .append("</title>\n");
    b.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    double x = GAP;
    for (MapOverview.Tile t : o.tiles()) {
      tile(b, t, x, GAP);
      x += TILE + GAP;
    }
    if (o.tiles().isEmpty()) {
      b.append("<text x=\"")
          .append(num(GAP))
          .append("\" y=\"")
          .append(num(GAP + HEAD))
          .append("\" font-size=\"14\">no pools yet</text>\n");
    }
    legend(b, GAP, GAP + HEAD + TILE + GAP);
    b.append("</svg>\n");
    return b.toString();
  }

  private static void tile(StringBuilder b, MapOverview.Tile t, double x, double y) {
    b.append("<g class=\"tile\" data-id=\"")
        .append(esc(t.id()))
        .append("\"")
        .append(t.warn() ? " data-warn=\"true\"" : "")
        .append(">\n");
    b.append("<text class=\"tile-title\" x=\"")
        .append(num(x))
        .append("\" y=\"")
        .append(num(y + 18))
        .append("\" font-size=\"17\" font-weight=\"bold\" fill=\"#212121\">")
        .append(esc(t.title()))
        .append("</text>\n");
    String stats =
        t.supernet().isPresent()
            ? String.format(
                Locale.ROOT,
                "%d of %s /%d pools · %s carved · %s of pool addresses used",
                t.pools().size(),
                t.poolSlots(),
                t.networkLength(),
                pct(t.carved()),
                pct(t.utilization()))
            : String.format(
                Locale.ROOT,
                "%d pools · %s of their addresses used",
                t.pools().size(),
                pct(t.utilization()));
    b.append("<text class=\"tile-stats\" x=\"")
        .append(num(x))
        .append("\" y=\"")
        .append(num(y + 38))
        .append("\" font-size=\"12\" fill=\"#555\">")
        .append(esc(stats))
        .append("</text>\n");
    double top = y + HEAD;
    if (t.warn()) {
      b.append("<rect class=\"warn-band\" x=\"")
          .append(num(x))
          .append("\" y=\"")
          .append(num(top - 12))
          .append("\" width=\"")
          .append(num(TILE))
          .append("\" height=\"8\" fill=\"#c62828\"><title>above ")
          .append(pct(MapColors.WARN))
          .append("</title></rect>\n");
    }
    b.append("<rect class=\"tile-bg\" x=\"")
        .append(num(x))
        .append("\" y=\"")
        .append(num(top))
        .append("\" width=\"")
        .append(num(TILE))
        .append("\" height=\"")
        .append(num(TILE))
        .append("\" fill=\"#f4f5f7\" stroke=\"#cfd3da\"/>\n");
    for (MapOverview.PoolCell p : t.pools()) {
      Rect r = p.rect().within(new Rect(x, top, TILE, TILE));
      double w = Math.max(r.w(), 2);
      double h = Math.max(r.h(), 2);
      b.append("<rect class=\"pool\" data-prefix=\"")
          .append(p.prefix())
          .append("\" x=\"")
          .append(num(r.x()))
          .append("\" y=\"")
          .append(num(r.y()))
          .append("\" width=\"")
          .append(num(w))
          .append("\" height=\"")
          .append(num(h))
          .append("\" fill=\"")
          .append(p.fill())
          .append("\" stroke=\"")
          .append(p.warn() ? "#b71c1c" : "#ffffff")
          .append("\" stroke-width=\"")
          .append(p.warn() ? "2" : "0.5")
          .append("\">")
          .append("<title>")
          .append(esc(poolTitle(p)))
          .append("</title></rect>\n");
      if (w >= 64 && h >= 30) {
        double cx = r.x() + w / 2;
        double cy = r.y() + h / 2;
        b.append("<text class=\"pool-label\" x=\"")
            .append(num(cx))
            .append("\" y=\"")
            .append(num(cy - (h >= 46 ? 6 : 0)))
            .append("\" font-size=\"11\" text-anchor=\"middle\" fill=\"#212121\">")
            .append(p.prefix())
            .append("</text>\n");
        if (h >= 46) {
          b.append("<text class=\"pool-util\" x=\"")
              .append(num(cx))
              .append("\" y=\"")
              .append(num(cy + 9))
              .append("\" font-size=\"10\" text-anchor=\"middle\" fill=\"#424242\">")
              .append(esc(p.name().map(s -> s + " · ").orElse("") + pct(p.utilization())))
              .append("</text>\n");
        }
      }
    }
    b.append("</g>\n");
  }

  static String poolTitle(MapOverview.PoolCell p) {
    return p.prefix()
        + p.name().map(s -> " " + s).orElse("")
        + (p.placeholders().isPresent() ? " (per-host)" : "")
        + ": "
        + p.used()
        + " of "
        + p.size()
        + " used ("
        + pct(p.utilization())
        + "), "
        + p.blocks()
        + " host blocks"
        + (p.warn() ? ", above " + pct(MapColors.WARN) : "");
  }

  private static void legend(StringBuilder b, double x, double y) {
    b.append("<g class=\"legend\">\n");
    double[] stops = {0, 0.25, 0.5, 0.65, 0.8, 0.9, 1};
    for (int i = 0; i < stops.length; i++) {
      double lx = x + i * 58;
      b.append("<rect x=\"")
          .append(num(lx))
          .append("\" y=\"")
          .append(num(y))
          .append("\" width=\"56\" height=\"14\" fill=\"")
          .append(MapColors.utilization(stops[i]))
          .append("\"/>");
      b.append("<text x=\"")
          .append(num(lx))
          .append("\" y=\"")
          .append(num(y + 28))
          .append("\" font-size=\"10\" fill=\"#555\">")
          .append(pct(stops[i]))
          .append("</text>\n");
    }
    b.append("<text x=\"")
        .append(num(x + stops.length * 58 + 8))
        .append("\" y=\"")
        .append(num(y + 11))
        .append("\" font-size=\"11\" fill=\"#555\">pool utilization; red outline or band: above ")
        .append(pct(MapColors.WARN))
        .append("</text>\n");
    b.append("</g>\n");
  }

  static String pct(double f) {
    double p = f * 100;
    if (p > 0 && p < 0.1) {
      return "<0.1%";
    }
    return String.format(Locale.ROOT, p < 10 && p != Math.rint(p) ? "%.1f%%" : "%.0f%%", p);
  }

  private static String num(double v) {
    if (v == Math.rint(v)) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
