package org.clusteripam.daemon.map;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.net.IpPrefix;

/**
 * The whole address space at one revision, laid out: one square tile per supernet with each pool at
 * its Hilbert place, and one tile for pools outside every supernet. No addresses: the page fetches
 * a pool's blocks and a block's addresses when it opens them.
 */
public record MapOverview(long revision, String store, List<Tile> tiles) {
  public MapOverview {
    tiles = List.copyOf(tiles);
  }

  /**
   * A tile: a supernet (or the pools outside every supernet, {@code supernet} empty) with its
   * pools. {@code carved} is the fraction of the supernet's addresses given to pools, {@code used}
   * the fraction of the pools' addresses in use.
   */
  public record Tile(
      String id,
      Optional<IpPrefix> supernet,
      int networkLength,
      BigInteger poolSlots,
      double carved,
      BigInteger size,
      long used,
      double utilization,
      List<PoolCell> pools) {
    public Tile {
      pools = List.copyOf(pools);
    }

    /** A supernet past the warning level: carved into pools, or its pools' addresses in use. */
    public boolean warn() {
      return (supernet.isPresent() && carved > MapColors.WARN) || utilization > MapColors.WARN;
    }

    public String title() {
      return supernet.map(IpPrefix::toString).orElse("outside the supernets");
    }
  }

  /** One pool on its tile ({@code rect} in tile units). */
  public record PoolCell(
      IpPrefix prefix,
      Rect rect,
      Optional<String> name,
      boolean dynamic,
      Optional<IpPrefix> placeholders,
      int holders,
      int blocks,
      long used,
      BigInteger size,
      double utilization,
      String fill) {
    public boolean warn() {
      return utilization > MapColors.WARN;
    }
  }

  public static MapOverview of(IpamQueries.Snapshot s, String store) {
    List<Tile> tiles = new ArrayList<>();
    for (IpamQueries.SupernetView sn : s.supernets()) {
      List<PoolCell> cells = new ArrayList<>();
      for (IpamQueries.PoolView p : sn.pools()) {
        cells.add(cell(p, HilbertLayout.place(Rect.UNIT, sn.supernet(), p.prefix())));
      }
      BigInteger carved =
          sn.pools().stream()
              .map(IpamQueries.PoolView::size)
              .reduce(BigInteger.ZERO, BigInteger::add);
      tiles.add(
          tile(
              sn.supernet().toString(),
              Optional.of(sn.supernet()),
              sn.networkLength(),
              sn.poolSlots(),
              fraction(carved, sn.supernet().size()),
              cells,
              sn.pools()));
    }
    if (!s.outside().isEmpty()) {
      // Pools outside every supernet are unrelated prefixes: they go in address order along the
      // curve.
      int depth = 0;
      while ((1L << depth) < s.outside().size()) {
        depth++;
      }
      depth += depth % 2;
      List<PoolCell> cells = new ArrayList<>();
      for (int i = 0; i < s.outside().size(); i++) {
        cells.add(cell(s.outside().get(i), HilbertLayout.place(Rect.UNIT, depth, i)));
      }
      tiles.add(
          tile(
              "outside",
              Optional.empty(),
              0,
              BigInteger.valueOf(s.outside().size()),
              1,
              cells,
              s.outside()));
    }
    return new MapOverview(s.revision(), store, tiles);
  }

  private static Tile tile(
      String id,
      Optional<IpPrefix> supernet,
      int len,
      BigInteger slots,
      double carved,
      List<PoolCell> cells,
      List<IpamQueries.PoolView> pools) {
    BigInteger size =
        pools.stream().map(IpamQueries.PoolView::size).reduce(BigInteger.ZERO, BigInteger::add);
    long used = pools.stream().mapToLong(IpamQueries.PoolView::used).sum();
    return new Tile(
        id,
        supernet,
        len,
        slots,
        carved,
        size,
        used,
        size.signum() == 0 ? 0 : fraction(BigInteger.valueOf(used), size),
        cells);
  }

  private static PoolCell cell(IpamQueries.PoolView p, Rect r) {
    double u = p.utilization();
    return new PoolCell(
        p.prefix(),
        r,
        p.name(),
        p.dynamic(),
        p.placeholders(),
        p.holders().size(),
        p.blocks().size(),
        p.used(),
        p.size(),
        u,
        MapColors.utilization(u));
  }

  static double fraction(BigInteger part, BigInteger whole) {
    return new BigDecimal(part).divide(new BigDecimal(whole), MathContext.DECIMAL64).doubleValue();
  }
}
