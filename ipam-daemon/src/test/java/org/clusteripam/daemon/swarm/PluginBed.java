package org.clusteripam.daemon.swarm;

import java.time.Duration;
import java.util.List;
import org.clusteripam.daemon.docker.Engine;

/**
 * A swarm test bed with one etcd in its hub namespace and {@code cluster-ipam:latest} enabled on
 * every host: the set-up every swarm test class shares. Closing it tears the bed down (etcd
 * included).
 */
record PluginBed(SwarmTestBed bed, HubEtcd etcd) implements AutoCloseable {

  /** Brings the bed up; on any failure everything started so far is torn down before rethrowing. */
  static PluginBed start(int hosts, int managers, List<String> pluginEnv) {
    return start(hosts, managers, pluginEnv, Engine.byDefault());
  }

  /** Same, every host on {@code engine}. */
  static PluginBed start(int hosts, int managers, List<String> pluginEnv, Engine engine) {
    return start(hosts, managers, h -> pluginEnv, engine);
  }

  /** Same, with plugin settings of each host's own. */
  static PluginBed start(
      int hosts,
      int managers,
      java.util.function.Function<DockerHost, List<String>> pluginEnv,
      Engine engine) {
    SwarmTestBed bed = SwarmTestBed.start(hosts, managers, engine);
    try {
      HubEtcd etcd = HubEtcd.start(bed);
      long t0 = System.nanoTime();
      ClusterIpamPlugin.installEverywhere(bed, etcd, pluginEnv);
      Figures.record(
          "plugin build+install on " + hosts + " hosts",
          (System.nanoTime() - t0) / 1_000_000 + " ms");
      return new PluginBed(bed, etcd);
    } catch (RuntimeException | Error e) {
      bed.close();
      throw e;
    }
  }

  /**
   * {@code docker network create -d overlay --ipam-driver cluster-ipam:latest ARGS NAME} on {@code
   * manager}, waiting until swarm's allocator has filled in its subnet (it does so after create
   * returns).
   */
  static void createOverlay(DockerHost manager, String name, String... args) {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of("network", "create", "-d", "overlay", "--ipam-driver", ClusterIpamPlugin.NAME));
    cmd.addAll(List.of(args));
    cmd.add(name);
    manager.must(cmd.toArray(String[]::new));
    Waits.until(
        name + " allocated",
        Duration.ofSeconds(30),
        () ->
            !manager
                .must("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", name)
                .isEmpty());
  }

  @Override
  public void close() {
    bed.close();
  }
}
