package org.clusteripam.lb.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Framing, sequence numbers, dumps, errors, family lookup: against a scripted kernel. */
class NetlinkSocketTest {

  /** Answers each request with replies built from its sequence number. */
  static final class Scripted implements NetlinkTransport {
    interface Responder {
      List<byte[]> answer(NetlinkMessage request);
    }

    final List<NetlinkMessage> requests = new ArrayList<>();
    final Deque<byte[]> queue = new ArrayDeque<>();
    Responder responder;
    int lastErrno;

    @Override
    public int socket(int domain, int type, int protocol) {
      return 3;
    }

    @Override
    public int bind(int fd, byte[] address) {
      return 0;
    }

    @Override
    public int setsockopt(int fd, int level, int option, byte[] value) {
      return 0;
    }

    @Override
    public int close(int fd) {
      return 0;
    }

    @Override
    public int errno() {
      return lastErrno;
    }

    @Override
    public int sendto(int fd, byte[] buffer, int length, byte[] address) {
      for (NetlinkMessage m : NetlinkMessage.parseAll(buffer, length)) {
        requests.add(m);
        queue.addAll(responder.answer(m));
      }
      return length;
    }

    @Override
    public int recvfrom(int fd, byte[] buffer, int length) {
      byte[] b = queue.poll();
      if (b == null) {
        lastErrno = 11;
        return -1;
      }
      System.arraycopy(b, 0, buffer, 0, b.length);
      return b.length;
    }
  }

  static byte[] msg(int type, int flags, int seq, byte[] payload) {
    return new NetlinkMessage(type, flags, seq, 0, payload).encode();
  }

