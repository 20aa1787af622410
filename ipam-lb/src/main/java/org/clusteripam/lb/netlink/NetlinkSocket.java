package org.clusteripam.lb.netlink;

import java.util.ArrayList;
import java.util.List;

/**
 * A netlink socket speaking request/ACK: it numbers requests, skips stale replies, collects dump
 * parts until NLMSG_DONE and turns NLMSG_ERROR into {@link NetlinkException} with the errno.
 * Thread-safe: one exchange at a time.
 */
public final class NetlinkSocket implements AutoCloseable {
  private static final int EINTR = 4;

  /** Requests per datagram in {@link #batch}: their ACKs must fit the socket's receive queue. */
  static final int BATCH = 64;

  private final NetlinkTransport transport;
  private final int fd;
  private final byte[] receive = new byte[Netlink.RECEIVE_BUFFER];
  private final byte[] kernel = sockaddr(0);
  private int seq;
  private boolean closed;

  private NetlinkSocket(NetlinkTransport transport, int fd, int firstSeq) {
    this.transport = transport;
    this.fd = fd;
    this.seq = firstSeq;
  }

  /** Opens and binds a socket of the given netlink protocol (e.g. NETLINK_GENERIC). */
  public static NetlinkSocket open(NetlinkTransport transport, int protocol) {
    int fd =
        transport.socket(Netlink.AF_NETLINK, Netlink.SOCK_RAW | Netlink.SOCK_CLOEXEC, protocol);
    if (fd < 0) {
      int errno = transport.errno();
      throw new NetlinkException("netlink socket: " + Errnos.describe(errno), errno);
    }
    try {
      // Best effort: a bigger queue for batched ACKs, and errors that quote only the header.
      transport.setsockopt(fd, Netlink.SOL_SOCKET, Netlink.SO_RCVBUF, int32(1 << 20));
      transport.setsockopt(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_CAP_ACK, int32(1));
      if (transport.bind(fd, sockaddr(0)) < 0) {
        int errno = transport.errno();
        throw new NetlinkException("netlink bind: " + Errnos.describe(errno), errno);
      }
    } catch (RuntimeException e) {
      transport.close(fd);
      throw e;
    }
    return new NetlinkSocket(transport, fd, (int) (System.nanoTime() & 0x3fffffff) + 1);
  }

  /**
   * Sends one request with NLM_F_REQUEST|NLM_F_ACK (plus {@code extraFlags}, e.g. NLM_F_DUMP) and
   * returns the replies: for a dump every part until NLMSG_DONE, otherwise those before the ACK.
   */
  public synchronized List<NetlinkMessage> request(int type, int extraFlags, byte[] payload) {
    int mySeq = nextSeq();
    boolean dump = (extraFlags & Netlink.NLM_F_DUMP) == Netlink.NLM_F_DUMP;
    byte[] out =
        new NetlinkMessage(
                type, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | extraFlags, mySeq, 0, payload)
            .encode();
    send(out, out.length);
    List<NetlinkMessage> replies = new ArrayList<>();
    while (true) {
      for (NetlinkMessage m : receiveOnce()) {
        if (m.seq() != mySeq) {
          continue; // an answer to an earlier, abandoned request
        }
        if (m.type() == Netlink.NLMSG_ERROR) {
          int errno = m.errorCode();
          if (errno != 0) {
            throw new NetlinkException(Errnos.describe(errno), errno);
          }
          if (!dump) {
            return replies;
          }
        } else if (m.type() == Netlink.NLMSG_DONE) {
          int errno = m.payload().length >= 4 ? m.errorCode() : 0;
          if (errno != 0) {
            throw new NetlinkException(Errnos.describe(errno), errno);
          }
          return replies;
        } else if (m.type() == Netlink.NLMSG_OVERRUN) {
          throw new NetlinkException("netlink overrun");
        } else if (m.type() != Netlink.NLMSG_NOOP) {
          replies.add(m);
        }
      }
    }
  }

  /**
   * Sends ACK-only requests several per datagram and returns, per request, 0 or its errno. The
   * kernel handles each message of a datagram on its own, so one failure does not stop the rest.
   */
  public synchronized int[] batch(List<Request> requests) {
    int[] result = new int[requests.size()];
    for (int from = 0; from < requests.size(); from += BATCH) {
      int to = Math.min(requests.size(), from + BATCH);
      int firstSeq = seq + 1;
      byte[][] encoded = new byte[to - from][];
      int total = 0;
      for (int i = from; i < to; i++) {
        Request r = requests.get(i);
        encoded[i - from] =
            new NetlinkMessage(
                    r.type(),
                    Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | r.flags(),
                    nextSeq(),
                    0,
                    r.payload())
                .encode();
        total += encoded[i - from].length;
      }
      byte[] datagram = new byte[total];
      int p = 0;
      for (byte[] e : encoded) {
        System.arraycopy(e, 0, datagram, p, e.length);
        p += e.length;
      }
      send(datagram, total);
      boolean[] answered = new boolean[to - from];
      int pending = to - from;
      while (pending > 0) {
        for (NetlinkMessage m : receiveOnce()) {
          int index = m.seq() - firstSeq;
          if (m.type() != Netlink.NLMSG_ERROR
              || index < 0
              || index >= answered.length
              || answered[index]) {
            continue;
          }
          answered[index] = true;
          result[from + index] = m.errorCode();
          pending--;
        }
      }
    }
    return result;
  }

  /** One ACK-only request of a {@link #batch}. */
  public record Request(int type, int flags, byte[] payload) {}

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      transport.close(fd);
    }
  }

  private int nextSeq() {
    seq = seq == Integer.MAX_VALUE ? 1 : seq + 1;
    return seq;
  }

  private void send(byte[] datagram, int length) {
    while (true) {
      if (transport.sendto(fd, datagram, length, kernel) >= 0) {
        return;
      }
      int errno = transport.errno();
      if (errno != EINTR) {
        throw new NetlinkException("netlink sendto: " + Errnos.describe(errno), errno);
      }
    }
  }

  private List<NetlinkMessage> receiveOnce() {
    while (true) {
      int n = transport.recvfrom(fd, receive, receive.length);
      if (n >= 0) {
        return NetlinkMessage.parseAll(receive, n);
      }
      int errno = transport.errno();
      if (errno != EINTR) {
        throw new NetlinkException("netlink recvfrom: " + Errnos.describe(errno), errno);
      }
    }
  }

  /** {@code struct sockaddr_nl}: family, pad, port id, groups. */
  static byte[] sockaddr(int pid) {
    byte[] a = new byte[12];
    a[0] = (byte) Netlink.AF_NETLINK;
    a[4] = (byte) pid;
    a[5] = (byte) (pid >>> 8);
    a[6] = (byte) (pid >>> 16);
    a[7] = (byte) (pid >>> 24);
    return a;
  }

  static byte[] int32(int v) {
    return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
  }

  @Override
  public String toString() {
    return "NetlinkSocket[fd=" + fd + ", seq=" + seq + ", closed=" + closed + "]";
  }
}
