package org.clusteripam.core.engine;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.clusteripam.core.alloc.AddressPolicy;
import org.clusteripam.core.alloc.FamilyCarving;
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
 * @param v4 how IPv4 is carved (its supernet is required)
 * @param v6 how IPv6 is carved (no supernet: no dynamic IPv6 pools)
 * @param strictAffinity when true a host never allocates from another host's block
 * @param cooldown how long a released address is not handed out again dynamically
 * @param dynamicPolicy how a block picks the next address for requests that do not ask for serial
 *     allocation: {@link StandardAddressPolicy#LOWEST_FREE} (the default) or a custom {@link
 *     AddressPolicy} (deterministic; see its contract). Not stored: every node should use the same.
 * @param replayWindow how long after a holder re-requests a pool it already holds (dockerd's
 *     restore at start, swarm's after a leader change) its requests for addresses it already holds
 *     are taken as replays and succeed; outside it such a request is a second endpoint asking for a
 *     taken address and is refused. Default 2 minutes: dockerd re-sends every aux and endpoint
 *     address within seconds of the pool, even with hundreds of networks, while a user's second
 *     {@code docker run --ip X} minutes later must not get X again.
 */
public record IpamConfig(
    FamilyCarving v4,
    FamilyCarving v6,
    boolean strictAffinity,
    Duration cooldown,
    AddressSpaces addressSpaces,
    Duration replayWindow,
    AddressPolicy dynamicPolicy) {

  /** The default {@link #replayWindow()}. */
  public static final Duration DEFAULT_REPLAY_WINDOW = Duration.ofMinutes(2);

  public IpamConfig {
    Objects.requireNonNull(v4, "v4");
    Objects.requireNonNull(v6, "v6");
    Objects.requireNonNull(cooldown, "cooldown");
    Objects.requireNonNull(addressSpaces, "addressSpaces");
    if (v4.family() != IpFamily.IPV4) {
      throw new IllegalArgumentException("v4 carves " + v4.family() + ", not IPv4");
    }
    if (v6.family() != IpFamily.IPV6) {
      throw new IllegalArgumentException("v6 carves " + v6.family() + ", not IPv6");
    }
    if (v4.supernet().isEmpty()) {
      throw new IllegalArgumentException("an IPv4 supernet is required");
    }
    v4.checked();
    v6.checked();
    if (cooldown.isNegative()) {
      throw new IllegalArgumentException("cooldown must not be negative, got " + cooldown);
    }
    Objects.requireNonNull(replayWindow, "replayWindow");
    if (replayWindow.isNegative()) {
      throw new IllegalArgumentException("replay window must not be negative, got " + replayWindow);
    }
    Objects.requireNonNull(dynamicPolicy, "dynamicPolicy");
    if (dynamicPolicy == StandardAddressPolicy.SERIAL) {
      throw new IllegalArgumentException(
          "the dynamic policy is for requests that do not ask for serial allocation: use LOWEST_FREE or a custom policy");
    }
  }

  /**
   * The policy for a dynamic pick: {@link StandardAddressPolicy#SERIAL} when the request asks for
   * serial allocation (swarm's manager: Docker's own contract), else the configured one.
   */
  public AddressPolicy policyFor(boolean serial) {
    return serial ? StandardAddressPolicy.SERIAL : dynamicPolicy;
  }

  public static IpamConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The part stored at key {@code config} and checked against every node's configuration. */
  public CarvingConfig carving() {
    return new CarvingConfig(v4, v6);
  }

  public FamilyCarving family(IpFamily f) {
    return f == IpFamily.IPV4 ? v4 : v6;
  }

  public Optional<IpPrefix> supernet(IpFamily f) {
    return family(f).supernet();
  }

  public int networkLength(IpFamily f) {
    return family(f).networkLength();
  }

  public int blockLength(IpFamily f) {
    return family(f).blockLength();
  }

  /**
   * A mutable builder starting from the defaults; each family's values are checked by {@link
   * #build()}.
   */
  public static final class Builder {
    private final Map<IpFamily, Optional<IpPrefix>> supernets =
        new EnumMap<>(
            Map.of(
                IpFamily.IPV4,
                Optional.of(IpPrefix.parse("10.80.0.0/12")),
                IpFamily.IPV6,
                Optional.of(IpPrefix.parse("fd80:cafe::/48"))));
    private final Map<IpFamily, Integer> networkLengths =
        new EnumMap<>(Map.of(IpFamily.IPV4, 24, IpFamily.IPV6, 64));
    private final Map<IpFamily, Integer> blockLengths =
        new EnumMap<>(Map.of(IpFamily.IPV4, 26, IpFamily.IPV6, 112));
    private boolean strictAffinity;
    private Duration cooldown = Duration.ZERO;
    private AddressSpaces addressSpaces = AddressSpaces.DEFAULT;
    private Duration replayWindow = DEFAULT_REPLAY_WINDOW;
    private AddressPolicy dynamicPolicy = StandardAddressPolicy.LOWEST_FREE;

    /** The supernet of {@code p}'s family. */
    public Builder supernet(IpPrefix p) {
      supernets.put(p.family(), Optional.of(p));
      return this;
    }

    /** No dynamic pools of family {@code f} (IPv4 always needs a supernet). */
    public Builder noSupernet(IpFamily f) {
      supernets.put(f, Optional.empty());
      return this;
    }

    public Builder networkLength(IpFamily f, int length) {
      networkLengths.put(f, length);
      return this;
    }

    public Builder blockLength(IpFamily f, int length) {
      blockLengths.put(f, length);
      return this;
    }

    /** Every value of {@code c}'s family. */
    public Builder family(FamilyCarving c) {
      supernets.put(c.family(), c.supernet());
      networkLengths.put(c.family(), c.networkLength());
      blockLengths.put(c.family(), c.blockLength());
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

    private FamilyCarving carving(IpFamily f) {
      return new FamilyCarving(f, supernets.get(f), networkLengths.get(f), blockLengths.get(f));
    }

    public IpamConfig build() {
      return new IpamConfig(
          carving(IpFamily.IPV4),
          carving(IpFamily.IPV6),
          strictAffinity,
          cooldown,
          addressSpaces,
          replayWindow,
          dynamicPolicy);
    }
  }
}
