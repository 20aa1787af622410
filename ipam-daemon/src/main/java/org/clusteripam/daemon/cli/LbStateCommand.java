package org.clusteripam.daemon.cli;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.store.StoreException;
import org.clusteripam.daemon.perhost.LbStateJson;
import org.clusteripam.daemon.serve.ServeCommand;
import org.clusteripam.daemon.store.StoreOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code lb-state}: a host's load-balancer plan in per-host mode (every service VIP → the actual
 * addresses of its tasks, every placeholder → its actual address), or with {@code --catalog} the
 * published service catalog and the placeholder mappings. JSON ({@link LbStateJson}). Changes
 * nothing.
 */
@Command(
    name = "lb-state",
    mixinStandardHelpOptions = true,
    description =
        "Prints a host's per-host load-balancer desired state as JSON, or with --catalog the published service catalog and placeholder mappings.")
public final class LbStateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin StoreOptions store = new StoreOptions();

  @Option(
      names = "--node-id",
      defaultValue = "${env:IPAM_NODE_ID}",
      description =
          "The host whose load balancer to show (env IPAM_NODE_ID). Default: the host name.")
  String nodeId;

  @Option(
      names = "--catalog",
      description =
          "Print the published service catalog per pool and the placeholder mappings instead.")
  boolean catalog;

  @Option(
      names = "--daemon-url",
      defaultValue = "${env:IPAM_DAEMON_URL:-http://127.0.0.1:9587}",
      description =
          "When the embedded store is locked by a running daemon, ask that daemon (its --metrics address) (env IPAM_DAEMON_URL). Default: ${DEFAULT-VALUE}.")
  String daemonUrl;

  @Override
  public Integer call() {
    HostId node =
        new HostId(nodeId == null || nodeId.isBlank() ? ServeCommand.hostName() : nodeId.strip());
    String json;
    if (!store.usesEtcd() && DaemonClient.locked(store)) {
      json =
          DaemonClient.get(
              spec,
              daemonUrl,
              catalog
                  ? "/v1/lb?catalog"
                  : "/v1/lb?node=" + URLEncoder.encode(node.value(), StandardCharsets.UTF_8));
    } else {
      try (CliStore c = CliStore.open(spec, store)) {
        IpamQueries.Snapshot s = c.queries().snapshot();
        json = catalog ? LbStateJson.catalog(s) : LbStateJson.desiredState(s.lbDesiredState(node));
      } catch (StoreException e) {
        throw new ParameterException(
            spec.commandLine(), "cannot read the " + store.describe() + ": " + e.getMessage(), e);
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(json);
    out.flush();
    return 0;
  }
}
