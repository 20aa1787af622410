package org.clusteripam.core.ipam;

import org.clusteripam.core.net.IpPrefix;

/** A level of the hierarchy has no room left; the message names the level and its CIDR. */
public final class ExhaustedException extends IpamException {
  private static final long serialVersionUID = 1L;

  /** The level that ran out. */
  public enum Level {
    SUPERNET("supernet"),
    POOL("pool"),
    IP_RANGE("ip-range"),
    HOST_BLOCK("host block"),
    /**
     * The placeholder range of a per-host pool (swarm's task addresses, VIPs, node LB addresses).
     */
    PLACEHOLDERS("placeholder range");

    private final String label;

    Level(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  private final Level level;
  private final IpPrefix prefix;

  /**
   * @param message the whole user-facing message, e.g. {@code no free address in host block
   *     10.80.3.64/26 of pool 10.80.3.0/24 and no free block to claim}
   */
  public ExhaustedException(Level level, IpPrefix prefix, String message) {
    super(message);
    this.level = level;
    this.prefix = prefix;
  }

  public Level level() {
    return level;
  }

  public IpPrefix prefix() {
    return prefix;
  }
}
