package org.clusteripam.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.clusteripam.daemon.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class PlanCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  /**
   * {@code plan} with a supernet, network and host prefix, then {@code extra}; the exit code (the
   * output is in {@link #out} and {@link #err}, {@link #out} emptied first).
   */
  private int plan(String supernet, int network, int host, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "plan",
                "--supernet",
                supernet,
                "--network-prefix",
                String.valueOf(network),
                "--host-prefix",
                String.valueOf(host)));
    args.addAll(List.of(extra));
    out.getBuffer().setLength(0);
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args.toArray(String[]::new));
  }

  private JsonNode json() throws Exception {
    return new ObjectMapper().readTree(out.toString());
  }

  @Test
  void jsonHasTheSeedFigures() throws Exception {
    assertThat(plan("192.168.0.0/16", 20, 25, "--services", "100", "--json")).isZero();
    JsonNode json = json();
    assertThat(json.get("networks").asLong()).isEqualTo(16);
    assertThat(json.get("hostsPerNetwork").asLong()).isEqualTo(32);
    assertThat(json.get("addressesPerHost").asLong()).isEqualTo(128);
    assertThat(json.get("serviceVipsPerHost").asLong()).isEqualTo(100);
    assertThat(json.get("containerAddressesPerHost").asLong()).isEqualTo(28);
    assertThat(json.get("fits").asBoolean()).isTrue();
  }

  @Test
  void tableIsReadableAndNamesTheReservations() {
    assertThat(plan("192.168.0.0/16", 20, 25, "--services", "100")).isZero();
    assertThat(out.toString())
        .contains("networks")
        .contains("16")
        .contains("container addresses per host")
        .contains("28")
        .contains("broadcast")
        .contains("gateway")
        .contains("The parameters fit.");
  }

  /** Bad parameters are refused with an error that quotes the input and names what is wrong. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "192.168.0.1/16 | 20 | 25 |                         | 192.168.0.1/16 | host bits are set",
        "10.80.0.0/12   | 24 | 26 | --placeholder-prefix 24 | /24            | placeholder prefix /24"
      })
  void badParametersAreRefusedQuotingTheInput(
      String supernet, int network, int host, String extra, String quoted, String why) {
    String[] more = extra == null ? new String[0] : extra.split(" ");
    assertThat(plan(supernet, network, host, more)).as("a usage error").isEqualTo(2);
    assertThat(err.toString()).contains(quoted).contains(why);
  }

  @Test
  void warningsAreShownWhenServicesDoNotFit() throws Exception {
    assertThat(plan("10.80.0.0/12", 24, 26, "--services", "70", "--json")).isZero();
    JsonNode json = json();
    assertThat(json.get("fits").asBoolean()).isFalse();
    assertThat(json.get("warnings").get(0).asText()).contains("70 VIPs");
  }

  @Test
  void perHostPlanAddsThePlaceholderArithmetic() throws Exception {
    String[] perHost = {"--services", "5", "--placeholder-prefix", "26", "--nodes", "8"};
    assertThat(plan("10.80.0.0/12", 24, 26, append(perHost, "--json"))).as(err.toString()).isZero();
    JsonNode h = json().get("perHost");
    assertThat(h.get("placeholders").asLong()).isEqualTo(63);
    assertThat(h.get("taskPlaceholders").asLong()).isEqualTo(50);
    assertThat(h.get("hostBlocks").asLong()).isEqualTo(3);
    assertThat(h.get("containersPerHostBlock").asLong()).isEqualTo(58);
    assertThat(h.get("minContainersPerHostBlock").asLong()).isEqualTo(56);
    assertThat(h.get("fits").asBoolean()).isTrue();

    assertThat(plan("10.80.0.0/12", 24, 26, perHost)).isZero();
    assertThat(out.toString())
        .contains("Per-host addressing")
        .contains("left for tasks")
        .contains("The per-host plan fits.");
  }

  private static String[] append(String[] a, String last) {
    String[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = last;
    return out;
  }
}
