package org.clusteripam.core.state;

import org.clusteripam.core.net.IpPrefix;

/** The relative store keys of cluster-ipam (the store adds its own prefix). */
public final class Keys {
  public static final String CONFIG = "config";
  public static final String POOL_INDEX = "pools/index";
  public static final String POOLS = "pools/";
  public static final String BLOCKS = "blocks/";
  public static final String HOSTS = "hosts/";
  /** Per-host pools: placeholder → actual address mappings, one key per placeholder. */
  public static final String PLACEHOLDERS = "placeholders/";
  /** Per-host pools: the service catalog a swarm manager publishes, one key per service. */
  public static final String CATALOG = "catalog/";
  /** Per host: the address other hosts route its per-host blocks to; written only by that host. */
  public static final String ADVERTISE = "advertise/";

  private Keys() {}

  /** {@code 10.80.3.0/24} → {@code 10.80.3.0-24}: a key segment without '/'. */
  public static String segment(IpPrefix p) {
    return p.network() + "-" + p.length();
  }

  public static String pool(IpPrefix pool) {
    return POOLS + segment(pool);
  }

  public static String blocksOf(IpPrefix pool) {
    return BLOCKS + segment(pool) + "/";
  }

  public static String block(IpPrefix pool, IpPrefix block) {
    return blocksOf(pool) + segment(block);
  }

  public static String placeholdersOf(IpPrefix pool) {
    return PLACEHOLDERS + segment(pool) + "/";
  }

  public static String placeholder(IpPrefix pool, org.clusteripam.core.net.IpAddress placeholder) {
    return placeholdersOf(pool) + placeholder;
  }

  public static String catalogOf(IpPrefix pool) {
    return CATALOG + segment(pool) + "/";
  }

  public static String catalog(IpPrefix pool, String serviceId) {
    return catalogOf(pool) + serviceId;
  }

  public static String advertise(String host) {
    return ADVERTISE + host;
  }

  public static String host(String holder) {
    return HOSTS + holder;
  }
}
