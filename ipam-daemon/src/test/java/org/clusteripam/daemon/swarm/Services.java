package org.clusteripam.daemon.swarm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Creating, scaling and removing test services (busybox sleep, dnsrr: there is no IPVS here). */
public final class Services {
  static final Duration CONVERGE = Duration.ofSeconds(120);
  private final SwarmTestBed bed;

  public Services(SwarmTestBed bed) {
    this.bed = bed;
  }

  /** {@code docker service create -d} of {@code replicas} busybox sleepers on {@code network}. */
  public void create(String name, String network, int replicas, String... extraArgs) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "service",
                "create",
                "-d",
                "--name",
                name,
                "--network",
                network,
                "--endpoint-mode",
                "dnsrr",
                "--stop-grace-period",
                "1s",
                "--replicas",
                Integer.toString(replicas)));
    args.addAll(List.of(extraArgs));
    args.addAll(List.of(BusyboxImage.NAME, "sleep", "3600"));
    bed.anyLiveManager().must(args.toArray(String[]::new));
  }

  /**
   * Waits until exactly {@code replicas} tasks of the service are meant to run and all of them are
   * running.
   */
  public void awaitRunning(String name, int replicas) {
    String want = replicas + "/" + replicas;
    try {
      // Counted from the tasks, not `service ls`: a task stranded on a dead node keeps its last
      // reported state
      // (running) after swarm replaced it, and `service ls` then shows e.g. 10/9 although 9 run.
      Waits.until(
          name + " at " + want,
          CONVERGE,
          () -> {
            CommandResult r =
                bed.anyLiveManager()
                    .docker(
                        "service",
                        "ps",
                        "--filter",
                        "desired-state=running",
                        "--format",
                        "{{.CurrentState}}",
                        name);
            List<String> states = r.lines();
            return r.ok()
                && states.size() == replicas
                && states.stream().allMatch(st -> st.startsWith("Running"));
          });
    } catch (IllegalStateException timedOut) {
      // Swarm's own account of each task (state, node, error) is the evidence a failure needs.
      CommandResult ls = bed.anyLiveManager().docker("service", "ls", "--filter", "name=" + name);
      CommandResult ps =
          bed.anyLiveManager()
              .docker(
                  "service",
                  "ps",
                  "--no-trunc",
                  "--format",
                  "{{.Name}} {{.Node}} {{.DesiredState}} {{.CurrentState}} {{.Error}}",
                  name);
      throw new IllegalStateException(
          timedOut.getMessage() + "; service ls:\n" + ls.stdout() + "service ps:\n" + ps.stdout(),
          timedOut);
    }
  }

  public void scale(String name, int replicas) {
    bed.anyLiveManager().must("service", "scale", "-d", name + "=" + replicas);
  }

  /** Removes the service and waits until its containers are gone from every live host. */
  public void remove(String name) {
    bed.anyLiveManager().must("service", "rm", name);
    for (DockerHost h : bed.hosts()) {
      if (h.isAlive()) {
        Waits.until(
            name + " containers gone on " + h.name(),
            CONVERGE,
            () ->
                h.docker("ps", "-aq", "--filter", "label=com.docker.swarm.service.name=" + name)
                    .lines()
                    .isEmpty());
      }
    }
  }
}
