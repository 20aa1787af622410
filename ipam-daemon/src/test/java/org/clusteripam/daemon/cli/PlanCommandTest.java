package org.clusteripam.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.clusteripam.daemon.Main;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class PlanCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void jsonHasTheSeedFigures() throws Exception {
    int code = run("plan", "--supernet", "192.168.0.0/16", "--network-prefix", "20", "--host-prefix", "25", "--services", "100", "--json");

    assertThat(code).isZero();
    JsonNode json = new ObjectMapper().readTree(out.toString());
    assertThat(json.get("networks").asLong()).isEqualTo(16);
    assertThat(json.get("hostsPerNetwork").asLong()).isEqualTo(32);
    assertThat(json.get("addressesPerHost").asLong()).isEqualTo(128);
    assertThat(json.get("serviceVipsPerHost").asLong()).isEqualTo(100);
    assertThat(json.get("containerAddressesPerHost").asLong()).isEqualTo(28);
    assertThat(json.get("fits").asBoolean()).isTrue();
  }

  @Test
  void tableIsReadableAndNamesTheReservations() {
    int code = run("plan", "--supernet", "192.168.0.0/16", "--network-prefix", "20", "--host-prefix", "25", "--services", "100");

    assertThat(code).isZero();
    assertThat(out.toString())
        .contains("networks").contains("16")
        .contains("container addresses per host").contains("28")
        .contains("broadcast").contains("gateway")
        .contains("The parameters fit.");
  }

  @Test
  void badSupernetIsAUsageErrorThatQuotesTheInput() {
    int code = run("plan", "--supernet", "192.168.0.1/16", "--network-prefix", "20", "--host-prefix", "25");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("192.168.0.1/16").contains("host bits are set");
  }

  @Test
  void warningsAreShownWhenServicesDoNotFit() throws Exception {
    int code = run("plan", "--supernet", "10.80.0.0/12", "--network-prefix", "24", "--host-prefix", "26", "--services", "70", "--json");

    assertThat(code).isZero();
    JsonNode json = new ObjectMapper().readTree(out.toString());
    assertThat(json.get("fits").asBoolean()).isFalse();
    assertThat(json.get("warnings").get(0).asText()).contains("70 VIPs");
  }

  @Test
  void perHostPlanAddsThePlaceholderArithmetic() throws Exception {
    int code = run("plan", "--supernet", "10.80.0.0/12", "--network-prefix", "24", "--host-prefix", "26", "--services", "5",
        "--placeholder-prefix", "26", "--nodes", "8", "--json");
    assertThat(code).as(err.toString()).isZero();
    JsonNode h = new ObjectMapper().readTree(out.toString()).get("perHost");
    assertThat(h.get("placeholders").asLong()).isEqualTo(63);
    assertThat(h.get("taskPlaceholders").asLong()).isEqualTo(50);
    assertThat(h.get("hostBlocks").asLong()).isEqualTo(3);
    assertThat(h.get("containersPerHostBlock").asLong()).isEqualTo(58);
    assertThat(h.get("minContainersPerHostBlock").asLong()).isEqualTo(56);
    assertThat(h.get("fits").asBoolean()).isTrue();

    out.getBuffer().setLength(0);
    assertThat(run("plan", "--supernet", "10.80.0.0/12", "--network-prefix", "24", "--host-prefix", "26", "--services", "5",
        "--placeholder-prefix", "26", "--nodes", "8")).isZero();
    assertThat(out.toString()).contains("Per-host addressing").contains("left for tasks").contains("The per-host plan fits.");

    assertThat(run("plan", "--supernet", "10.80.0.0/12", "--network-prefix", "24", "--host-prefix", "26", "--placeholder-prefix", "24"))
        .isNotZero();
    assertThat(err.toString()).contains("placeholder prefix /24");
  }
}
