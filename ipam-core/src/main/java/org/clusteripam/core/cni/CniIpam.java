package org.clusteripam.core.cni;

import java.util.List;
import java.util.Set;

/**
 * The CNI facet of the cluster IPAM: what a CNI IPAM plugin needs, for one host. Failures are
 * {@link org.clusteripam.core.ipam.IpamException}s (bad request, exhaustion naming the level and
 * CIDR, conflict), {@link AttachmentMissingException} from {@link #check}, or store exceptions.
 */
public interface CniIpam {

  /**
   * Allocates the attachment's addresses (all families or none), or returns the stored ones (a
   * replay).
   */
  Attachment add(AddRequest request);

  /**
   * Releases the attachment and its addresses; true when there was one. Unknown attachments
   * succeed.
   */
  boolean del(AttachmentId id);

  /**
   * The stored attachment, with every address still held by it; else {@link
   * AttachmentMissingException}.
   */
  Attachment check(AttachmentId id);

  /**
   * Releases every attachment of {@code network} on this host whose (container id, ifname) is not
   * in {@code valid}; returns those released.
   */
  List<AttachmentId> gc(String network, Set<GcEntry> valid);

  /**
   * Whether an ADD with these pools could be served now: the store answers and this host has (or
   * can claim, or borrow) a free address in each. Writes nothing.
   *
   * @throws org.clusteripam.core.ipam.ExhaustedException naming what ran out
   */
  void status(List<PoolSpec> pools);

  /** This host's attachments. */
  List<Attachment> attachments();

  /**
   * Releases the attachment only if it is still the one added at {@code sinceMillis}; whether it
   * did.
   */
  boolean releaseIfUnchanged(AttachmentId id, long sinceMillis);

  /** An entry of GC's list of valid attachments. */
  record GcEntry(String containerId, String ifname) {}
}
