package org.clusteripam.daemon.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.clusteripam.core.ipam.DriverIpam;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.reconcile.DockerState;
import org.clusteripam.core.reconcile.StoreView;
import org.clusteripam.core.reconcile.StoredAddress;
import org.clusteripam.core.reconcile.StoredPool;
import org.clusteripam.daemon.reconcile.DockerApi;
import org.clusteripam.daemon.serve.HostLease;
import org.clusteripam.daemon.store.StoreOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code reclaim-host NODE}: frees everything a dead node holds (addresses, pool references, empty
 * blocks). Refused while the node's liveness lease exists, and — when NODE is this host — while
 * Docker here still has endpoints on our networks.
 */
@Command(
    name = "reclaim-host",
    mixinStandardHelpOptions = true,
    description =
        "Frees the addresses, pool references and empty blocks of a node that is gone for good.")
public final class ReclaimHostCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin StoreOptions store = new StoreOptions();

  @Mixin NodeOptions nodeOptions = new NodeOptions();

  @Parameters(index = "0", paramLabel = "NODE", description = "The node id to reclaim.")
  String target;

  @Override
  public Integer call() throws Exception {
    HostId dead;
    try {
      dead = new HostId(target);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (CliStore c = CliStore.open(spec, store)) {
      if (HostLease.held(c.store, dead)) {
        throw new ParameterException(
            spec.commandLine(),
            "node "
                + dead
                + " is alive: its lease "
                + HostLease.key(dead)
                + " is in the store. Stop its cluster-ipam daemon (or wait for the lease to expire) first.");
      }
      if (dead.equals(nodeOptions.node())) {
        try (DockerApi docker = nodeOptions.docker()) {
          DockerState d = docker.read();
          long endpoints = d.networks().stream().mapToLong(n -> n.endpoints().size()).sum();
          if (endpoints > 0) {
            throw new ParameterException(
                spec.commandLine(),
                "node "
                    + dead
                    + " is this host and Docker here still has "
                    + endpoints
                    + " endpoints on cluster-ipam networks");
          }
        } catch (DockerApi.DockerUnavailableException e) {
          out.println(
              "note: Docker on this host is unreachable ("
                  + e.getMessage()
                  + "); relying on the lease");
        }
      }
      StoreView view = c.queries().storeView(dead);
      DriverIpam engine = c.engine().driver();
      int addresses = 0;
      for (StoredAddress a : view.addresses()) {
        if (a.holders().contains(Holder.of(dead))) {
          engine.releaseAddress(dead, a.pool(), a.address());
          addresses++;
        }
      }
      int pools = 0;
      for (StoredPool p : view.pools()) {
        if (p.heldByHost()) {
          engine.releasePool(dead, p.id());
          pools++;
        }
      }
      List<?> blocks = engine.releaseEmptyBlocks(dead);
      out.println(
          "reclaimed "
              + dead
              + ": "
              + addresses
              + " addresses, "
              + pools
              + " pool references, "
              + blocks.size()
              + " empty blocks");
    }
    out.flush();
    return 0;
  }
}
