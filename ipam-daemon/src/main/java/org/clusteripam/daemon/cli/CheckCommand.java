package org.clusteripam.daemon.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.daemon.reconcile.DockerApi;
import org.clusteripam.daemon.store.StoreOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code check}: Docker on this node versus the store, as a JSON report. Changes nothing. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description =
        "Compares this node's Docker with the store and prints leaked, missing and conflicting addresses as JSON.")
public final class CheckCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin StoreOptions store = new StoreOptions();

  @Mixin NodeOptions nodeOptions = new NodeOptions();

  @Option(
      names = "--daemon-url",
      defaultValue = "${env:IPAM_DAEMON_URL:-http://127.0.0.1:9587}",
      description =
          "When the embedded store is locked by a running daemon, ask that daemon (its --metrics address) (env IPAM_DAEMON_URL). Default: ${DEFAULT-VALUE}.")
  String daemonUrl;

  @Override
  public Integer call() throws Exception {
    HostId node = nodeOptions.node();
    String report;
    if (!store.usesEtcd() && DaemonClient.locked(store)) {
      report = DaemonClient.get(spec, daemonUrl, "/v1/check");
    } else {
      try (CliStore c = CliStore.open(spec, store);
          DockerApi docker = nodeOptions.docker()) {
        report = CheckRun.report(c.queries(), c.store.describe(), docker, node);
      } catch (DockerApi.DockerUnavailableException e) {
        throw new ParameterException(
            spec.commandLine(),
            "cannot read Docker at " + nodeOptions.dockerHost + ": " + e.getMessage(),
            e);
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(report);
    out.flush();
    return 0;
  }
}
