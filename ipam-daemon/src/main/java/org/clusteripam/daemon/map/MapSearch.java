package org.clusteripam.daemon.map;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.clusteripam.core.cni.AttachmentId;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * Finds what the map should open for a search: an address or prefix (the pool, block and address
 * holding it); a container by id (in full, or a prefix of at least {@value #MIN_ID_PREFIX}
 * characters that only one container has, as Docker's short ids) or by name; or text matched
 * against network names, block owners (hosts) and address holders (a host, {@code @global}, or a
 * service's VIP holder). CNI containers come from the store (their attachments hold the addresses);
 * Docker's from the {@link ContainerDirectory}, asked only for text that is not an address or
 * prefix.
 */
public final class MapSearch {
  public static final int LIMIT = 50;
  public static final int MIN_ID_PREFIX = 12;

  private MapSearch() {}

  /**
   * One hit: what matched ({@code pool}, {@code block}, {@code address}) and where the map goes to
   * show it.
   */
  public record Hit(
      String type,
      String label,
      String why,
      IpPrefix pool,
      Optional<IpPrefix> block,
      Optional<IpAddress> address) {}

  /** The hits, and notes on what could not be searched or was ambiguous. */
  public record Result(List<Hit> hits, List<String> notes) {}

  /** The store only (no containers beyond CNI attachments). */
  public static List<Hit> search(IpamQueries.Snapshot s, String query) {
    return search(s, query, ContainerDirectory.NONE).hits();
  }

  public static Result search(IpamQueries.Snapshot s, String query, ContainerDirectory containers) {
    String q = query == null ? "" : query.strip();
    List<Hit> hits = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    if (q.isEmpty()) {
      return new Result(hits, notes);
    }
    Optional<IpAddress> addr = parseAddress(q);
    Optional<IpPrefix> prefix = q.contains("/") ? parsePrefix(q) : Optional.empty();
    String needle = q.toLowerCase(Locale.ROOT);
    Set<IpAddress> found = new HashSet<>();
    if (addr.isEmpty() && prefix.isEmpty()) {
      containerHits(s, q, containers, hits, notes);
      hits.forEach(h -> h.address().ifPresent(found::add));
    }
    for (IpamQueries.PoolView p : s.allPools()) {
      if (addr.isPresent() && p.prefix().contains(addr.get())) {
        addressHit(p, addr.get(), hits);
        continue;
      }
      if (prefix.isPresent()) {
        if (p.prefix().equals(prefix.get())) {
          hits.add(
              new Hit(
                  "pool",
                  p.prefix().toString(),
                  "pool",
                  p.prefix(),
                  Optional.empty(),
                  Optional.empty()));
        }
        p.blocks().stream()
            .filter(b -> b.block().equals(prefix.get()))
            .forEach(
                b ->
                    hits.add(
                        new Hit(
                            "block",
                            b.block().toString(),
                            "host block of " + owner(stored(b.owner())),
                            p.prefix(),
                            Optional.of(b.block()),
                            Optional.empty())));
        continue;
      }
      if (addr.isPresent()) {
        continue;
      }
      if (p.name().filter(n -> n.toLowerCase(Locale.ROOT).contains(needle)).isPresent()) {
        hits.add(
            new Hit(
                "pool",
                p.prefix() + " " + p.name().get(),
                "network name",
                p.prefix(),
                Optional.empty(),
                Optional.empty()));
      }
      for (IpamQueries.BlockView b : p.blocks()) {
        if (stored(b.owner()).toLowerCase(Locale.ROOT).contains(needle)) {
          hits.add(
              new Hit(
                  "block",
                  b.block().toString(),
                  "host block of " + stored(b.owner()),
                  p.prefix(),
                  Optional.of(b.block()),
                  Optional.empty()));
        }
        for (IpamQueries.AddressView a : b.addresses()) {
          if (found.contains(a.address())) {
            continue; // already a container hit
          }
          a.holders().stream()
              .map(Holder::format)
              .filter(h -> h.toLowerCase(Locale.ROOT).contains(needle))
              .findFirst()
              .ifPresent(
                  h ->
                      hits.add(
                          new Hit(
                              "address",
                              a.address().toString(),
                              "held by " + h,
                              p.prefix(),
                              Optional.of(b.block()),
                              Optional.of(a.address()))));
        }
      }
      if (hits.size() >= LIMIT) {
        break;
      }
    }
    return new Result(hits.size() > LIMIT ? List.copyOf(hits.subList(0, LIMIT)) : hits, notes);
  }

  /** A container's match: exact id, an id prefix, or its name. */
  private enum How {
    ID,
    PREFIX,
    NAME
  }

  /** A matched container's address, before the ambiguity of id prefixes is settled. */
  private record Found(String container, How how, String why, IpAddress address) {}

  private static How matches(String id, String name, String q) {
    if (id.equalsIgnoreCase(q)) {
      return How.ID;
    }
    if (q.length() >= MIN_ID_PREFIX
        && id.toLowerCase(Locale.ROOT).startsWith(q.toLowerCase(Locale.ROOT))) {
      return How.PREFIX;
    }
    return name != null
            && !name.isEmpty()
            && name.toLowerCase(Locale.ROOT).contains(q.toLowerCase(Locale.ROOT))
        ? How.NAME
        : null;
  }

  private static void containerHits(
      IpamQueries.Snapshot s,
      String q,
      ContainerDirectory containers,
      List<Hit> hits,
      List<String> notes) {
    List<Found> found = new ArrayList<>();
    Map<IpAddress, IpamQueries.PoolView> pools = new HashMap<>();
    for (IpamQueries.PoolView p : s.allPools()) {
      for (IpamQueries.BlockView b : p.blocks()) {
        for (IpamQueries.AddressView a : b.addresses()) {
          for (Holder h : a.holders()) {
            Optional<Holder.CniAttachment> held =
                Optional.of(h)
                    .filter(Holder.CniAttachment.class::isInstance)
                    .map(Holder.CniAttachment.class::cast);
            How how = held.map(x -> matches(x.id().containerId(), null, q)).orElse(null);
            if (how != null) {
              AttachmentId id = held.get().id();
              found.add(
                  new Found(
                      "cni " + held.get().node() + " " + id.containerId(),
                      how,
                      "CNI container "
                          + id.containerId()
                          + " ("
                          + id.ifname()
                          + ") on host "
                          + held.get().node()
                          + ", network "
                          + id.network(),
                      a.address()));
              pools.put(a.address(), p);
            }
          }
        }
      }
    }
    ContainerDirectory.Listing listing = containers.containers();
    if (listing instanceof ContainerDirectory.Unreachable u) {
      notes.add(u.reason() + ": Docker's containers were not searched");
    } else if (listing instanceof ContainerDirectory.Known k) {
      for (ContainerDirectory.Container c : k.containers()) {
        How how = matches(c.id(), c.name(), q);
        if (how != null) {
          String shortId =
              c.id().length() > MIN_ID_PREFIX ? c.id().substring(0, MIN_ID_PREFIX) : c.id();
          c.addresses()
              .forEach(
                  a ->
                      found.add(
                          new Found(
                              "docker " + c.id(),
                              how,
                              "Docker container "
                                  + c.name()
                                  + " ("
                                  + shortId
                                  + ") on network "
                                  + c.network(),
                              a)));
        }
      }
    }
    // As Docker resolves ids: a full id wins over prefixes; a prefix counts only when one container
    // has it.
    boolean exact = found.stream().anyMatch(f -> f.how() == How.ID);
    Set<String> byPrefix = new TreeSet<>();
    found.stream().filter(f -> f.how() == How.PREFIX).forEach(f -> byPrefix.add(f.container()));
    if (!exact && byPrefix.size() > 1) {
      notes.add(
          "container id prefix "
              + q
              + " is ambiguous: "
              + byPrefix.size()
              + " containers have it; give more characters");
    }
    for (Found f : found) {
      if (f.how() == How.PREFIX && (exact || byPrefix.size() > 1)) {
        continue;
      }
      IpamQueries.PoolView p =
          pools.computeIfAbsent(
              f.address(),
              a ->
                  s.allPools().stream()
                      .filter(x -> x.prefix().contains(a))
                      .findFirst()
                      .orElse(null));
      if (p == null) {
        continue; // Docker knows an address the store does not (yet): nothing to open
      }
      Optional<IpPrefix> block =
          p.blocks().stream()
              .map(IpamQueries.BlockView::block)
              .filter(b -> b.contains(f.address()))
              .findFirst();
      hits.add(
          new Hit(
              block.isPresent() ? "address" : "pool",
              f.address().toString(),
              f.why(),
              p.prefix(),
              block,
              block.map(b -> f.address())));
    }
  }

  private static void addressHit(IpamQueries.PoolView p, IpAddress a, List<Hit> hits) {
    for (IpamQueries.BlockView b : p.blocks()) {
      if (!b.block().contains(a)) {
        continue;
      }
      Optional<IpamQueries.AddressView> v =
          b.addresses().stream().filter(x -> x.address().equals(a)).findFirst();
      String why =
          v.map(
                  x ->
                      "held by "
                          + String.join(",", x.holders().stream().map(Holder::format).toList()))
              .orElse(
                  b.cooling().containsKey(a)
                      ? "cooling"
                      : "free, in the host block of " + owner(stored(b.owner())));
      hits.add(
          new Hit(
              "address", a.toString(), why, p.prefix(), Optional.of(b.block()), Optional.of(a)));
      return;
    }
    hits.add(
        new Hit(
            "pool",
            a.toString(),
            "in pool " + p.prefix() + ", in no host block yet",
            p.prefix(),
            Optional.empty(),
            Optional.empty()));
  }

  /** A block's owner as the store keeps it ({@code ""}: none). */
  private static String stored(Optional<Holder> owner) {
    return owner.map(Holder::format).orElse("");
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
