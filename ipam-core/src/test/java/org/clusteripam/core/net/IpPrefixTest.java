package org.clusteripam.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IpPrefixTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.0.0.0",
        "10.0.0.0/",
        "10.0.0.0/33",
        "10.0.0.0/08",
        "10.0.0.0/+8",
        "10.0.0.0/a",
        "::/129",
        "::/1000",
        "10.0.0.1/24",
        "fd00::1/64",
        "host/24",
        "/24",
        "10.0.0.0/24/1",
        "fe80::%1/64"
      })
  void rejectsBadPrefixes(String input) {
    assertThatThrownBy(() -> IpPrefix.parse(input))
        .isInstanceOf(IpFormatException.class)
        .hasMessageStartingWith("invalid CIDR prefix");
  }

  @Test
  void hostBitsSuggestTheIntendedPrefix() {
    assertThatThrownBy(() -> IpPrefix.parse("10.80.3.7/24"))
        .hasMessageContaining("host bits are set; did you mean 10.80.3.0/24?");
    assertThatThrownBy(() -> IpPrefix.parse("10.0.0.0/33"))
        .hasMessageContaining("prefix length 33 exceeds 32 for IPv4");
  }

  @Test
  void geometry() {
    IpPrefix p = IpPrefix.parse("10.80.3.0/24");
    assertThat(p.first()).isEqualTo(IpAddress.parse("10.80.3.0"));
    assertThat(p.last()).isEqualTo(IpAddress.parse("10.80.3.255"));
    assertThat(p.size()).isEqualTo(BigInteger.valueOf(256));
    assertThat(p.parent()).isEqualTo(IpPrefix.parse("10.80.2.0/23"));
    assertThat(p.buddy()).isEqualTo(IpPrefix.parse("10.80.2.0/24"));
    assertThat(p.lowerHalf()).isEqualTo(IpPrefix.parse("10.80.3.0/25"));
    assertThat(p.upperHalf()).isEqualTo(IpPrefix.parse("10.80.3.128/25"));
    assertThat(p.subPrefix(26, 3)).isEqualTo(IpPrefix.parse("10.80.3.192/26"));
    assertThat(p.subPrefixCount(26)).isEqualTo(BigInteger.valueOf(4));
    assertThatThrownBy(() -> p.subPrefix(26, 4)).isInstanceOf(IllegalArgumentException.class);
    assertThat(p.addressAt(7)).isEqualTo(IpAddress.parse("10.80.3.7"));
    assertThatThrownBy(() -> p.addressAt(256)).hasMessageContaining("outside 10.80.3.0/24");
    assertThat(p.offsetOf(IpAddress.parse("10.80.3.200"))).isEqualTo(200);
    assertThat(p.contains(IpPrefix.parse("10.80.3.64/26"))).isTrue();
    assertThat(p.contains(IpAddress.parse("::"))).isFalse();
    assertThat(p.overlaps(IpPrefix.parse("10.80.0.0/16"))).isTrue();
    assertThat(p.overlaps(IpPrefix.parse("10.80.4.0/24"))).isFalse();
    IpPrefix v6 = IpPrefix.parse("fd00:6::/64");
    assertThat(v6.size()).isEqualTo(BigInteger.ONE.shiftLeft(64));
    assertThatThrownBy(v6::sizeAsLong).hasMessageContaining("2^64");
    assertThat(v6.last()).isEqualTo(IpAddress.parse("fd00:6::ffff:ffff:ffff:ffff"));
    assertThat(IpPrefix.parse("::/0").last()).isEqualTo(IpAddress.max(IpFamily.IPV6));
    assertThat(IpPrefix.parse("0.0.0.0/0").size()).isEqualTo(BigInteger.ONE.shiftLeft(32));
    assertThatThrownBy(() -> IpPrefix.parse("0.0.0.0/0").parent())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> IpPrefix.parse("1.2.3.4/32").lowerHalf())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> IpPrefix.of(IpAddress.parse("10.0.0.1"), 24))
        .hasMessageContaining("not aligned");
  }

  @Test
  void rangesParseAndCover() {
    assertThat(IpRange.parse("10.0.0.1-10.0.0.6").toPrefixes())
        .extracting(Object::toString)
        .containsExactly("10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32");
    assertThat(IpRange.parse("::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").toPrefixes())
        .extracting(Object::toString)
        .containsExactly("::/0");
    assertThat(IpRange.parse("10.0.0.0/30").size()).isEqualTo(BigInteger.valueOf(4));
    assertThat(IpRange.parse("10.0.0.9").toString()).isEqualTo("10.0.0.9");
    assertThatThrownBy(() -> IpRange.parse("10.0.0.9-10.0.0.1"))
        .hasMessageContaining("start is above end");
    assertThatThrownBy(() -> IpRange.parse("10.0.0.1-::1"))
        .hasMessageContaining("mixes IPv4 and IPv6");
    assertThatThrownBy(() -> IpRange.parse("")).isInstanceOf(IpFormatException.class);
  }
}
