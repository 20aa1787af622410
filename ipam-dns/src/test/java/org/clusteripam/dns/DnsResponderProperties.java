package org.clusteripam.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.clusteripam.core.net.IpAddress;

class DnsResponderProperties {
  @Provide
  Arbitrary<String> names() {
    Arbitrary<String> label =
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .withChars('-', '0', '9')
            .ofMinLength(1)
            .ofMaxLength(20);
    return label.list().ofMinSize(1).ofMaxSize(4).map(l -> String.join(".", l));
  }

  @Provide
  Arbitrary<List<IpAddress>> addresses() {
    Arbitrary<IpAddress> v4 = Arbitraries.integers().map(IpAddress::ofV4);
    Arbitrary<IpAddress> v6 =
        Arbitraries.longs().tuple2().map(t -> IpAddress.ofV6(t.get1(), t.get2()));
    return Arbitraries.oneOf(v4, v6).list().ofMaxSize(6);
  }

  @Property
  void theAnswerCarriesTheResolversAddressesOfTheAskedFamily(
      @ForAll("names") String name,
      @ForAll("addresses") List<IpAddress> found,
      @ForAll boolean aaaa,
      @ForAll @IntRange(min = 0, max = 65535) int id,
      @ForAll @IntRange(min = 0, max = 86400) int ttl) {
    int type = aaaa ? DnsQuestion.AAAA : DnsQuestion.A;
    byte[] q = DnsClient.query(id, name, type);
    DnsQuestion[] asked = new DnsQuestion[1];
    byte[] r =
        DnsResponder.respond(
                q,
                q.length,
                x -> {
                  asked[0] = x;
                  return new DnsAnswer.Addresses(found, ttl);
                })
            .orElseThrow();
    assertThat(asked[0]).isEqualTo(new DnsQuestion(name, type, DnsQuestion.IN));
    DnsClient.Reply reply = DnsClient.parse(r, r.length);
    assertThat(reply.id()).isEqualTo(id);
    assertThat(reply.rcode()).isEqualTo(DnsResponder.NOERROR);
    assertThat(reply.addresses())
        .containsExactlyElementsOf(found.stream().filter(a -> a.isV6() == aaaa).toList());
  }

  @Property
  void namesNotOursAreRefusedWithTheQuestionEchoed(
      @ForAll("names") String name, @ForAll @IntRange(min = 0, max = 65535) int id) {
    byte[] q = DnsClient.query(id, name, DnsQuestion.A);
    byte[] r = DnsResponder.respond(q, q.length, x -> new DnsAnswer.NotOurs()).orElseThrow();
    assertThat(DnsClient.parse(r, r.length))
        .isEqualTo(new DnsClient.Reply(id, DnsResponder.REFUSED, List.of()));
    assertThat(java.util.Arrays.copyOfRange(r, 12, r.length))
        .isEqualTo(java.util.Arrays.copyOfRange(q, 12, q.length));
  }

  @Property
  void anyBytesGetAResponseWithTheirIdOrNothingAndNeverAnException(
      @ForAll @Size(max = 80) byte[] junk) {
    Optional<byte[]> r =
        DnsResponder.respond(
            junk,
            junk.length,
            x -> new DnsAnswer.Addresses(List.of(IpAddress.parse("10.0.0.1")), 5));
    r.ifPresent(
        b -> {
          assertThat(b.length).isGreaterThanOrEqualTo(12);
          assertThat(b[0]).isEqualTo(junk[0]);
          assertThat(b[1]).isEqualTo(junk[1]);
          assertThat(b[2] & 0x80).as("QR set").isEqualTo(0x80);
        });
    if (junk.length < 12) {
      assertThat(r).isEmpty();
    }
  }

  @Example
  void otherTypesOfOurNamesAreNodataAndOtherOpcodesNotImplemented() {
    byte[] mx = DnsClient.query(7, "web", 15);
    byte[] r =
        DnsResponder.respond(
                mx,
                mx.length,
                x -> new DnsAnswer.Addresses(List.of(IpAddress.parse("10.0.0.1")), 5))
            .orElseThrow();
    assertThat(DnsClient.parse(r, r.length))
        .isEqualTo(new DnsClient.Reply(7, DnsResponder.NOERROR, List.of()));
    byte[] status = DnsClient.query(8, "web", 1);
    status[2] = (byte) (2 << 3);
    byte[] s =
        DnsResponder.respond(status, status.length, x -> new DnsAnswer.NotOurs()).orElseThrow();
    assertThat(DnsClient.parse(s, s.length).rcode()).isEqualTo(DnsResponder.NOTIMP);
  }

  @Example
  void aCompressedOrTruncatedQuestionIsAFormatError() {
    byte[] q = DnsClient.query(9, "web", 1);
    q[12] = (byte) 0xc0;
    byte[] r = DnsResponder.respond(q, q.length, x -> new DnsAnswer.NotOurs()).orElseThrow();
    assertThat(DnsClient.parse(r, r.length))
        .isEqualTo(new DnsClient.Reply(9, DnsResponder.FORMERR, List.of()));
    byte[] t = DnsClient.query(10, "web", 1);
    byte[] rt = DnsResponder.respond(t, t.length - 3, x -> new DnsAnswer.NotOurs()).orElseThrow();
    assertThat(DnsClient.parse(rt, rt.length).rcode()).isEqualTo(DnsResponder.FORMERR);
  }

  @Example
  void responsesAreNotAnswered() {
    byte[] q = DnsClient.query(11, "web", 1);
    q[2] |= (byte) 0x80;
    assertThat(DnsResponder.respond(q, q.length, x -> new DnsAnswer.NotOurs())).isEmpty();
  }
}
