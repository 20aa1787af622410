package org.clusteripam.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Optional;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.daemon.Cli;
import org.clusteripam.daemon.serve.Daemon;
import org.clusteripam.daemon.serve.ServeCommand;
import org.clusteripam.etcd.file.FileStateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code show --node-id H}: exactly what H holds, on a real engine; through the CLI and through the
 * daemon's {@code /v1/show}.
 */
class ShowHostTest {
  static final ObjectMapper JSON = new ObjectMapper();

  /** h1's holdings in {@link ShowHostFixture}, after the store line. */
  static final String H1_TEXT =
      """
      host h1 holds 2 pools, 2 blocks, 6 addresses (1 service VIP), 1 placeholder
        pool 10.90.0.0/24 static gateway=10.90.0.1 holders=h1,h2 used 6/256 (2.34%)
          block 10.90.0.0/26 host=h1 used 4/64
            10.90.0.1 gateway held by h1,h2
            10.90.0.2 endpoint held by h1
            10.90.0.3 endpoint held by h1
            10.90.0.4 endpoint held by @vip/h1/svc1
        pool 10.91.0.0/24 static per-host placeholders=10.91.0.192/26 gateway=10.91.0.1 holders=@global,h1,h2 used 5/256 (1.95%)
          block 10.91.0.0/26 host=h2 used 2/64
            10.91.0.1 gateway held by @global,h1,h2
          block 10.91.0.64/26 host=h1 used 1/64
            10.91.0.64 endpoint held by h1
          placeholder 10.91.0.192 -> 10.91.0.64
      """;

  static final String H1_JSON =
      """
      {"store":"in-memory store","revision":%d,"host":"h1",
       "counts":{"pools":2,"blocks":2,"addresses":6,"serviceVips":1,"placeholders":1},
       "pools":[
        {"pool":"10.90.0.0/24","dynamic":false,"gateway":"10.90.0.1","holders":["h1","h2"],"size":256,"used":6,"utilization":0.0234375,
         "blocks":[{"block":"10.90.0.0/26","host":"h1","size":64,"used":4,"addresses":[
           {"address":"10.90.0.1","kind":"gateway","holders":["h1","h2"],"sinceMillis":1714564800000},
           {"address":"10.90.0.2","kind":"endpoint","holders":["h1"],"sinceMillis":1714564800000},
           {"address":"10.90.0.3","kind":"endpoint","holders":["h1"],"sinceMillis":1714564800000},
           {"address":"10.90.0.4","kind":"endpoint","holders":["@vip/h1/svc1"],"sinceMillis":1714564800000}]}],
         "placeholders":[]},
        {"pool":"10.91.0.0/24","dynamic":false,"addressing":"per-host","placeholders":"10.91.0.192/26","gateway":"10.91.0.1","holders":["@global","h1","h2"],"size":256,"used":5,
         "utilization":0.01953125,
         "blocks":[
          {"block":"10.91.0.0/26","host":"h2","size":64,"used":2,"addresses":[
            {"address":"10.91.0.1","kind":"gateway","holders":["@global","h1","h2"],"sinceMillis":1714564800000}]},
          {"block":"10.91.0.64/26","host":"h1","size":64,"used":1,"addresses":[
            {"address":"10.91.0.64","kind":"endpoint","holders":["h1"],"sinceMillis":1714564800000}]}],
         "placeholders":[{"placeholder":"10.91.0.192","actual":"10.91.0.64","sinceMillis":1714564800000}]}]}
      """;

  @TempDir Path dir;

  @Test
  void textShowsOnlyWhatTheHostHolds() throws Exception {
    StateStore store = new InMemoryStateStore();
    ShowHostFixture fx = new ShowHostFixture(store);
    String out = ShowCommand.answer("node=h1", fx.h1, store);
    assertThat(out)
        .isEqualTo("store in-memory store at revision " + store.revision() + "\n" + H1_TEXT);
    assertThat(out)
        .as("h2's own addresses, VIP, pool and placeholder are not h1's")
        .doesNotContain(
            "10.90.0.192",
            "@vip/h2",
            fx.h2Only.toString(),
            fx.placeholder2.toString(),
            "10.91.0.2 ");
  }

  @Test
  void jsonShowsOnlyWhatTheHostHolds() throws Exception {
    StateStore store = new InMemoryStateStore();
    ShowHostFixture fx = new ShowHostFixture(store);
    assertThat(JSON.readTree(ShowCommand.answer("json&node=h1", fx.h1, store)))
        .isEqualTo(JSON.readTree(H1_JSON.formatted(store.revision())));
    assertThat(ShowCommand.answer("node=h1&json", fx.h1, store))
        .isEqualTo(ShowCommand.answer("json&node=h1", fx.h1, store));
  }

