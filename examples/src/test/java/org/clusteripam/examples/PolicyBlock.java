package org.clusteripam.examples;

import java.util.Optional;
import org.clusteripam.core.alloc.AddressPolicy;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.Block;

/**
 * One block of ipam-core's public API, allocated through a policy as the engine does (one holder,
 * no cooldown).
 */
final class PolicyBlock {
  private static final Holder HOLDER = Holder.of("h1");
  private Block block;

  PolicyBlock(IpPrefix pool, IpPrefix block, Optional<IpPrefix> ipRange) {
    this.block = Block.empty(pool, block, ipRange, HOLDER);
  }

  Optional<IpAddress> allocate(AddressPolicy policy) {
    Optional<Block.Picked> p = block.pick(HOLDER, AddressKind.ENDPOINT, policy, 0, 0);
    p.ifPresent(x -> block = x.block());
    return p.map(Block.Picked::address);
  }

  boolean release(IpAddress a) {
    boolean held = block.isAllocated(a);
    block = block.drop(a, HOLDER, 0, 0);
    return held;
  }

  int usedCount() {
    return block.size();
  }
}
