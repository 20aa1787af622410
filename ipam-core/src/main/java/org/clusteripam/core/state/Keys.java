package org.clusteripam.core.state;

import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;

/**
 * The relative store keys of cluster-ipam (the store adds its own prefix); see
 * docs/state-layout.md.
 */
public final class Keys {
  public static final String CONFIG = "config";

  /** One key per pool: what is fixed when the pool is created, its gateway and a deletion mark. */
  public static final String POOLS = "pools/";

  /** One key per holder of a pool, created by its join: who holds what, and its replay time. */
  public static final String HOLDERS = "holders/";

  /** One key per holder that owns blocks of a pool: the blocks it owns (written only by it). */
  public static final String AFFINITY = "affinity/";

  public static final String BLOCKS = "blocks/";
  public static final String HOSTS = "hosts/";

  /** Shared pool names, created if absent: {@code names/<family>/<name>} → the pool. */
  public static final String NAMES = "names/";

  /**
   * Per family, the guard of the pools outside the supernet: their number and a sequence bumped by
   * each creation and deletion of one.
   */
  public static final String CARVE = "carve/";

  /**
   * Per family and carving range of the supernet: the host carving from it and the pools in it
   * ({@code ranges/<family>/<range>}), created if absent by the first host or pool to need it.
   */
  public static final String RANGES = "ranges/";

  /** Per-host pools: placeholder → actual address mappings, one key per placeholder. */
  public static final String PLACEHOLDERS = "placeholders/";

  /** Per-host pools: the service catalog a swarm manager publishes, one key per service. */
  public static final String CATALOG = "catalog/";

  /** Per host: the address other hosts route its per-host blocks to; written only by that host. */
  public static final String ADVERTISE = "advertise/";

  /**
   * Per-host pools: the actual addresses of a node's running tasks, one key per pool and node,
   * written only by that node.
   */
  public static final String TASKS = "tasks/";

  /** Schema 1 only: every pool in one key (removed by the migration to schema 2). */
  public static final String POOL_INDEX_V1 = "pools/index";

  private Keys() {}

  /** {@code 10.80.3.0/24} → {@code 10.80.3.0-24}: a key segment without '/'. */
  public static String segment(IpPrefix p) {
    return p.network() + "-" + p.length();
  }

  /** {@code v4} or {@code v6}. */
  public static String family(IpFamily f) {
    return f == IpFamily.IPV4 ? "v4" : "v6";
  }

  public static String pool(IpPrefix pool) {
    return POOLS + segment(pool);
  }

  public static String holdersOf(IpPrefix pool) {
    return HOLDERS + segment(pool) + "/";
  }

  public static String holder(IpPrefix pool, Holder holder) {
    return holdersOf(pool) + holder.format();
  }

  public static String affinityOf(IpPrefix pool) {
    return AFFINITY + segment(pool) + "/";
  }

  public static String affinity(IpPrefix pool, Holder holder) {
    return affinityOf(pool) + holder.format();
  }

  public static String blocksOf(IpPrefix pool) {
    return BLOCKS + segment(pool) + "/";
  }

  public static String block(IpPrefix pool, IpPrefix block) {
    return blocksOf(pool) + segment(block);
  }

  /** Chunk {@code index} of a block stored chunked: {@code blocks/<pool>/<block>/<index>}. */
  public static String blockChunk(IpPrefix pool, IpPrefix block, long index) {
    return block(pool, block) + "/" + Long.toUnsignedString(index);
  }

  /** Whether {@code key} is a chunk of a block (read with its block, never alone). */
  public static boolean isBlockChunk(String key) {
    if (!key.startsWith(BLOCKS)) {
      return false;
    }
    int a = key.indexOf('/', BLOCKS.length());
    return a >= 0 && key.indexOf('/', a + 1) >= 0;
  }

  public static String placeholdersOf(IpPrefix pool) {
    return PLACEHOLDERS + segment(pool) + "/";
  }

  public static String placeholder(IpPrefix pool, IpAddress placeholder) {
    return placeholdersOf(pool) + placeholder;
  }

  public static String catalogOf(IpPrefix pool) {
    return CATALOG + segment(pool) + "/";
  }

  public static String catalog(IpPrefix pool, String serviceId) {
    return catalogOf(pool) + serviceId;
  }

  public static String tasksOf(IpPrefix pool) {
    return TASKS + segment(pool) + "/";
  }

  public static String tasks(IpPrefix pool, String host) {
    return tasksOf(pool) + host;
  }

  public static String advertise(String host) {
    return ADVERTISE + host;
  }

  /**
   * The record of every pool of a holder, as builds before one key per pool wrote it: read, shrunk,
   * never grown.
   */
  public static String host(Holder holder) {
    return HOSTS + holder.format();
  }

  /** One pool a holder holds. */
  public static String hostPool(Holder holder, IpPrefix pool) {
    return hostPoolsOf(holder) + segment(pool);
  }

  public static String hostPoolsOf(Holder holder) {
    return HOSTS + holder.format() + "/";
  }

  /** The prefix a key segment written by {@link #segment} stands for. */
  public static IpPrefix parseSegment(String segment) {
    int dash = segment.lastIndexOf('-');
    if (dash < 0) {
      throw new IllegalArgumentException("not a prefix segment: " + segment);
    }
    return IpPrefix.parse(segment.substring(0, dash) + "/" + segment.substring(dash + 1));
  }

  public static String rangesOf(IpFamily f) {
    return RANGES + family(f) + "/";
  }

  public static String range(IpFamily f, IpPrefix range) {
    return rangesOf(f) + segment(range);
  }

  public static String carve(IpFamily f) {
    return CARVE + family(f);
  }

  /**
   * A shared pool name as a key: characters outside {@code [A-Za-z0-9._-]} are %-escaped (UTF-8).
   */
  public static String name(IpFamily f, String name) {
    StringBuilder sb = new StringBuilder(NAMES).append(family(f)).append('/');
    for (byte b : name.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '.'
          || c == '_'
          || c == '-') {
        sb.append((char) c);
      } else {
        sb.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }

  /**
   * The pool a key under {@code holders/}, {@code affinity/}, {@code blocks/} … belongs to: its
   * second segment.
   */
  public static String poolSegment(String key) {
    int a = key.indexOf('/');
    int b = key.indexOf('/', a + 1);
    return b < 0 ? key.substring(a + 1) : key.substring(a + 1, b);
  }

  /** The last segment of a key: the holder of a {@code holders/} or {@code affinity/} key. */
  public static String lastSegment(String key, String prefixOfPool) {
    return key.substring(prefixOfPool.length());
  }
}
