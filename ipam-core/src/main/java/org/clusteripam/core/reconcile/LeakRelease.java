package org.clusteripam.core.reconcile;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.clusteripam.core.ipam.DriverIpam;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;

/**
 * Releases what {@link LeakDecider} judged leaked, after one more look at Docker (through the
 * {@link DockerView} port) and at the store: an address that became live, or was freed and handed
 * out again since the decision, is kept; an address's release is conditional on the allocation
 * being the one judged leaked (atomic with the store); a pool whose network Docker shows again is
 * kept. Docker unreadable: nothing is released this time.
 */
public final class LeakRelease {
  private LeakRelease() {}

  /** What happened to one leak. */
  public sealed interface Outcome permits Released, Kept, Postponed {
    /** The leak; null for {@link Postponed}. */
    Finding leak();
  }

  /** Released: this host's hold on the address (or its pool reference) is gone. */
  public record Released(Finding leak) implements Outcome {}

  /**
   * Kept: Docker uses it again ({@code live}), or the store's allocation is no longer the one
   * judged leaked ({@code changed}).
   */
  public record Kept(Finding leak, boolean live, boolean changed) implements Outcome {}

  /** Docker could not be read again: every leak waits for a later pass. */
  public record Postponed(RuntimeException why) implements Outcome {
    @Override
    public Finding leak() {
      return null;
    }
  }

  /**
   * Whether {@code leak} is still one after the re-check: empty when it may be released, else the
   * reason it is kept. Pure.
   */
  public static Optional<Kept> recheck(
      Finding leak, HostId node, DockerState fresh, StoreView now) {
    if (leak instanceof Finding.LeakedAddress l) {
      boolean live = fresh.networks().stream().anyMatch(n -> n.live().contains(l.address()));
      boolean unchanged =
          now.addresses().stream()
              .anyMatch(
                  a ->
                      a.pool().equals(l.pool())
                          && a.address().equals(l.address())
                          && a.generation() == l.generation()
                          && a.holders().contains(Holder.of(node)));
      return live || !unchanged ? Optional.of(new Kept(leak, live, !unchanged)) : Optional.empty();
    }
    if (leak instanceof Finding.LeakedPool l) {
      boolean exists = fresh.networks().stream().anyMatch(n -> n.subnets().contains(l.subnet()));
      return exists ? Optional.of(new Kept(leak, true, false)) : Optional.empty();
    }
    throw new IllegalArgumentException("not a leak: " + leak);
  }

  /**
   * Re-checks every leak against Docker now and the store now, then releases those still leaked.
   *
   * @param store the store's view of {@code node} as of now (read after Docker)
   */
  public static List<Outcome> release(
      List<Finding> leaks,
      HostId node,
      DockerView docker,
      Supplier<StoreView> store,
      DriverIpam ipam) {
    Objects.requireNonNull(node, "node");
    DockerState fresh;
    try {
      Optional<DockerState> read = docker.current();
      if (read.isEmpty()) {
        return List.of(new Postponed(new IllegalStateException("Docker cannot be read")));
      }
      fresh = read.get();
    } catch (RuntimeException e) {
      return List.of(new Postponed(e));
    }
    StoreView now = store.get();
    List<Outcome> out = new ArrayList<>();
    for (Finding f : leaks) {
      Optional<Kept> kept = recheck(f, node, fresh, now);
      if (kept.isPresent()) {
        out.add(kept.get());
      } else if (f instanceof Finding.LeakedAddress l) {
        // An address freed and handed out again since the re-check is a new allocation (another
        // since) and stays.
        out.add(
            ipam.releaseAddressIfUnchanged(node, l.pool(), l.address(), l.generation())
                ? new Released(f)
                : new Kept(f, false, true));
      } else if (f instanceof Finding.LeakedPool l) {
        ipam.releasePool(node, l.pool());
        out.add(new Released(f));
      }
    }
    return out;
  }
}
