package org.clusteripam.daemon.swarm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.clusteripam.daemon.docker.Engine;

/**
 * A Docker swarm of several hosts on this machine: one dockerd per network namespace, joined by
 * veth pairs to a bridge in a hub namespace, on private addresses {@code 172.31.250.0/24}. Host
 * {@code h1} initialises the swarm; the next {@code managers - 1} hosts join as managers, the rest
 * as workers. {@link #close()} tears down in the order that never hangs, also after a failed start,
 * and a JVM shutdown hook runs it as a last resort.
 */
public final class SwarmTestBed implements AutoCloseable {
  private static final Duration SHORT = Duration.ofSeconds(20);
  private static final Duration TASKS_GONE = Duration.ofSeconds(60);

  private final String tag;
  private final Path base;
  private final List<DockerHost> hosts = new ArrayList<>();
  private final List<AutoCloseable> extras = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread shutdownHook;
  private int managers;
  private final Engine engine;
  private HubNetwork network;
  private Duration bringUp = Duration.ZERO;
  private Set<Long> sweptLeftovers = Set.of();
  private volatile String lastTeardown = "";

  private SwarmTestBed(int managers, Engine engine) {
    this.engine = engine;
    this.tag = "sb" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
    // Short on purpose: the dockerd socket path must stay under the 108-byte Unix socket limit.
    this.base = Path.of("/tmp", tag);
    this.managers = managers;
    this.shutdownHook = new Thread(this::close, tag + "-teardown");
  }

  /** Three hosts, one manager. */
  public static SwarmTestBed start() {
    return start(3, 1);
  }

  public static SwarmTestBed start(int hostCount, int managerCount) {
    return start(hostCount, managerCount, Engine.byDefault());
  }

