package org.clusteripam.daemon.map;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * Finds what the map should open for a search: an address or prefix (the pool, block and address
 * holding it), or text matched against network names, block owners (hosts) and address holders (a
 * host, {@code @global}, or a service's VIP holder; the store keeps no container ids, so a container
 * is found by its address).
 */
public final class MapSearch {
  public static final int LIMIT = 50;

  private MapSearch() {}

  /** One hit: what matched ({@code pool}, {@code block}, {@code address}) and where the map goes to show it. */
  public record Hit(String type, String label, String why, IpPrefix pool, Optional<IpPrefix> block, Optional<IpAddress> address) {}

  public static List<Hit> search(IpamQueries.Snapshot s, String query) {
    String q = query == null ? "" : query.strip();
    List<Hit> hits = new ArrayList<>();
    if (q.isEmpty()) {
      return hits;
    }
    Optional<IpAddress> addr = parseAddress(q);
    Optional<IpPrefix> prefix = q.contains("/") ? parsePrefix(q) : Optional.empty();
    String needle = q.toLowerCase(Locale.ROOT);
    for (IpamQueries.PoolView p : s.allPools()) {
      if (addr.isPresent() && p.prefix().contains(addr.get())) {
        addressHit(p, addr.get(), hits);
        continue;
      }
      if (prefix.isPresent()) {
        if (p.prefix().equals(prefix.get())) {
          hits.add(new Hit("pool", p.prefix().toString(), "pool", p.prefix(), Optional.empty(), Optional.empty()));
        }
        p.blocks().stream().filter(b -> b.block().equals(prefix.get())).forEach(b -> hits.add(
            new Hit("block", b.block().toString(), "host block of " + owner(b.owner()), p.prefix(), Optional.of(b.block()), Optional.empty())));
        continue;
      }
      if (addr.isPresent()) {
        continue;
      }
      if (p.name().filter(n -> n.toLowerCase(Locale.ROOT).contains(needle)).isPresent()) {
        hits.add(new Hit("pool", p.prefix() + " " + p.name().get(), "network name", p.prefix(), Optional.empty(), Optional.empty()));
      }
      for (IpamQueries.BlockView b : p.blocks()) {
        if (b.owner().toLowerCase(Locale.ROOT).contains(needle)) {
          hits.add(new Hit("block", b.block().toString(), "host block of " + b.owner(), p.prefix(), Optional.of(b.block()), Optional.empty()));
        }
        for (IpamQueries.AddressView a : b.addresses()) {
          a.holders().stream().filter(h -> h.toLowerCase(Locale.ROOT).contains(needle)).findFirst().ifPresent(h -> hits.add(
              new Hit("address", a.address().toString(), "held by " + h, p.prefix(), Optional.of(b.block()), Optional.of(a.address()))));
        }
      }
      if (hits.size() >= LIMIT) {
        break;
      }
    }
    return hits.size() > LIMIT ? List.copyOf(hits.subList(0, LIMIT)) : hits;
  }

  private static void addressHit(IpamQueries.PoolView p, IpAddress a, List<Hit> hits) {
    for (IpamQueries.BlockView b : p.blocks()) {
      if (!b.block().contains(a)) {
        continue;
      }
      Optional<IpamQueries.AddressView> v = b.addresses().stream().filter(x -> x.address().equals(a)).findFirst();
      String why = v.map(x -> "held by " + String.join(",", x.holders()))
          .orElse(b.cooling().containsKey(a) ? "cooling" : "free, in the host block of " + owner(b.owner()));
      hits.add(new Hit("address", a.toString(), why, p.prefix(), Optional.of(b.block()), Optional.of(a)));
      return;
    }
    hits.add(new Hit("pool", a.toString(), "in pool " + p.prefix() + ", in no host block yet", p.prefix(), Optional.empty(), Optional.empty()));
  }

  private static String owner(String owner) {
    return owner.isEmpty() ? "no host" : owner;
  }

  private static Optional<IpAddress> parseAddress(String q) {
    try {
      return Optional.of(IpAddress.parse(q));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static Optional<IpPrefix> parsePrefix(String q) {
    try {
      return Optional.of(IpPrefix.parse(q));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
