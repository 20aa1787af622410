package org.clusteripam.daemon.perhost;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.daemon.reconcile.DockerApi;

/**
 * Reads swarm's service catalog through the Engine API when this node is a manager ({@code GET
 * /info} → {@code Swarm.ControlAvailable}): {@code /networks}, {@code /services} and the tasks with
 * desired state running. Raw JSON through {@link DockerApi}'s transport, because docker-java's
 * {@code Task} model has no {@code NetworksAttachments}. The conversion is {@link SwarmCatalog}.
 */
public final class SwarmCatalogReader implements CatalogSource {
  static final String RUNNING_TASKS =
      "/tasks?filters="
          + URLEncoder.encode("{\"desired-state\":[\"running\"]}", StandardCharsets.UTF_8);

  private final Function<String, JsonNode> get;
  private final Predicate<String> ourDriver;

  /**
   * @param get {@code GET path} of the Engine API as JSON; throws {@link
   *     DockerApi.DockerUnavailableException} when Docker cannot answer
   */
  SwarmCatalogReader(Function<String, JsonNode> get, Predicate<String> ourDriver) {
    this.get = get;
    this.ourDriver = ourDriver;
  }

  public static SwarmCatalogReader over(DockerApi docker) {
    return new SwarmCatalogReader(docker::getJson, docker::isOurDriver);
  }

  @Override
  public CatalogRead read(Set<IpPrefix> knownPerHost) {
    try {
      JsonNode swarm = get.apply("/info").path("Swarm");
      if (!swarm.path("ControlAvailable").asBoolean(false)) {
        String local = swarm.path("LocalNodeState").asText("");
        return new CatalogRead.NotManager(
            "active".equals(local) ? "worker" : local.isEmpty() ? "no swarm" : local);
      }
      JsonNode networks = get.apply("/networks");
      JsonNode services = get.apply("/services");
      JsonNode tasks = get.apply(RUNNING_TASKS);
      SwarmCatalog.Result r =
          SwarmCatalog.convert(networks, services, tasks, ourDriver, knownPerHost);
      return new CatalogRead.Catalog(r.byPool(), r.skipped());
    } catch (DockerApi.DockerUnavailableException e) {
      return new CatalogRead.Unavailable(e.getMessage());
    }
  }
}
