package org.clusteripam.daemon.map;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.daemon.reconcile.DockerApi;

/**
 * The containers of Docker's networks whose IPAM driver is ours, from two Engine API reads ({@code
 * /networks}, {@code /containers/json}), kept for a short time so a search typed key by key asks
 * Docker once. A search waits for Docker at most {@link #WAIT}; past it, or when Docker fails, it
 * answers {@link ContainerDirectory.Unreachable} and the map still answers from the store.
 */
public final class DockerContainerDirectory implements ContainerDirectory {
  static final Duration TTL = Duration.ofSeconds(3);
  static final Duration WAIT = Duration.ofSeconds(2);
  private static final ExecutorService READER =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "map-docker-containers");
            t.setDaemon(true);
            return t;
          });

  private final Function<String, JsonNode> get;
  private final Predicate<String> ourDriver;
  private final LongSupplier nanos;
  private Cached cached;
  private CompletableFuture<Listing> reading;

  private record Cached(long atNanos, Listing listing) {}

  /**
   * @param get an Engine API {@code GET} returning JSON; throws when Docker cannot answer
   * @param ourDriver whether an IPAM driver name is this plugin's
   */
  DockerContainerDirectory(
      Function<String, JsonNode> get, Predicate<String> ourDriver, LongSupplier nanos) {
    this.get = get;
    this.ourDriver = ourDriver;
    this.nanos = nanos;
  }

  public static DockerContainerDirectory over(DockerApi docker) {
    return new DockerContainerDirectory(docker::getJson, docker::isOurDriver, System::nanoTime);
  }

  @Override
  public Listing containers() {
    CompletableFuture<Listing> f;
    synchronized (this) {
      if (cached != null && nanos.getAsLong() - cached.atNanos() < TTL.toNanos()) {
        return cached.listing();
      }
      if (reading == null) {
        CompletableFuture<Listing> r = CompletableFuture.supplyAsync(this::read, READER);
        reading = r;
        r.thenAccept(
            l -> {
              synchronized (this) {
                cached = new Cached(nanos.getAsLong(), l);
                reading = null;
              }
            });
        f = r;
      } else {
        f = reading;
      }
    }
    try {
      return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return new Unreachable("Docker did not answer within " + WAIT.toSeconds() + " s");
    } catch (ExecutionException e) {
      return new Unreachable("Docker unreachable: " + e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Unreachable("interrupted while asking Docker");
    }
  }

  /** One reading of Docker; never throws. */
  Listing read() {
    try {
      Map<String, String> ours = new HashMap<>(); // network id → name
      for (JsonNode n : get.apply("/networks")) {
        if (ourDriver.test(n.path("IPAM").path("Driver").asText(null))) {
          ours.put(n.path("Id").asText(), n.path("Name").asText());
        }
      }
      List<Container> out = new ArrayList<>();
      if (ours.isEmpty()) {
        return new Known(out);
      }
      for (JsonNode c : get.apply("/containers/json")) {
        String name = c.path("Names").path(0).asText("");
        name = name.startsWith("/") ? name.substring(1) : name;
        for (Iterator<Map.Entry<String, JsonNode>> it =
                c.path("NetworkSettings").path("Networks").properties().iterator();
            it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          String network = ours.get(e.getValue().path("NetworkID").asText());
          if (network == null) {
            continue;
          }
          List<IpAddress> addrs = new ArrayList<>();
          for (String f : List.of("IPAddress", "GlobalIPv6Address")) {
            String a = e.getValue().path(f).asText("");
            if (!a.isEmpty()) {
              addrs.add(IpAddress.parse(a));
            }
          }
          out.add(new Container(c.path("Id").asText(), name, network, addrs));
        }
      }
      return new Known(out);
    } catch (RuntimeException e) {
      return new Unreachable("Docker unreachable: " + e.getMessage());
    }
  }
}
