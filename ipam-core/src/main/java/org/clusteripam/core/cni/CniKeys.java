package org.clusteripam.core.cni;

/**
 * Where CNI attachments live: one key per attachment under its host's own prefix (no shared key on
 * ADD or DEL). The holders of their addresses and pools are {@link
 * org.clusteripam.core.ipam.Holder.CniAttachment} and {@link
 * org.clusteripam.core.ipam.Holder.CniPool}.
 */
public final class CniKeys {
  public static final String PREFIX = "cni/";

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
}
