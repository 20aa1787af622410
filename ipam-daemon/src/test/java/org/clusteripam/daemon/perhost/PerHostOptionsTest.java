package org.clusteripam.daemon.perhost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.clusteripam.daemon.serve.DaemonConfig;
import org.clusteripam.daemon.serve.ServeCommand;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code serve --load-balancer} and {@code --lb-interval}. */
class PerHostOptionsTest {
  static DaemonConfig parse(String... args) {
    ServeCommand c = new ServeCommand();
    new CommandLine(c).parseArgs(args);
    return c.config();
  }

  @Test
  void defaultsAreAutoEveryFiveSeconds() {
    DaemonConfig c = parse("--node-id", "n1");
    assertThat(c.loadBalancer()).isEqualTo(LoadBalancerMode.AUTO);
    assertThat(c.lbInterval()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void modesAndIntervalAreParsed() {
    DaemonConfig c = parse("--node-id", "n1", "--load-balancer", "OFF", "--lb-interval", "PT0.5S");
    assertThat(c.loadBalancer()).isEqualTo(LoadBalancerMode.OFF);
    assertThat(c.lbInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(parse("--node-id", "n1", "--load-balancer", "on").loadBalancer())
        .isEqualTo(LoadBalancerMode.ON);
    assertThat(parse("--node-id", "n1", "--load-balancer", " ").loadBalancer())
        .as("an unset plugin setting")
        .isEqualTo(LoadBalancerMode.AUTO);
  }

  @Test
  void badValuesNameTheOption() {
    assertThatThrownBy(() -> parse("--node-id", "n1", "--load-balancer", "ipvs"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--load-balancer must be auto, on or off, got \"ipvs\"");
    assertThatThrownBy(() -> parse("--node-id", "n1", "--lb-interval", "PT0S"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--lb-interval must be positive, got PT0S");
  }
}
