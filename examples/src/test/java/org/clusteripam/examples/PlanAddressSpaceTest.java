package org.clusteripam.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.plan.CapacityInput;
import org.junit.jupiter.api.Test;

class PlanAddressSpaceTest {

  @Test
  void printsFiguresPoolsAndHostBlocks() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PlanAddressSpace.print(
        new CapacityInput(IpPrefix.parse("10.80.0.0/12"), 24, 26, 10),
        new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String out = bytes.toString(StandardCharsets.UTF_8);

    assertThat(out).contains("4096 networks of /24, 4 hosts each, 54 container addresses per host");
    assertThat(out).contains("pool 0: 10.80.0.0/24").contains("pool 2: 10.80.2.0/24");
    assertThat(out).contains("host block 1: 10.80.0.64/26 (10.80.0.64 - 10.80.0.127)");
  }
}
