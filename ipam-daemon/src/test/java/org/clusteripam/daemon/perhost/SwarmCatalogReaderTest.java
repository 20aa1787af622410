package org.clusteripam.daemon.perhost;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.clusteripam.daemon.reconcile.DockerApi;
import org.junit.jupiter.api.Test;

/** Which Docker calls the reader makes on a manager, a worker, and without Docker. */
class SwarmCatalogReaderTest {
  final List<String> asked = new ArrayList<>();

  SwarmCatalogReader reader(Map<String, String> answers) {
    return new SwarmCatalogReader(
        path -> {
          asked.add(path);
          try {
            return SwarmCatalogTest.json(answers.get(path));
          } catch (Exception e) {
            throw new AssertionError("unexpected request " + path, e);
          }
        },
        SwarmCatalogTest.OURS);
  }

  @Test
  void aManagerReadsNetworksServicesAndTheTasksThatShouldRun() {
    CatalogRead r =
        reader(
                Map.of(
                    "/info",
                    "{\"Swarm\":{\"NodeID\":\"n1\",\"LocalNodeState\":\"active\",\"ControlAvailable\":true}}",
                    "/networks",
                    SwarmCatalogTest.NETWORKS,
                    "/services",
                    SwarmCatalogTest.SERVICES,
                    SwarmCatalogReader.RUNNING_TASKS,
                    SwarmCatalogTest.TASKS))
            .read(Set.of());
    assertThat(asked)
        .containsExactly(
            "/info",
            "/networks",
            "/services",
            "/tasks?filters=%7B%22desired-state%22%3A%5B%22running%22%5D%7D");
    assertThat(r)
        .isInstanceOfSatisfying(
            CatalogRead.Catalog.class,
            c -> {
              assertThat(c.byPool()).containsOnlyKeys(SwarmCatalogTest.PH);
              assertThat(c.byPool().get(SwarmCatalogTest.PH)).hasSize(3);
            });
  }

  @Test
  void aWorkerAsksOnlyForInfo() {
    CatalogRead r =
        reader(
                Map.of(
                    "/info",
                    "{\"Swarm\":{\"NodeID\":\"n2\",\"LocalNodeState\":\"active\",\"ControlAvailable\":false}}"))
            .read(Set.of());
    assertThat(r).isEqualTo(new CatalogRead.NotManager("worker"));
    assertThat(asked).containsExactly("/info");
  }

  @Test
  void aDockerOutsideASwarmIsNotAManager() {
    CatalogRead r =
        reader(
                Map.of(
                    "/info",
                    "{\"Swarm\":{\"NodeID\":\"\",\"LocalNodeState\":\"inactive\",\"ControlAvailable\":false}}"))
            .read(Set.of());
    assertThat(r).isEqualTo(new CatalogRead.NotManager("inactive"));
  }

  @Test
  void dockerDownIsUnavailableNotAnEmptyCatalog() {
    try (DockerApi docker = new DockerApi("unix:///nonexistent/docker.sock", "cluster-ipam")) {
      CatalogRead r = SwarmCatalogReader.over(docker).read(Set.of());
      assertThat(r)
          .isInstanceOfSatisfying(
              CatalogRead.Unavailable.class, u -> assertThat(u.reason()).contains("/info"));
    }
  }

  @Test
  void anErrorPartWayIsUnavailableToo() {
    SwarmCatalogReader r =
        new SwarmCatalogReader(
            path -> {
              if (path.equals("/info")) {
                try {
                  return SwarmCatalogTest.json("{\"Swarm\":{\"ControlAvailable\":true}}");
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
              }
              try (DockerApi down =
                  new DockerApi("unix:///nonexistent/docker.sock", "cluster-ipam")) {
                return down.getJson(
                    path); // a real transport failure, as when dockerd stops between calls
              }
            },
            SwarmCatalogTest.OURS);
    assertThat(r.read(Set.of())).isInstanceOf(CatalogRead.Unavailable.class);
  }
}
