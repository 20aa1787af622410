package org.clusteripam.lb.netlink;

/**
 * The six socket calls netlink needs, shaped like the C functions so that a fake kernel (tests),
 * JNR (today) or Java's FFM API (later) can sit behind the same codec. Calls return -1 on failure
 * and leave the reason in {@link #errno()}, which must be read on the calling thread right after.
 */
public interface NetlinkTransport {

  int socket(int domain, int type, int protocol);

  /** {@code address} is a complete {@code struct sockaddr_nl}. */
  int bind(int fd, byte[] address);

  int setsockopt(int fd, int level, int option, byte[] value);

  /** Sends {@code length} bytes of {@code buffer} as one datagram to {@code address}. */
  int sendto(int fd, byte[] buffer, int length, byte[] address);

  /** Receives one datagram into {@code buffer}; returns its length, or -1. */
  int recvfrom(int fd, byte[] buffer, int length);

  int close(int fd);

  /** The errno of the last failed call on this thread. */
  int errno();
}
