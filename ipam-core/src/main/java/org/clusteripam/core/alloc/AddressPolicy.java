package org.clusteripam.core.alloc;

import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * How a block ({@link org.clusteripam.core.state.Block#pick}) chooses the next dynamic address of a
 * block: the seam for custom allocation policies. {@link StandardAddressPolicy#LOWEST_FREE} and
 * {@link StandardAddressPolicy#SERIAL} are the built-in ones.
 *
 * <p>A policy only chooses; the block enforces the rules. A pick outside the dynamic range, or of
 * an address that is used, reserved or cooling down, is refused with an {@link
 * IllegalStateException} and changes nothing. A policy must be deterministic (a pure function of
 * the candidates): engine transactions are re-run on conflict and must decide the same way.
 *
 * <p>Offsets are unsigned 64-bit distances from the block's first address (an IPv6 /64 block goes
 * beyond {@code Long.MAX_VALUE}: compare with {@link Long#compareUnsigned}).
 */
@FunctionalInterface
public interface AddressPolicy {

  /**
   * The offset of the address to hand out, or -1 to hand out nothing (the block reports
   * exhaustion). A policy may return -1 while free addresses remain (e.g. one that serves only part
   * of a block).
   */
  long pick(Candidates c);

  /** What a policy sees of a block at the instant of a pick. Valid only during {@link #pick}. */
  interface Candidates {
    IpPrefix block();

    IpPrefix pool();

    /** First offset a dynamic pick may return (the block ∩ the pool's ip-range). */
    long first();

    /** Last offset a dynamic pick may return (inclusive, unsigned). */
    long last();

    /** The offset after the last address handed out (serial allocation resumes there). */
    long serialCursor();

    /**
     * The lowest offset in {@code [from, to]} that may be handed out now — not used, not reserved,
     * not cooling down — or -1.
     */
    long nextFree(long from, long to);

    /** The lowest used offset at or after {@code from}, or -1. */
    long nextUsed(long from);

    /** Whether {@code offset} lies in {@code [first, last]} and may be handed out now. */
    boolean isFree(long offset);

    /** Addresses in use in the whole block (including those outside the dynamic range). */
    long usedCount();

    IpAddress addressAt(long offset);
  }
}
