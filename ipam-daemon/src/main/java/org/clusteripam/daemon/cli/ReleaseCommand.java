package org.clusteripam.daemon.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.clusteripam.core.ipam.DriverIpam;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.reconcile.DockerState;
import org.clusteripam.core.reconcile.Finding;
import org.clusteripam.core.reconcile.StoreView;
import org.clusteripam.daemon.reconcile.DockerApi;
import org.clusteripam.daemon.store.StoreOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code release --from-report FILE}: frees the leaks a {@code check} report lists, after checking
 * each again — still absent from Docker, and still the same allocation held by the report's node.
 */
@Command(
    name = "release",
    mixinStandardHelpOptions = true,
    description =
        "Releases the leaked addresses and pools of a `check` report that are still leaked.")
public final class ReleaseCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin StoreOptions store = new StoreOptions();

  @Mixin NodeOptions nodeOptions = new NodeOptions();

  @Option(
      names = "--from-report",
      required = true,
      description = "JSON report written by `cluster-ipam check`.")
  Path report;

  @Override
  public Integer call() throws Exception {
    CheckReport.Report r;
    try {
      r = CheckReport.read(Files.readAllBytes(report));
    } catch (Exception e) {
      throw new ParameterException(
          spec.commandLine(), "cannot read report " + report + ": " + e.getMessage(), e);
    }
    HostId node = new HostId(r.node());
    PrintWriter out = spec.commandLine().getOut();
    int released = 0;
    int kept = 0;
    try (CliStore c = CliStore.open(spec, store);
        DockerApi docker = nodeOptions.docker()) {
      DockerState d;
      try {
        d = docker.read();
      } catch (DockerApi.DockerUnavailableException e) {
        throw new ParameterException(
            spec.commandLine(),
            "cannot read Docker at "
                + nodeOptions.dockerHost
                + " to re-check the report: "
                + e.getMessage(),
            e);
      }
      StoreView now = c.queries().storeView(node);
      DriverIpam engine = c.engine().driver();
      for (Finding.LeakedAddress l : r.leaked()) {
        boolean live = d.networks().stream().anyMatch(n -> n.live().contains(l.address()));
        boolean same =
            now.addresses().stream()
                .anyMatch(
                    a ->
                        a.pool().equals(l.pool())
                            && a.address().equals(l.address())
                            && a.generation() == l.generation()
                            && a.holders().contains(Holder.of(node)));
        if (live || !same) {
          out.println(
              "kept "
                  + l.pool()
                  + " "
                  + l.address()
                  + (live ? " (live in Docker)" : " (changed or gone since the report)"));
          kept++;
          continue;
        }
        engine.releaseAddress(node, l.pool(), l.address());
        out.println("released " + l.pool() + " " + l.address());
        released++;
      }
      for (Finding.LeakedPool l : r.leakedPools()) {
        boolean exists = d.networks().stream().anyMatch(n -> n.subnets().contains(l.subnet()));
        boolean held =
            now.pools().stream().anyMatch(p -> p.id().equals(l.pool()) && p.heldByHost());
        if (exists || !held) {
          out.println(
              "kept pool "
                  + l.pool()
                  + (exists ? " (network exists in Docker)" : " (no longer held)"));
          kept++;
          continue;
        }
        engine.releasePool(node, l.pool());
        out.println("released pool " + l.pool());
        released++;
      }
    }
    out.println(released + " released, " + kept + " kept");
    out.flush();
    return 0;
  }
}
