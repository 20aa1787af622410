package org.clusteripam.daemon.map;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;

/**
 * One host block opened on the map: every address that is not simply free, at its Hilbert place in
 * the block's square, with its kind (gateway, endpoint, vip, placeholder; cooling for a released
 * address in its reuse cooldown; network and broadcast for the pool's own reserved addresses; free,
 * in blocks small enough to draw every address).
 */
public record BlockDetail(
    IpamQueries.PoolView pool, PoolDetail.BlockCell block, List<AddressCell> addresses) {
  /** Blocks of up to 2^10 addresses list their free ones too, so the page can draw every cell. */
  static final int FREE_CELLS_UP_TO = 10;

  /** One address; {@code sinceMillis} is when it was allocated, or released when cooling. */
  public record AddressCell(
      IpAddress address,
      Rect rect,
      String kind,
      SortedSet<Holder> holders,
      long sinceMillis,
      Optional<String> service,
      String fill) {}

  public static BlockDetail of(PoolDetail pool, IpPrefix block) {
    IpamQueries.PoolView p = pool.pool();
    IpamQueries.BlockView b =
        p.blocks().stream()
            .filter(x -> x.block().equals(block))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "no host block " + block + " in pool " + p.prefix()));
    PoolDetail.BlockCell cell =
        pool.blocks().stream().filter(x -> x.block().equals(block)).findFirst().orElseThrow();
    List<AddressCell> out = new ArrayList<>();
    TreeSet<IpAddress> seen = new TreeSet<>();
    for (IpamQueries.AddressView a : b.addresses()) {
      String kind =
          a.kind() == AddressKind.GATEWAY
              ? "gateway"
              : a.vipService().isPresent()
                  ? "vip"
                  : p.placeholders().filter(r -> r.contains(a.address())).isPresent()
                      ? "placeholder"
                      : "endpoint";
      out.add(address(b.block(), a.address(), kind, a.holders(), a.sinceMillis(), a.vipService()));
      seen.add(a.address());
    }
    b.cooling()
        .forEach(
            (a, t) ->
                out.add(address(b.block(), a, "cooling", new TreeSet<>(), t, Optional.empty())));
    seen.addAll(b.cooling().keySet());
    reservedCell(b.block(), p.prefix().first(), "network", seen, out);
    if (p.prefix().family() == IpFamily.IPV4 && p.prefix().length() <= 30) {
      reservedCell(b.block(), p.prefix().last(), "broadcast", seen, out);
    }
    p.gateway().ifPresent(g -> reservedCell(b.block(), g, "gateway", seen, out));
    if (b.block().hostBits() <= FREE_CELLS_UP_TO) {
      for (long i = 0; i < b.block().sizeAsLong(); i++) {
        IpAddress a = b.block().addressAt(i);
        if (!seen.contains(a)) {
          out.add(address(b.block(), a, "free", new TreeSet<>(), 0, Optional.empty()));
        }
      }
    }
    out.sort(java.util.Comparator.comparing(AddressCell::address));
    return new BlockDetail(p, cell, out);
  }

  private static void reservedCell(
      IpPrefix block, IpAddress a, String kind, TreeSet<IpAddress> seen, List<AddressCell> out) {
    if (block.contains(a) && seen.add(a)) {
      out.add(address(block, a, kind, new TreeSet<>(), 0, Optional.empty()));
    }
  }

  private static AddressCell address(
      IpPrefix block,
      IpAddress a,
      String kind,
      SortedSet<Holder> holders,
      long since,
      Optional<String> service) {
    Rect r = HilbertLayout.place(Rect.UNIT, block, IpPrefix.of(a, a.family().bits()));
    return new AddressCell(
        a, r, kind.toLowerCase(Locale.ROOT), holders, since, service, MapColors.kind(kind));
  }
}
