package org.clusteripam.core.cni;

import java.util.List;

/**
 * A stored CNI attachment (key {@code cni/<host>/<network>/<container>/<ifname>}), written in the
 * same transaction as its addresses, which it holds under {@link CniKeys#holder}.
 *
 * @param sinceMillis when it was added: a conditional release compares it, so a re-added attachment
 *     is kept
 */
public record Attachment(
    AttachmentId id,
    String host,
    String netns,
    String bootId,
    long sinceMillis,
    List<AttachedIp> ips) {
  public Attachment {
    ips = List.copyOf(ips);
  }

  public Attachment withRuntime(String newNetns, String newBootId) {
    return new Attachment(id, host, newNetns, newBootId, sinceMillis, ips);
  }
}
