package org.clusteripam.core.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import org.clusteripam.core.ipam.PoolOptions;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.store.StateStore;

/**
 * One configuration the engine's property suites run under, in the manner of Caffeine's {@code
 * CacheSpec}: the pool's addressing mode, its address family, strict affinity and the store. {@link
 * #all()} is the whole matrix; a suite runs each generated case under every entry (so every
 * combination is covered on every run, not by chance) or draws one with {@link #any()}.
 */
public record EngineSpec(Mode mode, IpFamily family, boolean strict, Store store) {

  /** The pool's addressing mode, asked for in RequestPool's options. */
  public enum Mode {
    CLUSTER,
    PER_HOST
  }

  /** The store under the engine. */
  public enum Store {
    /** Each transaction runs once. */
    IN_MEMORY,
    /**
     * Each transaction runs twice, the first run's writes discarded, as after an optimistic
     * conflict.
     */
    RERUNNING
  }

  /** Every combination, in a fixed order. */
  public static List<EngineSpec> all() {
    List<EngineSpec> all = new ArrayList<>();
    for (Mode m : Mode.values()) {
      for (IpFamily f : IpFamily.values()) {
        for (boolean strict : new boolean[] {false, true}) {
          for (Store s : Store.values()) {
            all.add(new EngineSpec(m, f, strict, s));
          }
        }
      }
    }
    return List.copyOf(all);
  }

  /** One combination per try, for suites too slow to run every one. */
  public static Arbitrary<EngineSpec> any() {
    return Arbitraries.of(all());
  }

  /** The store the engine is opened on, over {@code backing} (whose revision the test can read). */
  public StateStore open(InMemoryStateStore backing) {
    return store == Store.RERUNNING ? new RerunningStateStore(backing) : backing;
  }

  /** The RequestPool options that select this mode. */
  public Map<String, String> poolOptions() {
    return mode == Mode.PER_HOST ? Map.of(PoolOptions.ADDRESSING, "per-host") : Map.of();
  }

  /** {@code v4} or {@code v6}, whichever is of this family. */
  public IpPrefix pick(IpPrefix v4, IpPrefix v6) {
    IpPrefix p = family == IpFamily.IPV4 ? v4 : v6;
    if (p.family() != family) {
      throw new IllegalArgumentException(p + " is not " + family);
    }
    return p;
  }

  @Override
  public String toString() {
    return mode.name().toLowerCase(Locale.ROOT).replace('_', '-')
        + "/"
        + family
        + "/"
        + (strict ? "strict" : "borrowing")
        + "/"
        + store.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
