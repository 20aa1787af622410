package org.clusteripam.core.state;

import org.clusteripam.core.net.IpPrefix;

/** The relative store keys of cluster-ipam (the store adds its own prefix). */
public final class Keys {
  public static final String CONFIG = "config";
  public static final String POOL_INDEX = "pools/index";
  public static final String POOLS = "pools/";
  public static final String BLOCKS = "blocks/";
  public static final String HOSTS = "hosts/";

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

  public static String host(String holder) {
    return HOSTS + holder;
  }
}
