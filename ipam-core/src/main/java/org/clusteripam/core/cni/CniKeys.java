package org.clusteripam.core.cni;

import java.util.Optional;

/**
 * Where CNI attachments live: one key per attachment under its host's own prefix (no shared key on
 * ADD or DEL), and the holder names under which attachments hold addresses and pools. Holder names
 * start with {@code @}, so Docker reconciliation never takes them for a host's container addresses.
 */
public final class CniKeys {
  public static final String PREFIX = "cni/";
  public static final String HOLDER_PREFIX = "@cni/";

  private CniKeys() {}

  public static String ofHost(String host) {
    return PREFIX + host + "/";
  }

  public static String ofNetwork(String host, String network) {
    return ofHost(host) + network + "/";
  }

  public static String key(String host, AttachmentId id) {
    return ofHost(host) + id.path();
  }

  /** The holder of an attachment's addresses. */
  public static String holder(String host, AttachmentId id) {
    return HOLDER_PREFIX + host + "/" + id.path();
  }

  /** The holder of the pools (and gateways) a host's CNI networks use. */
  public static String poolHolder(String host) {
    return HOLDER_PREFIX + host;
  }

  public static boolean isCniHolder(String holder) {
    return holder.startsWith(HOLDER_PREFIX);
  }

  /** The host and attachment of an attachment holder; empty for other holders (a pool holder included). */
  public static Optional<Held> parseHolder(String holder) {
    if (!isCniHolder(holder)) {
      return Optional.empty();
    }
    String rest = holder.substring(HOLDER_PREFIX.length());
    int slash = rest.indexOf('/');
    if (slash < 0) {
      return Optional.empty();
    }
    return AttachmentId.parsePath(rest.substring(slash + 1)).map(id -> new Held(rest.substring(0, slash), id));
  }

  /** The parsed holder of an attachment's address. */
  public record Held(String host, AttachmentId id) {}
}
