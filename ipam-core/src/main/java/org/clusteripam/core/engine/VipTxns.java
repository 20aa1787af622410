package org.clusteripam.core.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.ExhaustedException;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.InvalidRequestException;
import org.clusteripam.core.ipam.Names;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.UnknownPoolException;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.Allocation;
import org.clusteripam.core.state.Block;
import org.clusteripam.core.state.PoolRecord;

/**
 * The transactions behind service VIPs. A VIP is an allocation held by a {@link Holder.Vip} in a
 * block its host owns; it is looked up there (replay) before a new one is picked, lowest free
 * first. Pure functions of what they read.
 */
final class VipTxns {
  private final IpamConfig config;
  private final AddressTxns addressTxns;
  private final long cooldownMillis;

  VipTxns(IpamConfig config, AddressTxns addressTxns) {
    this.config = config;
    this.addressTxns = addressTxns;
    this.cooldownMillis = config.cooldown().toMillis();
  }

  /**
   * The hot path: only the blocks the host owns according to the (untracked) hint are read. Returns
   * null when none of them holds the VIP or has room.
   */
  IpAddress fastTxn(
      StateView sv, IpPrefix pool, Holder host, Holder.Vip vip, List<IpPrefix> hinted, long now) {
    List<Block> mine = new ArrayList<>();
    for (IpPrefix b : hinted) {
      Optional<Block> ob = sv.block(pool, b);
      if (ob.isPresent() && ob.get().isOwnedBy(host) && ob.get().pool().equals(pool)) {
        mine.add(ob.get());
      }
    }
    return existingOrPick(sv, mine, vip, now).orElse(null);
  }

  /** Every block the host owns (tracked pool read), then a claim; never a borrow. */
  IpAddress slowTxn(
      StateView sv, IpPrefix pool, Holder host, Holder.Vip vip, long now, Candidates cands) {
    PoolRecord rec =
        sv.pool(pool, host).orElseThrow(() -> new UnknownPoolException(new PoolId("pool/" + pool)));
    List<IpPrefix> owned = new ArrayList<>(sv.affinity(pool, host).blocks());
    List<Block> mine = new ArrayList<>();
    for (IpPrefix b : owned) {
      sv.block(pool, b).filter(x -> x.isOwnedBy(host)).ifPresent(mine::add);
    }
    Optional<IpAddress> got = existingOrPick(sv, mine, vip, now);
    if (got.isEmpty()) {
      got = addressTxns.claimAndPick(sv, rec, host, vip, AddressKind.ENDPOINT, false, now, cands);
    }
    return got.orElseThrow(() -> exhausted(rec, host, owned, vip));
  }

  private Optional<IpAddress> existingOrPick(
      StateView sv, List<Block> mine, Holder.Vip vip, long now) {
    for (Block b : mine) {
      Optional<IpAddress> held = find(b, vip);
      if (held.isPresent()) {
        return held; // a replay
      }
    }
    for (Block b : mine) {
      Optional<Block.Picked> p =
          b.pick(vip, AddressKind.ENDPOINT, config.policyFor(false), now, cooldownMillis);
      if (p.isPresent()) {
        sv.put(p.get().block());
        return Optional.of(p.get().address());
      }
    }
    return Optional.empty();
  }

  private static Optional<IpAddress> find(Block b, Holder.Vip vip) {
    for (Map.Entry<IpAddress, Allocation> e : b.allocations().entrySet()) {
      if (e.getValue().holders().contains(vip)) {
        return Optional.of(e.getKey());
      }
    }
    return Optional.empty();
  }

  private static ExhaustedException exhausted(
      PoolRecord rec, Holder host, List<IpPrefix> owned, Holder.Vip vip) {
    IpPrefix pool = rec.prefix();
    String why = "no free address for " + vip.describe();
    String tail = " (service VIPs are never borrowed from other hosts' blocks)";
    if (!owned.isEmpty()) {
      IpPrefix last = owned.get(owned.size() - 1);
      String blocks =
          owned.size() == 1 ? "host block " + last : "host blocks " + owned.get(0) + " to " + last;
      return new ExhaustedException(
          ExhaustedException.Level.HOST_BLOCK,
          last,
          why
              + ": "
              + blocks
              + " of pool "
              + pool
              + " are full and no free block is left to claim"
              + tail);
    }
    if (rec.ipRange().isPresent()) {
      IpPrefix r = rec.ipRange().get();
      return new ExhaustedException(
          ExhaustedException.Level.IP_RANGE,
          r,
          why + ": no free block left to claim in ip-range " + r + " of pool " + pool + tail);
    }
    return new ExhaustedException(
        ExhaustedException.Level.POOL,
        pool,
        why + ": no free block left to claim in pool " + pool + tail);
  }

  /** The holder of {@code host}'s VIP of a service, refusing a malformed service id. */
  static Holder.Vip vip(HostId host, String serviceId) {
    if (!Names.isValid(serviceId, Holder.Vip.MAX_SERVICE)) {
      throw new InvalidRequestException(
          Names.problem("service id", Holder.Vip.MAX_SERVICE, serviceId));
    }
    return new Holder.Vip(host, serviceId);
  }

  /** Drops the VIP from the given blocks; true when it was found. */
  boolean releaseIn(
      StateView sv, IpPrefix pool, Holder host, Holder.Vip vip, List<IpPrefix> blocks, long now) {
    boolean found = false;
    for (IpPrefix b : blocks) {
      Optional<Block> ob = sv.block(pool, b);
      if (ob.isPresent() && ob.get().pool().equals(pool) && find(ob.get(), vip).isPresent()) {
        sv.put(ob.get().dropAll(vip::equals, now, cooldownMillis));
        found = true;
      }
    }
    return found;
  }

  /** Every block the host owns in the pool, by a tracked read of its affinity key. */
  List<IpPrefix> ownedBlocks(StateView sv, IpPrefix pool, Holder host) {
    return new ArrayList<>(sv.affinity(pool, host).blocks());
  }

  /** Service id → VIP of the host, from the host's blocks. */
  TreeMap<String, IpAddress> list(StateView sv, IpPrefix pool, Holder host) {
    TreeMap<String, IpAddress> out = new TreeMap<>();
    for (IpPrefix b : ownedBlocks(sv, pool, host)) {
      sv.block(pool, b)
          .ifPresent(
              blk ->
                  blk.allocations()
                      .forEach(
                          (a, al) ->
                              al.holders()
                                  .forEach(
                                      h -> {
                                        if (h instanceof Holder.Vip v && host.isSelfOrVipOf(v)) {
                                          out.putIfAbsent(v.service(), a);
                                        }
                                      })));
    }
    return out;
  }
}