  static byte[] err(int seq, int errno) {
    byte[] p = new byte[20];
    p[0] = (byte) -errno;
    p[1] = p[2] = p[3] = (byte) (errno == 0 ? 0 : 0xff);
    return msg(Netlink.NLMSG_ERROR, 0, seq, p);
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int o = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, o, p.length);
      o += p.length;
    }
    return out;
  }

  @Test
  void collectsAMultipartDumpOverSeveralDatagramsUntilDone() {
    Scripted k = new Scripted();
    k.responder =
        m ->
            List.of(
                concat(
                    msg(0x20, Netlink.NLM_F_MULTI, m.seq(), new byte[] {1, 1, 0, 0}),
                    msg(0x20, Netlink.NLM_F_MULTI, m.seq(), new byte[] {1, 1, 0, 0})),
                msg(0x20, Netlink.NLM_F_MULTI, m.seq(), new byte[] {1, 1, 0, 0}),
                msg(Netlink.NLMSG_DONE, Netlink.NLM_F_MULTI, m.seq(), new byte[4]));
    try (NetlinkSocket s = NetlinkSocket.open(k, Netlink.NETLINK_GENERIC)) {
      assertThat(s.request(0x20, Netlink.NLM_F_DUMP, new byte[] {4, 1, 0, 0})).hasSize(3);
      assertThat(k.requests.get(0).flags()).isEqualTo(0x305);
    }
  }

  @Test
  void skipsStaleRepliesAndNumbersRequestsUpwards() {
    Scripted k = new Scripted();
    k.responder =
        m ->
            List.of(
                err(m.seq() - 1, 17),
                msg(0x20, 0, m.seq() - 1, new byte[4]),
                msg(0x20, 0, m.seq(), new byte[] {14, 1, 0, 0}),
                err(m.seq(), 0));
    try (NetlinkSocket s = NetlinkSocket.open(k, Netlink.NETLINK_GENERIC)) {
      assertThat(s.request(0x20, 0, new byte[] {15, 1, 0, 0}))
          .singleElement()
          .satisfies(m -> assertThat(m.genlCommand()).isEqualTo(14));
      s.request(0x20, 0, new byte[] {15, 1, 0, 0});
      assertThat(k.requests.get(1).seq()).isEqualTo(k.requests.get(0).seq() + 1);
      assertThat(k.requests.get(0).flags()).isEqualTo(Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK);
    }
  }

  @Test
  void turnsNlmsgErrorAndAFailedDoneIntoErrnoExceptions() {
    Scripted k = new Scripted();
    k.responder = m -> List.of(err(m.seq(), 22));
    try (NetlinkSocket s = NetlinkSocket.open(k, Netlink.NETLINK_GENERIC)) {
      assertThatThrownBy(() -> s.request(0x20, 0, new byte[4]))
          .isInstanceOf(NetlinkException.class)
          .hasMessageContaining("EINVAL")
          .satisfies(e -> assertThat(((NetlinkException) e).errno()).isEqualTo(22));
      k.responder =
          m ->
              List.of(
                  msg(
                      Netlink.NLMSG_DONE,
                      Netlink.NLM_F_MULTI,
                      m.seq(),
                      new byte[] {-12, -1, -1, -1}));
      assertThatThrownBy(() -> s.request(0x20, Netlink.NLM_F_DUMP, new byte[4]))
          .satisfies(e -> assertThat(((NetlinkException) e).errno()).isEqualTo(12));
    }
  }

  @Test
  void rejectsATruncatedMessage() {
    byte[] m = msg(0x20, 0, 1, new byte[8]);
    assertThatThrownBy(() -> NetlinkMessage.parseAll(m, m.length - 4))
        .isInstanceOf(NetlinkException.class)
        .hasMessageContaining("truncated");
  }

  /** A controller whose IPVS id changes (module reload) after the first lookup. */
  static final class Reloading implements Scripted.Responder {
    int familyId = 0x20;
    int lookups;

    public List<byte[]> answer(NetlinkMessage m) {
      if (m.type() == Netlink.GENL_ID_CTRL) {
        lookups++;
        byte[] attrs =
            new AttributeWriter().u16(Netlink.CTRL_ATTR_FAMILY_ID, familyId).toByteArray();
        byte[] p = new byte[4 + attrs.length];
        p[0] = Netlink.CTRL_CMD_NEWFAMILY;
        System.arraycopy(attrs, 0, p, 4, attrs.length);
        return List.of(msg(Netlink.GENL_ID_CTRL, 0, m.seq(), p), err(m.seq(), 0));
      }
      return List.of(err(m.seq(), m.type() == familyId ? 0 : Errnos.ENOENT));
    }
  }

  @Test
  void looksTheFamilyUpAgainAfterEnoentAndRetriesWithTheNewId() {
    Scripted k = new Scripted();
    Reloading r = new Reloading();
    k.responder = r;
    try (GenericNetlink g = GenericNetlink.open(k)) {
      GenlRequest flush = new GenlRequest(17, 1, false, new byte[0]);
      g.request("IPVS", flush);
      r.familyId = 0x25;
      g.request("IPVS", flush);
      assertThat(r.lookups).isEqualTo(2);
      assertThat(k.requests)
          .extracting(NetlinkMessage::type)
          .containsExactly(0x10, 0x20, 0x20, 0x10, 0x25);
      assertThat(g.familyId("IPVS")).isEqualTo(0x25);
      int[] batch = g.batch("IPVS", List.of(flush, flush));
      assertThat(batch).containsExactly(0, 0);
    }
  }

  @Test
  void anEnoentThatIsNotAStaleIdIsNotRetried() {
    Scripted k = new Scripted();
    Reloading r = new Reloading();
    k.responder =
        m -> m.type() == Netlink.GENL_ID_CTRL ? r.answer(m) : List.of(err(m.seq(), Errnos.ENOENT));
    try (GenericNetlink g = GenericNetlink.open(k)) {
      assertThatThrownBy(() -> g.request("IPVS", new GenlRequest(7, 1, false, new byte[0])))
          .satisfies(e -> assertThat(((NetlinkException) e).errno()).isEqualTo(Errnos.ENOENT));
      assertThat(k.requests).extracting(NetlinkMessage::type).containsExactly(0x10, 0x20, 0x10);
    }
  }

  @Test
  void encodesTheFamilyLookupAsTheControllerExpects() {
    byte[] bytes = GenlRequest.getFamily("IPVS").message(Netlink.GENL_ID_CTRL, 5).encode();
    // nlmsghdr(len 32: the attribute's padding counts, type 0x10, REQUEST|ACK, seq 5), genl(cmd 3,
    // v1), attr(len 9, type 2, "IPVS\0" + 3 pad)
    assertThat(bytes)
        .containsExactly(
            32, 0, 0, 0, 0x10, 0, 5, 0, 5, 0, 0, 0, 0, 0, 0, 0, 3, 1, 0, 0, 9, 0, 2, 0, 'I', 'P',
            'V', 'S', 0, 0, 0, 0);
  }
}
