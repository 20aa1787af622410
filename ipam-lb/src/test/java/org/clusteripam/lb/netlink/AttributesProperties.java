package org.clusteripam.lb.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class AttributesProperties {

  @Property
  void valuesSurviveWriteAndParseWithFourByteAlignment(
      @ForAll int u32,
      @ForAll long u64,
      @ForAll short u16,
      @ForAll byte u8,
      @ForAll @AlphaChars @StringLength(max = 20) String text,
      @ForAll boolean nestedFlag) {
    byte[] b =
        new AttributeWriter()
            .u8(1, u8)
            .string(2, text)
            .u16(3, u16)
            .begin(4, nestedFlag)
            .u32(1, u32)
            .u64(2, u64)
            .be16(3, u16)
            .end()
            .toByteArray();
    assertThat(b.length % 4).isZero();
    Attributes a = Attributes.parse(b, 0, b.length);
    assertThat(a.u8(1)).isEqualTo(u8 & 0xff);
    assertThat(a.string(2)).isEqualTo(text);
    assertThat(a.u16(3)).isEqualTo(u16 & 0xffff);
    Attributes n = a.nested(4);
    assertThat(n.u32(1)).isEqualTo(u32);
    assertThat(n.u64(2)).isEqualTo(u64);
    assertThat(n.unsigned(2)).isEqualTo(u64);
    assertThat(n.be16(3)).isEqualTo(u16 & 0xffff);
  }

  @Test
  void portsAreInNetworkByteOrder() {
    assertThat(new AttributeWriter().be16(4, 8080).toByteArray())
        .containsExactly(6, 0, 4, 0, 0x1f, (byte) 0x90, 0, 0);
  }

  @Test
  void masksTheNestedAndByteOrderFlagsOffTypes() {
    byte[] b = {8, 0, 5, (byte) 0xc0, 1, 0, 0, 0};
    assertThat(Attributes.parse(b, 0, b.length).u32(5)).isEqualTo(1);
  }

  @Test
  void rejectsAnAttributeRunningPastItsParent() {
    byte[] b = {12, 0, 1, 0, 1, 0, 0, 0};
    assertThatThrownBy(() -> Attributes.parse(b, 0, b.length)).isInstanceOf(NetlinkException.class);
    assertThatThrownBy(() -> Attributes.parse(new byte[] {8, 0, 1, 0, 0, 0, 0, 0}, 0, 8).u64(1))
        .hasMessageContaining("too short");
  }
}
