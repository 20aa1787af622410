package org.clusteripam.core.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.clusteripam.core.cni.AttachmentId;

/** The holder's one string form: every form round-trips, no two share a string, junk is refused. */
class HolderProperties {

  static Arbitrary<String> names(int max) {
    return Arbitraries.strings()
        .withChars("abcXYZ019._-")
        .ofMinLength(1)
        .ofMaxLength(Math.min(max, 12))
        .edgeCases(c -> c.add("a".repeat(max)));
  }

  static Arbitrary<HostId> hosts() {
    return names(HostId.MAX).map(HostId::new);
  }

  static Arbitrary<AttachmentId> attachments() {
    Arbitrary<String> ifnames =
        Arbitraries.strings()
            .withCharRange('!', '~')
            .ofMinLength(1)
            .ofMaxLength(15)
            .filter(s -> !s.equals(".") && !s.equals("..") && s.indexOf('/') < 0)
            .filter(s -> s.indexOf(':') < 0);
    return Combinators.combine(names(AttachmentId.MAX_NETWORK), names(64), ifnames)
        .as(AttachmentId::new);
  }

  @Provide
  Arbitrary<Holder> holders() {
    return Arbitraries.oneOf(
        hosts().map(Holder::of),
        Arbitraries.just(Holder.GLOBAL),
        Combinators.combine(hosts(), names(Holder.Vip.MAX_SERVICE)).as(Holder.Vip::new),
        hosts().map(Holder.CniPool::new),
        Combinators.combine(hosts(), attachments()).as(Holder.CniAttachment::new));
  }

  @Property(tries = 250)
  void formatThenParseIsIdentity(@ForAll("holders") Holder h) {
    assertThat(Holder.parse(h.format())).isEqualTo(h);
    assertThat(Holder.tryParse(h.format())).contains(h);
  }

  @Property(tries = 250)
  void parseThenFormatIsIdentityOnEveryParsedString(@ForAll("candidates") String s) {
    Holder.tryParse(s).ifPresent(h -> assertThat(h.format()).isEqualTo(s));
  }

  @Property(tries = 250)
  void differentHoldersNeverShareAString(@ForAll("holders") Holder a, @ForAll("holders") Holder b) {
    assertThat(a.format().equals(b.format())).isEqualTo(a.equals(b));
    assertThat(Integer.signum(a.compareTo(b)))
        .isEqualTo(Integer.signum(a.format().compareTo(b.format())));
  }

  @Provide
  Arbitrary<List<Holder>> holderLists() {
    return holders().list().ofMaxSize(12);
  }

  @Property(tries = 250)
  void sortedHoldersIterateInTheOrderOfTheirStoredStrings(@ForAll("holderLists") List<Holder> hs) {
    java.util.TreeSet<String> strings = new java.util.TreeSet<>();
    hs.forEach(h -> strings.add(h.format()));
    java.util.TreeSet<Holder> holders = new java.util.TreeSet<>(hs);
    assertThat(holders.stream().map(Holder::format).toList()).containsExactlyElementsOf(strings);
    assertThat(strings.stream().map(Holder::parse).toList()).containsExactlyElementsOf(holders);
  }

  @Property(tries = 250)
  void onlyHostsLookLikeHostIds(@ForAll("holders") Holder h) {
    assertThat(h.format().startsWith("@")).isEqualTo(!h.isHost());
    assertThat(h.host().isEmpty()).isEqualTo(h instanceof Holder.Global);
  }

  /** Strings near the holder forms: valid ones, each mutated by one character. */
  @Provide
  Arbitrary<String> candidates() {
    Arbitrary<String> mutated =
        Combinators.combine(
                holders().map(Holder::format),
                Arbitraries.integers().between(0, 200),
                Arbitraries.of('@', '/', '%', ' ', 'a', ':', '2'),
                Arbitraries.of(0, 1, 2))
            .as(
                (s, at, c, op) -> {
                  int i = Math.min(at, s.length());
                  return switch (op) {
                    case 0 -> s.substring(0, i) + c + s.substring(i);
                    case 1 -> i < s.length() ? s.substring(0, i) + s.substring(i + 1) : s;
                    default -> i < s.length() ? s.substring(0, i) + c + s.substring(i + 1) : s;
                  };
                });
    return Arbitraries.oneOf(mutated, Arbitraries.strings().ofMaxLength(20));
  }

  @Property(tries = 250)
  void parseRejectsMutatedFormsOrReadsThemExactly(@ForAll("candidates") String s) {
    try {
      assertThat(Holder.parse(s).format()).isEqualTo(s);
    } catch (IllegalArgumentException e) {
      assertThat(e).hasMessageContaining("malformed holder");
      assertThat(Holder.tryParse(s)).isEmpty();
    }
  }

  @Example
  void malformedHoldersAreRefusedWithTheirReason() {
    List<String> bad =
        List.of(
            "",
            "@",
            "@global/",
            "@globalx",
            "@vip/",
            "@vip/h1",
            "@vip/h1/",
            "@vip//svc",
            "@vip/h1/a/b",
            "@cni/",
            "@cni/h1/",
            "@cni/h1/net",
            "@cni/h1/net/c1/eth0/x",
            "@cni/h1/net/c1/%65th0",
            "@other/h1",
            "h 1",
            "h1/x",
            "a".repeat(HostId.MAX + 1));
    for (String s : bad) {
      assertThatThrownBy(() -> Holder.parse(s))
          .as(s)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("malformed holder \"" + s + "\"");
    }
  }

  @Example
  void theStoredFormsAreTheOnesEveryStoreHolds() {
    HostId h1 = new HostId("h1");
    assertThat(Holder.of(h1).format()).isEqualTo("h1");
    assertThat(Holder.GLOBAL.format()).isEqualTo("@global");
    assertThat(new Holder.Vip(h1, "svc1").format()).isEqualTo("@vip/h1/svc1");
    assertThat(new Holder.CniPool(h1).format()).isEqualTo("@cni/h1");
    assertThat(new Holder.CniAttachment(h1, new AttachmentId("net", "c1", "eth0")).format())
        .isEqualTo("@cni/h1/net/c1/eth0");
    assertThat(new Holder.CniAttachment(h1, new AttachmentId("net", "c1", "e%")).format())
        .isEqualTo("@cni/h1/net/c1/e%25");
    assertThat(Holder.of(h1, true)).isEqualTo(Holder.GLOBAL);
    assertThat(Holder.of(h1, false)).isEqualTo(Holder.of("h1"));
  }
}