  @Test
  void theOtherHostSeesItsOwnPoolsAndAHostWithNothingSeesNothing() throws Exception {
    StateStore store = new InMemoryStateStore();
    ShowHostFixture fx = new ShowHostFixture(store);
    String h2 = ShowCommand.answer("node=h2", fx.h1, store);
    assertThat(h2)
        .contains("host h2 holds 3 pools, 3 blocks, 6 addresses (1 service VIP), 1 placeholder\n")
        .contains(
            "  pool " + fx.h2Only + " dynamic holders=h2 ",
            "10.90.0.193 endpoint held by @vip/h2/svc1",
            "placeholder " + fx.placeholder2 + " -> 10.91.0.2\n")
        .doesNotContain("@vip/h1", "10.90.0.2 ", "10.91.0.64");
    assertThat(ShowCommand.answer("node=h9", fx.h1, store))
        .isEqualTo(
            "store in-memory store at revision "
                + store.revision()
                + "\nhost h9 holds 0 pools, 0 blocks, 0 addresses (0 service VIPs), 0 placeholders\n");
  }

  @Test
  void withoutANodeTheEndpointAnswersTheWholeStoreAsBefore() throws Exception {
    StateStore store = new InMemoryStateStore();
    ShowHostFixture fx = new ShowHostFixture(store);
    assertThat(ShowCommand.answer(null, fx.h1, store))
        .isEqualTo(ShowCommand.render(store, IpamConfig.defaults(), false));
    assertThat(ShowCommand.answer("json", fx.h1, store))
        .isEqualTo(ShowCommand.render(store, IpamConfig.defaults(), true));
    assertThatThrownBy(() -> ShowCommand.answer("nodes=h1", fx.h1, store))
        .hasMessageContaining("unknown query \"nodes=h1\"");
    assertThatThrownBy(() -> ShowCommand.answer("node=bad id", fx.h1, store))
        .hasMessageContaining("host id must be");
  }

  @Test
  void queryStringOfTheCommandNamesTheHostAndJson() {
    assertThat(ShowCommand.query(Optional.empty(), false)).isEmpty();
    assertThat(ShowCommand.query(Optional.empty(), true)).isEqualTo("?json");
    assertThat(ShowCommand.query(Optional.of(new HostId("h1")), false)).isEqualTo("?node=h1");
    assertThat(ShowCommand.query(Optional.of(new HostId("h1")), true)).isEqualTo("?node=h1&json");
  }

  @Test
  void theCommandReadsTheEmbeddedStoreAndAsksTheDaemonWhileItHoldsIt() throws Exception {
    Path state = dir.resolve("state");
    try (StateStore store = FileStateStore.open(state)) {
      new ShowHostFixture(store);
    }
    Cli.Result text = Cli.run("show", "--state-dir", state.toString(), "--node-id", "h1");
    assertThat(text.exit()).as(text.err()).isZero();
    assertThat(text.out()).startsWith("store ").endsWith("\n" + H1_TEXT);
    Cli.Result json = Cli.run("show", "--state-dir", state.toString(), "--node-id", "h1", "--json");
    assertThat(json.exit()).as(json.err()).isZero();
    ObjectNode direct = (ObjectNode) JSON.readTree(json.out());
    Cli.Result bad = Cli.run("show", "--state-dir", state.toString(), "--node-id", "bad id");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("--node-id: host id must be");

    ServeCommand serve = new ServeCommand();
    new CommandLine(serve)
        .parseArgs(
            "--node-id",
            "d0",
            "--state-dir",
            state.toString(),
            "--socket",
            dir.resolve("p.sock").toString(),
            "--metrics",
            "127.0.0.1:0",
            "--docker-host",
            "unix://" + dir.resolve("no-docker.sock"),
            "--load-balancer",
            "off");
    try (Daemon daemon = Daemon.start(serve.config())) {
      String url = "http://127.0.0.1:" + daemon.metricsAddress().orElseThrow().getPort();
      Cli.Result viaDaemon =
          Cli.run(
              "show",
              "--state-dir",
              state.toString(),
              "--node-id",
              "h1",
              "--json",
              "--daemon-url",
              url);
      assertThat(viaDaemon.exit()).as(viaDaemon.err()).isZero();
      ObjectNode answered = (ObjectNode) JSON.readTree(viaDaemon.out());
      assertThat(answered.remove("revision").asLong())
          .as("the daemon's lease was written since")
          .isGreaterThan(direct.remove("revision").asLong());
      assertThat(answered).isEqualTo(direct);
      Cli.Result textViaDaemon =
          Cli.run("show", "--state-dir", state.toString(), "--node-id", "h1", "--daemon-url", url);
      assertThat(textViaDaemon.out()).endsWith("\n" + H1_TEXT);
    }
  }
}
