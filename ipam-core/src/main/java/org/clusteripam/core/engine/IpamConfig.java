package org.clusteripam.core.engine;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.clusteripam.core.alloc.AddressPolicy;
import org.clusteripam.core.alloc.StandardAddressPolicy;
import org.clusteripam.core.ipam.AddressSpaces;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.CarvingConfig;

/**
 * How the cluster carves its address space. Build with {@link #builder()}; {@link #defaults()} is
 * supernet 10.80.0.0/12 carved into /24 pools with /26 host blocks, IPv6 fd80:cafe::/48 into /64
 * pools with /112 host blocks, borrowing allowed, no cooldown. (The addressing mode is chosen per
 * pool, by RequestPool options: see {@link AddressingMode}.)
 *
 * @param strictAffinity when true a host never allocates from another host's block
 * @param cooldown how long a released address is not handed out again dynamically
 * @param dynamicPolicy how a block picks the next address for requests that do not ask for serial
 *     allocation: {@link StandardAddressPolicy#LOWEST_FREE} (the default) or a custom {@link
 *     AddressPolicy} (deterministic; see its contract). Not stored: every node should use the same.
 * @param replayWindow how long after a holder re-requests a pool it already holds (dockerd's
 *     restore at start, swarm's after a leader change) its requests for addresses it already holds
 *     are taken as replays and succeed; outside it such a request is a second endpoint asking for
 *     a taken address and is refused. Default 2 minutes: dockerd re-sends every aux and endpoint
 *     address within seconds of the pool, even with hundreds of networks, while a user's second
 *     {@code docker run --ip X} minutes later must not get X again.
 */
public record IpamConfig(
    IpPrefix supernetV4,
    Optional<IpPrefix> supernetV6,
    int networkLengthV4,
    int networkLengthV6,
    int blockLengthV4,
    int blockLengthV6,
    boolean strictAffinity,
    Duration cooldown,
    AddressSpaces addressSpaces,
    Duration replayWindow,
    AddressPolicy dynamicPolicy) {

  /** The default {@link #replayWindow()}. */
  public static final Duration DEFAULT_REPLAY_WINDOW = Duration.ofMinutes(2);

  public IpamConfig {
    Objects.requireNonNull(supernetV4, "supernetV4");
    Objects.requireNonNull(supernetV6, "supernetV6");
    Objects.requireNonNull(cooldown, "cooldown");
    Objects.requireNonNull(addressSpaces, "addressSpaces");
    if (supernetV4.family() != IpFamily.IPV4) {
      throw new IllegalArgumentException("the IPv4 supernet " + supernetV4 + " is not IPv4");
    }
    if (supernetV6.isPresent() && supernetV6.get().family() != IpFamily.IPV6) {
      throw new IllegalArgumentException("the IPv6 supernet " + supernetV6.get() + " is not IPv6");
    }
    checkLengths("IPv4", supernetV4.length(), networkLengthV4, blockLengthV4, 32);
    checkLengths("IPv6", supernetV6.map(IpPrefix::length).orElse(0), networkLengthV6, blockLengthV6, 128);
    if (cooldown.isNegative()) {
      throw new IllegalArgumentException("cooldown must not be negative, got " + cooldown);
    }
    Objects.requireNonNull(replayWindow, "replayWindow");
    if (replayWindow.isNegative()) {
      throw new IllegalArgumentException("replay window must not be negative, got " + replayWindow);
    }
    Objects.requireNonNull(dynamicPolicy, "dynamicPolicy");
    if (dynamicPolicy == StandardAddressPolicy.SERIAL) {
      throw new IllegalArgumentException("the dynamic policy is for requests that do not ask for serial allocation: use LOWEST_FREE or a custom policy");
    }
  }

  /**
   * The policy for a dynamic pick: {@link StandardAddressPolicy#SERIAL} when the request asks for
   * serial allocation (swarm's manager: Docker's own contract), else the configured one.
   */
  public AddressPolicy policyFor(boolean serial) {
    return serial ? StandardAddressPolicy.SERIAL : dynamicPolicy;
  }

  private static void checkLengths(String fam, int supernet, int network, int block, int bits) {
    if (network < supernet || network > bits) {
      throw new IllegalArgumentException(fam + " network prefix length /" + network + " must be between the supernet's /" + supernet + " and /" + bits);
    }
    // Blocks hold at most 2^64 addresses: offsets inside a block are unsigned 64-bit values.
    if (block < bits - 64 || block > bits) {
      throw new IllegalArgumentException(fam + " host block length /" + block + " must be between /" + Math.max(0, bits - 64) + " and /" + bits);
    }
  }

  public static IpamConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The part stored at key {@code config} and checked against every node's configuration. */
  public CarvingConfig carving() {
    return new CarvingConfig(supernetV4, supernetV6, networkLengthV4, networkLengthV6, blockLengthV4, blockLengthV6);
  }

  public Optional<IpPrefix> supernet(IpFamily f) {
    return f == IpFamily.IPV4 ? Optional.of(supernetV4) : supernetV6;
  }

  public int networkLength(IpFamily f) {
    return f == IpFamily.IPV4 ? networkLengthV4 : networkLengthV6;
  }

  public int blockLength(IpFamily f) {
    return f == IpFamily.IPV4 ? blockLengthV4 : blockLengthV6;
  }

  /** A mutable builder starting from the defaults. */
  public static final class Builder {
    private IpPrefix supernetV4 = IpPrefix.parse("10.80.0.0/12");
    private Optional<IpPrefix> supernetV6 = Optional.of(IpPrefix.parse("fd80:cafe::/48"));
    private int networkLengthV4 = 24;
    private int networkLengthV6 = 64;
    private int blockLengthV4 = 26;
    private int blockLengthV6 = 112;
    private boolean strictAffinity;
    private Duration cooldown = Duration.ZERO;
    private AddressSpaces addressSpaces = AddressSpaces.DEFAULT;
    private Duration replayWindow = DEFAULT_REPLAY_WINDOW;
    private AddressPolicy dynamicPolicy = StandardAddressPolicy.LOWEST_FREE;

    public Builder supernetV4(IpPrefix p) {
      supernetV4 = p;
      return this;
    }

    public Builder supernetV6(Optional<IpPrefix> p) {
      supernetV6 = p;
      return this;
    }

    public Builder networkLengthV4(int l) {
      networkLengthV4 = l;
      return this;
    }

    public Builder networkLengthV6(int l) {
      networkLengthV6 = l;
      return this;
    }

    public Builder blockLengthV4(int l) {
      blockLengthV4 = l;
      return this;
    }

    public Builder blockLengthV6(int l) {
      blockLengthV6 = l;
      return this;
    }

    public Builder strictAffinity(boolean s) {
      strictAffinity = s;
      return this;
    }

    public Builder cooldown(Duration d) {
      cooldown = d;
      return this;
    }

    public Builder addressSpaces(AddressSpaces s) {
      addressSpaces = s;
      return this;
    }

    public Builder replayWindow(Duration d) {
      replayWindow = d;
      return this;
    }

    public Builder dynamicPolicy(AddressPolicy p) {
      dynamicPolicy = p;
      return this;
    }

    public IpamConfig build() {
      return new IpamConfig(supernetV4, supernetV6, networkLengthV4, networkLengthV6, blockLengthV4, blockLengthV6, strictAffinity, cooldown,
          addressSpaces, replayWindow, dynamicPolicy);
    }
  }
}
