package org.clusteripam.daemon.perhost;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.CatalogService;
import org.clusteripam.core.perhost.CatalogTask;
import org.clusteripam.core.perhost.ServicePort;
import org.clusteripam.daemon.docker.DockerdProcess;
import org.clusteripam.daemon.reconcile.DockerApi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link SwarmCatalogReader} against a real dockerd that is a single-node swarm manager. Swarm
 * refuses a legacy plugin for swarm-scope networks, so the networks here use Docker's {@code
 * default} IPAM driver and the reader is told that driver is "ours": what is checked is the reading
 * of Docker's real swarm JSON (network options, VIPs, endpoint ports, task attachments). The
 * managed plugin on a multi-host swarm is the swarm test's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SwarmCatalogReaderDockerTest {
  static final IpPrefix PH = IpPrefix.parse("10.91.0.0/24");
  DockerdProcess docker;
  DockerApi api;

  @BeforeAll
  void singleNodeSwarm() throws Exception {
    docker = DockerdProcess.start();
    api = new DockerApi(docker.dockerHost(), "default");
    docker.docker("swarm", "init", "--advertise-addr", "127.0.0.1");
    docker.docker(
        "network",
        "create",
        "-d",
        "overlay",
        "--subnet",
        PH.toString(),
        "--ipam-opt",
        "addressing=per-host",
        "ph");
    docker.docker("network", "create", "-d", "overlay", "--subnet", "10.92.0.0/24", "cl");
    // dnsrr and no published ports: this kernel has no IPVS. busybox sleep ignores SIGTERM.
    docker.docker(
        "service",
        "create",
        "--detach",
        "--name",
        "db",
        "--endpoint-mode",
        "dnsrr",
        "--network",
        "ph",
        "--network",
        "cl",
        "--stop-grace-period",
        "1s",
        "bb:1",
        "sleep",
        "100000");
    // A VIP service that never runs a task (its sandbox would need IPVS); its VIP and ports exist
    // all the same.
    docker.docker(
        "service",
        "create",
        "--detach",
        "--name",
        "web",
        "--network",
        "ph",
        "--replicas",
        "0",
        "--publish",
        "mode=host,target=80,published=8080,protocol=tcp",
        "bb:1",
        "sleep",
        "100000");
  }

  @AfterAll
  void teardown() throws Exception {
    try {
      if (docker != null) {
        docker.tryDocker("service", "rm", "db", "web");
        waitUntil(Duration.ofSeconds(30), () -> docker.tryDocker("ps", "-q").output().isBlank());
        docker.tryDocker("network", "rm", "ph", "cl");
        docker.tryDocker("swarm", "leave", "--force");
      }
    } finally {
      if (api != null) {
        api.close();
      }
      if (docker != null) {
        docker.close();
      }
    }
  }

  interface Check {
    boolean ok() throws Exception;
  }

  static void waitUntil(Duration timeout, Check check) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        return;
      }
      Thread.sleep(250);
    }
  }

  @Test
  void readsTheCatalogOfThePerHostNetworkFromARealManager() throws Exception {
    SwarmCatalogReader reader = SwarmCatalogReader.over(api);
    CatalogRead[] read = new CatalogRead[1];
    waitUntil(
        Duration.ofSeconds(90),
        () -> {
          read[0] = reader.read(Set.of());
          return read[0] instanceof CatalogRead.Catalog c
              && c.byPool().getOrDefault(PH, List.of()).stream()
                  .anyMatch(s -> s.name().equals("db") && !s.tasks().isEmpty());
        });
    assertThat(read[0]).isInstanceOf(CatalogRead.Catalog.class);
    CatalogRead.Catalog c = (CatalogRead.Catalog) read[0];
    assertThat(c.skipped()).isEmpty();
    assertThat(c.byPool())
        .as("'cl' and swarm's ingress have no addressing=per-host")
        .containsOnlyKeys(PH);

    Map<String, CatalogService> byName = new java.util.HashMap<>();
    c.byPool().get(PH).forEach(s -> byName.put(s.name(), s));
    assertThat(byName).containsOnlyKeys("db", "web");

    String dbTask = docker.docker("service", "ps", "-q", "--filter", "desired-state=running", "db");
    String dbAddress =
        docker.docker(
            "inspect",
            "--format",
            "{{range .NetworksAttachments}}{{if eq .Network.Spec.Name \"ph\"}}"
                + "{{index .Addresses 0}}{{end}}{{end}}",
            dbTask);
    CatalogService db = byName.get("db");
    assertThat(db.serviceId())
        .isEqualTo(docker.docker("service", "inspect", "--format", "{{.ID}}", "db"));
    assertThat(db.vip()).as("dnsrr").isEmpty();
    assertThat(db.ports()).isEmpty();
    assertThat(db.tasks())
        .containsExactly(
            new CatalogTask(
                dbTask, IpAddress.parse(dbAddress.substring(0, dbAddress.indexOf('/')))));

    CatalogService web = byName.get("web");
    String webVip =
        docker.docker(
            "service",
            "inspect",
            "--format",
            "{{range .Endpoint.VirtualIPs}}{{.Addr}}{{end}}",
            "web");
    assertThat(webVip).contains("/");
    assertThat(web.vip())
        .isEqualTo(Optional.of(IpAddress.parse(webVip.substring(0, webVip.indexOf('/')))));
    assertThat(PH.contains(web.vip().get())).isTrue();
    assertThat(web.ports()).containsExactly(ServicePort.parse("80/tcp"));
    assertThat(web.tasks()).isEmpty();
  }
}