  /** Same, every host on {@code engine}. */
  public static SwarmTestBed start(int hostCount, int managerCount, Engine engine) {
    if (hostCount < 1 || managerCount < 1 || managerCount > hostCount) {
      throw new IllegalArgumentException(
          "need 1 <= managers <= hosts, got " + managerCount + " of " + hostCount);
    }
    SwarmTestBed bed = new SwarmTestBed(managerCount, engine);
    Runtime.getRuntime().addShutdownHook(bed.shutdownHook);
    try {
      bed.bringUp(hostCount);
    } catch (RuntimeException | Error e) {
      try {
        bed.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return bed;
  }

  private void bringUp(int hostCount) {
    long t0 = System.nanoTime();
    engine.announce("swarm bed " + tag + " (" + hostCount + " hosts)");
    try {
      Files.createDirectories(base);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    network = HubNetwork.create(tag);
    for (int i = 1; i <= hostCount; i++) {
      String ns = network.addHost(i);
      hosts.add(
          new DockerHost(
              "h" + i,
              ns,
              HubNetwork.address(i),
              base.resolve("h" + i),
              tag + "-h" + i,
              base.resolve("cli"),
              engine));
    }
    hosts.parallelStream().forEach(DockerHost::start);
    Path tar = BusyboxImage.buildTar(base);
    hosts.parallelStream().forEach(h -> BusyboxImage.importOn(h, tar));
    DockerHost first = hosts.get(0);
    first.must("swarm", "init", "--advertise-addr", first.address());
    String managerToken = first.must("swarm", "join-token", "-q", "manager");
    String workerToken = first.must("swarm", "join-token", "-q", "worker");
    for (int i = 1; i < hosts.size(); i++) {
      DockerHost h = hosts.get(i);
      h.must(
          "swarm",
          "join",
          "--advertise-addr",
          h.address(),
          "--token",
          i < managers ? managerToken : workerToken,
          first.address() + ":2377");
    }
    Waits.until(
        "all " + hosts.size() + " nodes ready",
        Duration.ofSeconds(60),
        () ->
            first.docker("node", "ls", "--format", "{{.Status}}").lines().stream()
                    .filter("Ready"::equals)
                    .count()
                == hosts.size());
    bringUp = Duration.ofNanos(System.nanoTime() - t0);
  }

  /** The engine every host of this bed runs. */
  public Engine engine() {
    return engine;
  }

  public List<DockerHost> hosts() {
    return Collections.unmodifiableList(hosts);
  }

  public DockerHost host(String name) {
    return hosts.stream()
        .filter(h -> h.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no host " + name + " in " + hosts));
  }

  /** The first host (it initialised the swarm). */
  public DockerHost manager() {
    return hosts.get(0);
  }

  public boolean isManager(DockerHost h) {
    return hosts.indexOf(h) < managers;
  }

  /** How many hosts are managers: always the first ones. */
  public int managerCount() {
    return managers;
  }

  /**
   * Promotes or demotes hosts so that exactly the first {@code count} are managers, then waits
   * until every manager is reachable in raft (a scenario that needs the leader to die needs three).
   */
  public void setManagers(int count) {
    if (count < 1 || count > hosts.size()) {
      throw new IllegalArgumentException(
          "need 1 <= managers <= " + hosts.size() + ", got " + count);
    }
    DockerHost first = manager();
    for (int i = 1; i < hosts.size(); i++) {
      boolean want = i < count;
      if (want != (i < managers)) {
        first.must("node", want ? "promote" : "demote", hosts.get(i).name());
      }
    }
    managers = count;
    Waits.until(
        count + " reachable managers",
        Duration.ofSeconds(60),
        () ->
            first.docker("node", "ls", "--format", "{{.ManagerStatus}}").lines().stream()
                    .filter(s -> s.equals("Leader") || s.equals("Reachable"))
                    .count()
                == count);
  }

  /** The current raft leader, asked of any live manager. */
  public DockerHost leader() {
    for (DockerHost m : liveManagers()) {
      CommandResult r =
          m.docker(SHORT, "node", "ls", "--format", "{{.Hostname}} {{.ManagerStatus}}");
      for (String line : r.ok() ? r.lines() : List.<String>of()) {
        if (line.endsWith(" Leader")) {
          return host(line.substring(0, line.indexOf(' ')));
        }
      }
    }
    throw new IllegalStateException("no live manager knows a leader");
  }

  /**
   * A live manager that answers (the leader if it can be found); for commands after a leader
   * failure.
   */
  public DockerHost anyLiveManager() {
    return liveManagers().stream()
        .filter(m -> m.docker(SHORT, "node", "ls", "-q").ok())
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no live manager answers"));
  }

  public Duration bringUpTime() {
    return bringUp;
  }

  /** Unique name prefix of this bed's namespaces and cgroups. */
  public String tag() {
    return tag;
  }

  /** The hub namespace: reachable from every host at {@link HubNetwork#HUB_ADDRESS}. */
  public String hubNamespace() {
    return network.hubNamespace();
  }

  /** Base directory holding every host's roots, sockets and logs. */
  public Path baseDir() {
    return base;
  }

  /**
   * Closed during teardown after every dockerd has stopped and before the namespaces go (e.g.
   * etcd).
   */
  public void closeWithBed(AutoCloseable resource) {
    extras.add(resource);
  }

  /**
   * Pids the last teardown had to kill because they outlived their dockerd (empty when all went
   * cleanly).
   */
  public Set<Long> sweptLeftovers() {
    return sweptLeftovers;
  }

  private List<DockerHost> liveManagers() {
    return hosts.stream().filter(h -> isManager(h) && h.isAlive()).toList();
  }

  /**
   * Services (waiting for their tasks to stop), swarm networks except ingress, plugins, {@code
   * swarm leave --force} workers first, dockerd SIGTERM by pid (SIGKILL after 20 s), leftovers
   * killed by pid, namespaces, cgroups and directories removed. Every step is attempted even if an
   * earlier one failed.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or about to: close() is idempotent
      }
    }
    Teardown t = new Teardown();
    Optional<DockerHost> manager =
        liveManagers().stream().filter(m -> m.docker(SHORT, "node", "ls", "-q").ok()).findFirst();
    manager.ifPresent(m -> t.step("remove services", () -> removeServices(m)));
    t.step("wait for task containers to go", this::awaitTaskContainersGone);
    manager.ifPresent(m -> t.step("remove networks", () -> removeNetworks(m)));
    for (DockerHost h : hosts) {
      t.step("remove plugins on " + h.name(), () -> removePlugins(h));
    }
    List<DockerHost> leaveOrder = new ArrayList<>(hosts);
    Collections.reverse(leaveOrder); // workers are the last hosts; h1 leaves last
    for (DockerHost h : leaveOrder) {
      t.step(
          "swarm leave on " + h.name(),
          () -> {
            if (h.isAlive()) {
              h.docker(SHORT, "swarm", "leave", "--force");
            }
          });
    }
    t.step("stop dockerds", () -> hosts.parallelStream().forEach(DockerHost::terminate));
    t.step("kill leftovers", this::sweepLeftovers);
    for (AutoCloseable e : extras) {
      t.step("close " + e, e::close);
    }
    if (network != null) {
      t.step("delete namespaces", network::close);
    }
    for (DockerHost h : hosts) {
      t.step("remove cgroups of " + h.name(), () -> Cgroups.remove(h.cgroupParent()));
    }
    t.step("keep logs", this::keepLogs);
    t.step(
        "delete " + base,
        () ->
            Commands.run(
                Duration.ofSeconds(60), "rm", "-rf", "--one-file-system", base.toString()));
    lastTeardown = t.toString();
    t.throwIfFailed();
  }

  /**
   * Copies every host's dockerd log (which holds its plugins' output) and etcd's log to {@code
   * target/swarm-logs/TAG/} before the base directory goes: the only evidence after a failure.
   */
  private void keepLogs() throws IOException {
    Path keep = Path.of("target", "swarm-logs", tag);
    Files.createDirectories(keep);
    for (DockerHost h : hosts) {
      if (Files.isRegularFile(h.log())) {
        Files.copy(
            h.log(),
            keep.resolve(h.name() + "-dockerd.log"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Path etcdLog = base.resolve("etcd").resolve("etcd.log");
    if (Files.isRegularFile(etcdLog)) {
      Files.copy(
          etcdLog, keep.resolve("etcd.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Step durations of the last teardown, in ms (diagnostics). */
  public String lastTeardown() {
    return lastTeardown;
  }

  private static void removeServices(DockerHost m) {
    for (String svc : m.docker(SHORT, "service", "ls", "-q").lines()) {
      m.docker(SHORT, "service", "rm", svc);
    }
  }

  private void awaitTaskContainersGone() {
    for (DockerHost h : hosts) {
      if (h.isAlive()) {
        Waits.until(
            "task containers gone on " + h.name(),
            TASKS_GONE,
            () ->
                h.docker(SHORT, "ps", "-aq", "--filter", "label=com.docker.swarm.task")
                    .lines()
                    .isEmpty());
      }
    }
  }

  private void removeNetworks(DockerHost m) {
    for (String net :
        m.docker(SHORT, "network", "ls", "--filter", "scope=swarm", "--format", "{{.Name}}")
            .lines()) {
      if (!net.equals("ingress")) {
        // A network still has task endpoints for a moment after its service goes: retry briefly.
        Waits.until(
            "network " + net + " removed",
            TASKS_GONE,
            () ->
                m.docker(SHORT, "network", "rm", net).ok()
                    || !m.docker(SHORT, "network", "inspect", net).ok());
      }
    }
  }

  private void removePlugins(DockerHost h) {
    if (!h.isAlive()) {
      return;
    }
    for (String p : h.docker(SHORT, "plugin", "ls", "--format", "{{.Name}}").lines()) {
      h.docker(SHORT, "plugin", "disable", "-f", p);
      h.docker(SHORT, "plugin", "rm", "-f", p);
    }
  }

  private void sweepLeftovers() {
    Set<Long> pids = new TreeSet<>(ProcFs.processesMentioning(base.toString()));
    for (DockerHost h : hosts) {
      pids.addAll(Cgroups.pids(h.cgroupParent()));
    }
    pids.remove(ProcessHandle.current().pid());
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
    for (long pid : pids) {
      ProcessHandle.of(pid)
          .ifPresent(
              p ->
                  p.onExit()
                      .orTimeout(10, java.util.concurrent.TimeUnit.SECONDS)
                      .exceptionally(x -> p)
                      .join());
    }
    sweptLeftovers = Set.copyOf(pids);
  }
}
