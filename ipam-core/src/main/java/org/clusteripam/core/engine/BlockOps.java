package org.clusteripam.core.engine;

import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.clusteripam.core.alloc.AddressPolicy;
import org.clusteripam.core.alloc.BlockAllocator;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.state.Allocation;
import org.clusteripam.core.state.BlockRecord;

/** Pure transformations of a stored block through {@link BlockAllocator}. */
final class BlockOps {
  private BlockOps() {}

  /** The outcome of a pick: the new block value and the address it handed out. */
  record Picked(BlockRecord block, IpAddress address) {}

  static BlockAllocator load(BlockRecord b, long cooldownMillis) {
    BlockAllocator a = new BlockAllocator(b.pool(), b.block(), b.ipRange(), cooldownMillis);
    b.allocations().keySet().forEach(a::load);
    b.cooling().forEach(a::loadCooling);
    a.setSerialCursor(b.serialCursor());
    return a;
  }

  /** A dynamic pick in {@code b}, or empty when it has no free address for this request. */
  static Optional<Picked> pick(BlockRecord b, String holder, AddressKind kind, AddressPolicy policy, long now, long cooldownMillis) {
    BlockAllocator a = load(b, cooldownMillis);
    Optional<IpAddress> got = a.allocate(policy, now);
    if (got.isEmpty()) {
      return Optional.empty();
    }
    TreeMap<IpAddress, Allocation> allocs = new TreeMap<>(b.allocations());
    allocs.put(got.get(), new Allocation(kind, new TreeSet<>(java.util.Set.of(holder)), now));
    BlockRecord nb = new BlockRecord(b.pool(), b.block(), b.ipRange(), b.owner(), allocs, a.serialCursor(), new TreeMap<>(a.cooling(now)));
    return Optional.of(new Picked(nb, got.get()));
  }

  /** {@code b} with {@code address} newly allocated (it must be free). */
  static BlockRecord take(BlockRecord b, IpAddress address, String holder, AddressKind kind, long now, long cooldownMillis) {
    BlockAllocator a = load(b, cooldownMillis);
    a.take(address);
    TreeMap<IpAddress, Allocation> allocs = new TreeMap<>(b.allocations());
    allocs.put(address, new Allocation(kind, new TreeSet<>(java.util.Set.of(holder)), now));
    return new BlockRecord(b.pool(), b.block(), b.ipRange(), b.owner(), allocs, b.serialCursor(), new TreeMap<>(a.cooling(now)));
  }

  /** {@code b} with {@code holder}'s reference to {@code address} dropped, freeing it if it was the last. */
  static BlockRecord drop(BlockRecord b, IpAddress address, String holder, long now, long cooldownMillis) {
    Allocation al = b.allocations().get(address);
    if (al == null || !al.holders().contains(holder)) {
      return b;
    }
    TreeMap<IpAddress, Allocation> allocs = new TreeMap<>(b.allocations());
    TreeSet<String> h = new TreeSet<>(al.holders());
    h.remove(holder);
    TreeMap<IpAddress, Long> cooling = new TreeMap<>();
    b.cooling().forEach((x, t) -> {
      if (t + cooldownMillis > now) {
        cooling.put(x, t);
      }
    });
    if (h.isEmpty()) {
      allocs.remove(address);
      if (cooldownMillis > 0) {
        cooling.put(address, now);
      }
    } else {
      allocs.put(address, al.withHolders(h));
    }
    return new BlockRecord(b.pool(), b.block(), b.ipRange(), b.owner(), allocs, b.serialCursor(), cooling);
  }

  /** {@code b} with every reference of {@code holder} dropped. */
  static BlockRecord dropAll(BlockRecord b, String holder, long now, long cooldownMillis) {
    return dropAll(b, holder::equals, now, cooldownMillis);
  }

  /** {@code b} with every reference of a holder that {@code which} accepts dropped. */
  static BlockRecord dropAll(BlockRecord b, java.util.function.Predicate<String> which, long now, long cooldownMillis) {
    BlockRecord out = b;
    for (var e : b.allocations().entrySet()) {
      for (String h : e.getValue().holders()) {
        if (which.test(h)) {
          out = drop(out, e.getKey(), h, now, cooldownMillis);
        }
      }
    }
    return out;
  }

  /** {@code b} with {@code holder} added to the holders of {@code address} (which must be allocated). */
  static BlockRecord share(BlockRecord b, IpAddress address, String holder) {
    Allocation al = b.allocations().get(address);
    TreeSet<String> h = new TreeSet<>(al.holders());
    h.add(holder);
    TreeMap<IpAddress, Allocation> allocs = new TreeMap<>(b.allocations());
    allocs.put(address, al.withHolders(h));
    return new BlockRecord(b.pool(), b.block(), b.ipRange(), b.owner(), allocs, b.serialCursor(), b.cooling());
  }

  /** {@code b} with {@code address} (allocated) marked as standing for {@code placeholder}. */
  static BlockRecord markPlaceholder(BlockRecord b, IpAddress address, IpAddress placeholder) {
    TreeMap<IpAddress, Allocation> allocs = new TreeMap<>(b.allocations());
    allocs.put(address, b.allocations().get(address).withPlaceholder(placeholder));
    return new BlockRecord(b.pool(), b.block(), b.ipRange(), b.owner(), allocs, b.serialCursor(), b.cooling());
  }
}
