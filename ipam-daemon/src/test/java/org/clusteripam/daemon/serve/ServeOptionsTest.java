package org.clusteripam.daemon.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.clusteripam.core.alloc.FamilyCarving;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.daemon.Cli;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Option parsing and validation of {@code serve} (without starting anything). */
class ServeOptionsTest {
  static DaemonConfig parse(String... args) {
    ServeCommand c = new ServeCommand();
    new CommandLine(c).parseArgs(args);
    return c.config();
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    DaemonConfig c = parse("--node-id", "n1");
    assertThat(c.socket()).isEqualTo(Path.of("/run/docker/plugins/cluster-ipam.sock"));
    assertThat(c.store().usesEtcd()).isFalse();
    assertThat(c.store().stateDir).isEqualTo(Path.of("/var/lib/cluster-ipam"));
    assertThat(c.ipam().v4().supernet().orElseThrow()).isEqualTo(IpPrefix.parse("10.80.0.0/12"));
    assertThat(c.ipam().v4().networkLength()).isEqualTo(24);
    assertThat(c.ipam().v4().blockLength()).isEqualTo(26);
    assertThat(c.dockerHost()).isEqualTo("unix:///var/run/docker.sock");
    assertThat(c.metrics())
        .hasValueSatisfying(a -> assertThat(a.getAddress().isLoopbackAddress()).isTrue());
    assertThat(c.reconcileInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.node().value()).isEqualTo("n1");
  }

  @Test
  void theBuildersDefaultsAreServesDefaults() {
    DaemonConfig c = parse("--node-id", "n1");
    assertThat(DaemonConfig.builder(c.socket(), c.store(), c.node()).ipam(c.ipam()).build())
        .isEqualTo(c);
  }

  @Test
  void carvingAndStoreOptionsAreApplied() {
    DaemonConfig c =
        parse(
            "--node-id",
            "n1",
            "--supernet",
            "10.200.0.0/16",
            "--network-prefix",
            "20",
            "--host-prefix",
            "24",
            "--supernet-v6",
            "none",
            "--etcd",
            "http://127.0.0.1:2379,http://127.0.0.2:2379",
            "--metrics",
            "off",
            "--etcd-ca",
            "");
    assertThat(c.ipam().v4().supernet().orElseThrow()).isEqualTo(IpPrefix.parse("10.200.0.0/16"));
    assertThat(c.ipam().v4().networkLength()).isEqualTo(20);
    assertThat(c.ipam().v6().supernet()).isEmpty();
    assertThat(c.ipam().v6().networkLength()).isEqualTo(64);
    assertThat(c.store().usesEtcd()).isTrue();
    assertThat(c.store().etcdConfig().endpoints()).hasSize(2);
    assertThat(c.store().etcdConfig().caCert()).as("an empty value means unset").isEmpty();
    assertThat(c.metrics()).isEmpty();
  }

  @Test
  void eachFamilyHasItsOwnCarvingOptions() {
    DaemonConfig c =
        parse(
            "--node-id",
            "n1",
            "--supernet-v6",
            "fd90::/40",
            "--network-prefix-v6",
            "56",
            "--host-prefix-v6",
            "120");
    assertThat(c.ipam().v6()).isEqualTo(FamilyCarving.of(IpPrefix.parse("fd90::/40"), 56, 120));
    assertThat(c.ipam().v4()).isEqualTo(FamilyCarving.of(IpPrefix.parse("10.80.0.0/12"), 24, 26));
  }

  @Test
  void badValuesGetAClearErrorNamingTheOption() {
    Cli.Result r = Cli.run("serve", "--node-id", "n1", "--supernet", "10.80.0.0/33");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--supernet");
    Cli.Result v6in4 = Cli.run("serve", "--node-id", "n1", "--supernet", "fd00::/48");
    assertThat(v6in4.exit()).isEqualTo(2);
    assertThat(v6in4.err()).contains("--supernet: fd00::/48 is not an IPv4 prefix");
    Cli.Result noV4 = Cli.run("serve", "--node-id", "n1", "--supernet", "none");
    assertThat(noV4.err()).contains("--supernet");
    Cli.Result lvl = Cli.run("serve", "--node-id", "n1", "--log-level", "loud");
    assertThat(lvl.err()).contains("--log-level must be error, warn, info, debug or trace");
    Cli.Result metrics = Cli.run("serve", "--node-id", "n1", "--metrics", "localhost");
    assertThat(metrics.err()).contains("--metrics must be HOST:PORT");
    Cli.Result node = Cli.run("serve", "--node-id", "bad id");
    assertThat(node.err()).contains("host id must be");
  }
}
