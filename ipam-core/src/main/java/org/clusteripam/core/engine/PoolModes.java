package org.clusteripam.core.engine;

import java.util.Map;
import java.util.Optional;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.InvalidRequestException;
import org.clusteripam.core.ipam.PoolOptions;
import org.clusteripam.core.net.IpFormatException;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.PoolRecord;

/**
 * The {@link AddressingMode} of a pool: asked for in RequestPool options, kept in the pool record.
 */
final class PoolModes {
  private PoolModes() {}

  /** The mode of a stored pool (its options were validated when it was created). */
  static AddressingMode of(PoolRecord rec) {
    try {
      return forRequest(rec.prefix(), rec.blockLength(), rec.ipRange(), rec.options());
    } catch (InvalidRequestException e) {
      return AddressingMode.CLUSTER; // a record written before the option was understood
    }
  }

  /**
   * The mode a new pool's options ask for, validated against the pool: {@code addressing=per-host}
   * reserves {@code placeholders=CIDR}, by default the top quarter of the pool (at least one
   * block). The range must lie inside the pool, consist of whole blocks and leave room for host
   * blocks.
   *
   * @throws InvalidRequestException an unknown mode, a malformed or misplaced range, or an ip-range
   *     combined with per-host addressing
   */
  static AddressingMode forRequest(
      IpPrefix pool, int blockLength, Optional<IpPrefix> ipRange, Map<String, String> options) {
    String mode = options.get(PoolOptions.ADDRESSING);
    String range = options.get(PoolOptions.PLACEHOLDERS);
    if (mode == null || mode.isBlank()) {
      if (range != null) {
        throw new InvalidRequestException(
            "the ipam option placeholders= needs addressing=per-host");
      }
      return AddressingMode.CLUSTER;
    }
    switch (mode.strip()) {
      case "cluster":
        if (range != null) {
          throw new InvalidRequestException(
              "the ipam option placeholders= needs addressing=per-host, not cluster");
        }
        return AddressingMode.CLUSTER;
      case "per-host":
        break;
      default:
        throw new InvalidRequestException(
            "unknown addressing mode \""
                + mode
                + "\": use addressing=cluster or addressing=per-host");
    }
    if (ipRange.isPresent()) {
      throw new InvalidRequestException(
          "addressing=per-host does not combine with an ip-range ("
              + ipRange.get()
              + "): the placeholder range (ipam option placeholders=CIDR) splits the pool instead");
    }
    if (blockLength <= pool.length()) {
      throw new InvalidRequestException(
          "pool "
              + pool
              + " is a single host block (/"
              + blockLength
              + "): addressing=per-host needs room for a placeholder range and host blocks");
    }
    IpPrefix ph;
    if (range == null || range.isBlank()) {
      int len = Math.min(pool.length() + 2, blockLength);
      // the top quarter, or the top block
      ph = pool.subPrefix(len, (1L << (len - pool.length())) - 1);
    } else {
      try {
        ph = IpPrefix.parse(range.strip());
      } catch (IpFormatException e) {
        throw new InvalidRequestException(
            "ipam option placeholders=" + range + ": " + e.getMessage());
      }
      if (!pool.contains(ph) || ph.equals(pool)) {
        throw new InvalidRequestException(
            "placeholder range "
                + ph
                + " must lie inside pool "
                + pool
                + " and leave room for host blocks");
      }
      if (ph.length() > blockLength) {
        throw new InvalidRequestException(
            "placeholder range "
                + ph
                + " is smaller than one host block (/"
                + blockLength
                + "): use a /"
                + blockLength
                + " or larger");
      }
    }
    return new AddressingMode.PerHost(ph);
  }

  /**
   * Who owns a block created for a preferred address: in a per-host pool, blocks of the placeholder
   * range belong to the swarm allocator and the allocator never keeps a block outside it (a host
   * claims it later); otherwise the requester.
   */
  static Optional<Holder> initialOwner(AddressingMode mode, IpPrefix block, Holder holder) {
    Optional<IpPrefix> ph = mode.placeholders();
    if (ph.isEmpty()) {
      return Optional.of(holder);
    }
    if (ph.get().contains(block)) {
      return Optional.of(Holder.GLOBAL);
    }
    return Holder.GLOBAL.equals(holder) ? Optional.empty() : Optional.of(holder);
  }

  /** Whether {@code holder} may claim or borrow {@code block} for dynamic allocations. */
  static boolean eligible(AddressingMode mode, IpPrefix block, Holder holder) {
    Optional<IpPrefix> ph = mode.placeholders();
    return ph.isEmpty() || ph.get().contains(block) == Holder.GLOBAL.equals(holder);
  }
}
