package org.clusteripam.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressTest {

  @ParameterizedTest
  @CsvSource({
    "0.0.0.0, 0.0.0.0",
    "255.255.255.255, 255.255.255.255",
    "10.80.3.7, 10.80.3.7",
    "::, ::",
    "::1, ::1",
    "1::, 1::",
    "2001:DB8:0:0:0:0:0:1, 2001:db8::1",
    "2001:0db8:0000:0000:0001:0000:0000:0001, 2001:db8::1:0:0:1",
    "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
    "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
    "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
    "fd00:6:0:0:0:0:0:ffff, fd00:6::ffff",
    "::ffff:10.1.2.3, ::ffff:10.1.2.3",
    "::ffff:0a01:0203, ::ffff:10.1.2.3",
    "0:0:0:0:0:0:0:0, ::",
    "1:0:0:0:0:0:0:0, 1::",
    "0:1:0:0:0:0:0:0, 0:1::",
    "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6::8, 1:2:3:4:5:6:0:8",
    "1:2:3:4:5:6:1.2.3.4, 1:2:3:4:5:6:102:304",
  })
  void parsesAndFormatsCanonically(String input, String canonical) {
    IpAddress a = IpAddress.parse(input);
    assertThat(a.toString()).isEqualTo(canonical);
    assertThat(IpAddress.parse(canonical)).isEqualTo(a);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "1.2.3",
        "1.2.3.4.5",
        "1.2.3.256",
        "01.2.3.4",
        "1.2.3.04",
        "1.2.3.-4",
        " 1.2.3.4",
        "1.2.3.4 ",
        "1.2.3.4.",
        "localhost",
        "example.com",
        "0x1.2.3.4",
        "1.2.3.4/24",
        "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8:9",
        "1::2::3",
        ":1::",
        "1:::2",
        "12345::",
        "g::",
        "fe80::1%eth0",
        "fe80::1%1",
        "::1.2.3",
        "::1.2.3.04",
        "1.2.3.4::",
        "::1.2.3.4:5",
        "１.2.3.4",
        "::٣",
        "1:2:3:4:5:6:7:8::",
        "::1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:1.2.3.4"
      })
  void rejectsMalformedInputWithoutResolvingNames(String input) {
    assertThatThrownBy(() -> IpAddress.parse(input))
        .isInstanceOf(IpFormatException.class)
        .hasMessageStartingWith("invalid IP address");
  }

  @Test
  void explainsWhatIsWrong() {
    assertThatThrownBy(() -> IpAddress.parse("10.080.1.1"))
        .hasMessage("invalid IP address \"10.080.1.1\": octet with a leading zero is ambiguous");
    assertThatThrownBy(() -> IpAddress.parse("fe80::1%eth0"))
        .hasMessageContaining("zone ids are not accepted");
    assertThatThrownBy(() -> IpAddress.parse(null))
        .isInstanceOf(IpFormatException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> IpAddress.parse("a\u0000b")).hasMessageContaining("a?b");
  }

  @Test
  void arithmeticStaysInsideTheFamily() {
    IpAddress top4 = IpAddress.max(IpFamily.IPV4);
    assertThatThrownBy(() -> top4.next()).isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(() -> top4.plus(Long.MAX_VALUE)).isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(() -> IpAddress.zero(IpFamily.IPV4).previous())
        .isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(() -> IpAddress.max(IpFamily.IPV6).next())
        .isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(() -> IpAddress.zero(IpFamily.IPV6).plus(Long.MIN_VALUE))
        .isInstanceOf(ArithmeticException.class);
    assertThat(IpAddress.parse("::ffff:ffff:ffff:ffff").next())
        .isEqualTo(IpAddress.parse("0:0:0:1::"));
    assertThat(IpAddress.parse("0:0:0:1::").previous())
        .isEqualTo(IpAddress.parse("::ffff:ffff:ffff:ffff"));
    assertThat(IpAddress.zero(IpFamily.IPV6).minus(Long.MIN_VALUE))
        .isEqualTo(IpAddress.of(IpFamily.IPV6, BigInteger.ONE.shiftLeft(63)));
    assertThat(IpAddress.parse("10.0.0.255").plus(1)).isEqualTo(IpAddress.parse("10.0.1.0"));
    assertThat(IpAddress.parse("10.0.1.0").offsetFrom(IpAddress.parse("10.0.0.0"))).isEqualTo(256);
    assertThatThrownBy(() -> IpAddress.parse("10.0.0.0").offsetFrom(IpAddress.parse("10.0.1.0")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IpAddress.parse("1::").offsetFrom(IpAddress.parse("::")))
        .isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(() -> IpAddress.parse("::1").offsetFrom(IpAddress.parse("0.0.0.0")))
        .hasMessageContaining("cannot mix");
  }

  @Test
  void ordersIpv4BeforeIpv6AndConvertsBytes() {
    assertThat(IpAddress.parse("255.255.255.255")).isLessThan(IpAddress.parse("::"));
    assertThat(IpAddress.parse("10.1.2.3").toBytes()).containsExactly(10, 1, 2, 3);
    assertThat(IpAddress.fromBytes(IpAddress.parse("fd00::1").toBytes()))
        .isEqualTo(IpAddress.parse("fd00::1"));
    assertThat(IpAddress.fromInetAddress(IpAddress.parse("fd00::1").toInetAddress()))
        .isEqualTo(IpAddress.parse("fd00::1"));
    assertThat(IpAddress.fromInetAddress(IpAddress.parse("::ffff:1.2.3.4").toInetAddress()).isV6())
        .isTrue();
    assertThatThrownBy(() -> IpAddress.fromBytes(new byte[5]))
        .hasMessageContaining("4 or 16 bytes");
    assertThatThrownBy(() -> IpAddress.of(IpFamily.IPV4, BigInteger.ONE.shiftLeft(32)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
