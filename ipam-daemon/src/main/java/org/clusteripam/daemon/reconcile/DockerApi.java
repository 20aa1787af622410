package org.clusteripam.daemon.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.reconcile.DockerNetwork;
import org.clusteripam.core.reconcile.DockerState;

/**
 * The Docker Engine API calls reconciliation needs, over docker-java's httpclient5 transport (Unix
 * socket). Raw JSON rather than docker-java's model: the model lacks {@code AuxiliaryAddresses}.
 */
public final class DockerApi implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final DockerHttpClient http;
  private final String driverName;

  /**
   * @param dockerHost {@code unix:///var/run/docker.sock} or {@code tcp://host:port}
   * @param driverName the IPAM driver name networks use: {@code cluster-ipam} matches also a
   *     managed plugin's {@code cluster-ipam:TAG}
   */
  public DockerApi(String dockerHost, String driverName) {
    this.http =
        new ApacheDockerHttpClient.Builder()
            .dockerHost(URI.create(dockerHost))
            .connectionTimeout(Duration.ofSeconds(3))
            .responseTimeout(Duration.ofSeconds(30))
            .maxConnections(4)
            .build();
    this.driverName = driverName;
  }

  boolean ours(String driver) {
    return driver != null && (driver.equals(driverName) || driver.startsWith(driverName + ":"));
  }

  /** Whether {@code driver} (a network's IPAM driver name) is this plugin: NAME or NAME:TAG. */
  public boolean isOurDriver(String driver) {
    return ours(driver);
  }

  /**
   * {@code GET path} of the Engine API as JSON, for readers of other objects (swarm services and
   * tasks). Throws {@link DockerUnavailableException} when Docker cannot answer or answers an
   * error.
   */
  public JsonNode getJson(String path) {
    return get(path);
  }

  /**
   * Every network on this Docker host whose IPAM driver is ours, with the addresses Docker holds in
   * it.
   */
  public DockerState read() {
    List<DockerNetwork> result = new ArrayList<>();
    for (JsonNode n : get("/networks")) {
      if (!ours(n.path("IPAM").path("Driver").asText(null))) {
        continue;
      }
      if (n.path("ConfigOnly").asBoolean(false)) {
        // A template for --config-from networks: Docker never asks for its pool, so the store has
        // none to compare.
        continue;
      }
      JsonNode full;
      try {
        full = get("/networks/" + n.path("Id").asText());
      } catch (DockerUnavailableException e) {
        if (e.status == 404) {
          continue; // removed between the list and the inspect
        }
        throw e;
      }
      DockerNetwork net = network(full);
      result.add(withHiddenGateways(full, net));
    }
    return new DockerState(result);
  }

  /**
   * Docker's network inspect omits a gateway the user did not give; its endpoints know it. For such
   * a network with containers, one container inspect supplies the gateways (one call per network).
   */
  private DockerNetwork withHiddenGateways(JsonNode full, DockerNetwork net) {
    boolean hidden = false;
    for (JsonNode c : full.path("IPAM").path("Config")) {
      hidden |= !c.path("Subnet").asText("").isEmpty() && c.path("Gateway").asText("").isEmpty();
    }
    Iterator<String> containers = full.path("Containers").fieldNames();
    if (!hidden || !containers.hasNext()) {
      return net;
    }
    String container = containers.next();
    JsonNode ep;
    try {
      ep =
          get("/containers/" + container + "/json")
              .path("NetworkSettings")
              .path("Networks")
              .path(net.name());
    } catch (DockerUnavailableException e) {
      if (e.status == 404) {
        return net;
      }
      throw e;
    }
    Set<IpAddress> gateways = new HashSet<>(net.gateways());
    for (String f : List.of("Gateway", "IPv6Gateway")) {
      String g = ep.path(f).asText("");
      if (!g.isEmpty()) {
        IpAddress a = IpAddress.parse(g);
        if (net.subnets().stream().anyMatch(s -> s.contains(a))) {
          gateways.add(a);
        }
      }
    }
    return new DockerNetwork(
        net.id(),
        net.name(),
        net.subnets(),
        gateways,
        net.aux(),
        net.endpoints(),
        net.ipRanges(),
        net.swarm());
  }

  static DockerNetwork network(JsonNode n) {
    List<IpPrefix> subnets = new ArrayList<>();
    Map<IpPrefix, IpPrefix> ipRanges = new java.util.HashMap<>();
    Set<IpAddress> gateways = new HashSet<>();
    Set<IpAddress> aux = new HashSet<>();
    Set<IpAddress> endpoints = new HashSet<>();
    for (JsonNode c : n.path("IPAM").path("Config")) {
      String subnet = c.path("Subnet").asText("");
      if (!subnet.isEmpty()) {
        subnets.add(IpPrefix.parse(subnet));
        String range = c.path("IPRange").asText("");
        if (!range.isEmpty()) {
          ipRanges.put(IpPrefix.parse(subnet), IpPrefix.parse(range));
        }
      }
      String gw = c.path("Gateway").asText("");
      if (!gw.isEmpty()) {
        gateways.add(IpAddress.parse(stripLength(gw)));
      }
      for (Iterator<Map.Entry<String, JsonNode>> it =
              c.path("AuxiliaryAddresses").properties().iterator();
          it.hasNext(); ) {
        aux.add(IpAddress.parse(stripLength(it.next().getValue().asText())));
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = n.path("Containers").properties().iterator();
        it.hasNext(); ) {
      JsonNode ep = it.next().getValue();
      for (String f : List.of("IPv4Address", "IPv6Address")) {
        String a = ep.path(f).asText("");
        if (!a.isEmpty()) {
          endpoints.add(IpAddress.parse(stripLength(a)));
        }
      }
    }
    return new DockerNetwork(
        n.path("Id").asText(),
        n.path("Name").asText(),
        subnets,
        gateways,
        aux,
        endpoints,
        ipRanges,
        "swarm".equals(n.path("Scope").asText()));
  }

  private static String stripLength(String cidr) {
    int slash = cidr.indexOf('/');
    return slash < 0 ? cidr : cidr.substring(0, slash);
  }

  /**
   * Blocks, calling {@code listener} with each network event's action ({@code create}, {@code
   * connect}, {@code disconnect}, {@code destroy}) until the stream ends or fails.
   */
  public void followNetworkEvents(Consumer<String> listener) {
    String filters = URLEncoder.encode("{\"type\":[\"network\"]}", StandardCharsets.UTF_8);
    DockerHttpClient.Request req =
        DockerHttpClient.Request.builder()
            .method(DockerHttpClient.Request.Method.GET)
            .path("/events?filters=" + filters)
            .build();
    try (DockerHttpClient.Response r = http.execute(req)) {
      if (r.getStatusCode() != 200) {
        throw new DockerUnavailableException(
            "GET /events answered HTTP " + r.getStatusCode(), r.getStatusCode(), null);
      }
      BufferedReader in =
          new BufferedReader(new InputStreamReader(r.getBody(), StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        if (!line.isBlank()) {
          listener.accept(JSON.readTree(line).path("Action").asText("?"));
        }
      }
    } catch (DockerUnavailableException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new DockerUnavailableException("Docker event stream failed: " + e.getMessage(), 0, e);
    }
  }

  private JsonNode get(String path) {
    DockerHttpClient.Request req =
        DockerHttpClient.Request.builder()
            .method(DockerHttpClient.Request.Method.GET)
            .path(path)
            .build();
    try (DockerHttpClient.Response r = http.execute(req);
        InputStream body = r.getBody()) {
      byte[] bytes = body.readAllBytes();
      if (r.getStatusCode() != 200) {
        throw new DockerUnavailableException(
            "GET "
                + path
                + " answered HTTP "
                + r.getStatusCode()
                + ": "
                + new String(bytes, StandardCharsets.UTF_8).strip(),
            r.getStatusCode(),
            null);
      }
      return JSON.readTree(bytes);
    } catch (IOException | UncheckedIOException e) {
      throw new DockerUnavailableException(
          "Docker API unreachable (GET " + path + "): " + e.getMessage(), 0, e);
    } catch (RuntimeException e) {
      if (e instanceof DockerUnavailableException d) {
        throw d;
      }
      throw new DockerUnavailableException("Docker API call GET " + path + " failed: " + e, 0, e);
    }
  }

  @Override
  public void close() {
    try {
      http.close();
    } catch (IOException ignored) {
      // closing a client: nothing to recover
    }
  }

  /** Docker could not be asked (down, socket missing, error status). */
  public static final class DockerUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    DockerUnavailableException(String message, int status, Throwable cause) {
      super(message, cause);
      this.status = status;
    }
  }
}
