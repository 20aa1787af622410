package org.clusteripam.core.ipam;

/**
 * This driver's own RequestPool options ({@code --ipam-opt KEY=VALUE}), kept with the pool. Every
 * other option is kept too and changes no decision.
 */
public final class PoolOptions {
  private PoolOptions() {}

  /** {@code network=NAME}: one dynamic pool per name and family, shared across hosts. */
  public static final String NETWORK = "network";

  /** {@code addressing=cluster|per-host}: the pool's addressing mode (default cluster). */
  public static final String ADDRESSING = "addressing";

  /**
   * {@code placeholders=CIDR}: the placeholder range of a per-host pool (whole blocks inside it).
   */
  public static final String PLACEHOLDERS = "placeholders";
}
