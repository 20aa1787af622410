package org.clusteripam.testkit.trace;

import java.util.ArrayList;
import java.util.List;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.engine.IpamQueries.PoolView;
import org.clusteripam.core.net.IpPrefix;

/** Reads the engine's state back through its snapshot query to see what is still held. */
public final class StoreInspector {
  private final IpamQueries queries;

  public StoreInspector(IpamQueries queries) {
    this.queries = queries;
  }

  /**
   * What is still held in {@code pool}: holders and allocated addresses; empty when fully released.
   */
  public List<String> leftovers(IpPrefix pool) {
    List<String> out = new ArrayList<>();
    for (PoolView p : queries.snapshot().allPools()) {
      if (p.prefix().equals(pool)) {
        describe(p, out);
      }
    }
    return out;
  }

  /** Everything still held anywhere in the store. */
  public List<String> allLeftovers() {
    List<String> out = new ArrayList<>();
    queries.snapshot().allPools().forEach(p -> describe(p, out));
    return out;
  }

  private static void describe(PoolView p, List<String> out) {
    if (!p.holders().isEmpty()) {
      out.add(p.prefix() + " still held by " + p.holders());
    }
    p.blocks()
        .forEach(
            b ->
                b.addresses()
                    .forEach(
                        a ->
                            out.add(
                                p.prefix()
                                    + " still allocates "
                                    + a.address()
                                    + " to "
                                    + a.holders())));
  }
}
