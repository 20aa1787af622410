package org.clusteripam.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.clusteripam.core.net.IpPrefix;
import org.junit.jupiter.api.Test;

/** The README's worked examples. */
class PerHostPlannerTest {
  static PerHostPlan plan(
      String supernet, int network, int host, int services, int range, int nodes) {
    return PerHostPlanner.plan(
        new PerHostInput(
            new CapacityInput(IpPrefix.parse(supernet), network, host, services), range, nodes));
  }

  @Test
  void theDefaultPoolWithItsDefaultPlaceholderRange() {
    PerHostPlan p = plan("10.80.0.0/12", 24, 26, 5, 26, 8);
    assertThat(p.placeholders()).isEqualTo(BigInteger.valueOf(63));
    assertThat(p.taskPlaceholders()).isEqualTo(BigInteger.valueOf(50));
    assertThat(p.hostBlocks()).isEqualTo(BigInteger.valueOf(3));
    assertThat(p.containersPerHostBlock()).isEqualTo(BigInteger.valueOf(58));
    assertThat(p.minContainersPerHostBlock()).isEqualTo(BigInteger.valueOf(56));
    assertThat(p.containersPerNetwork()).isEqualTo(BigInteger.valueOf(58 + 58 + 56));
    assertThat(p.fits()).isTrue();
  }

  @Test
  void theSeedsPlanWithAHundredServices() {
    PerHostPlan p = plan("192.168.0.0/16", 20, 25, 100, 22, 20);
    assertThat(p.placeholders()).isEqualTo(BigInteger.valueOf(1023));
    assertThat(p.taskPlaceholders()).isEqualTo(BigInteger.valueOf(903));
    assertThat(p.hostBlocks()).isEqualTo(BigInteger.valueOf(24));
    assertThat(p.containersPerHostBlock()).isEqualTo(BigInteger.valueOf(27));
    assertThat(p.minContainersPerHostBlock()).isEqualTo(BigInteger.valueOf(25));
  }

  @Test
  void plansThatDoNotFitSayWhy() {
    assertThat(plan("10.80.0.0/12", 24, 26, 60, 26, 8).warnings())
        .anyMatch(w -> w.contains("no room for tasks"));
    assertThat(plan("10.80.0.0/12", 24, 28, 20, 26, 1).warnings())
        .anyMatch(w -> w.contains("no room for containers"));
    assertThatThrownBy(() -> plan("10.80.0.0/12", 24, 26, 0, 24, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("placeholder prefix /24");
    assertThatThrownBy(() -> plan("10.80.0.0/12", 24, 26, 0, 27, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
