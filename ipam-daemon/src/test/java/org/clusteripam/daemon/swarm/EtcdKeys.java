package org.clusteripam.daemon.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Lists keys of the bed's etcd through its JSON gateway ({@code /v3/kv/range}), from inside the hub
 * namespace (the root namespace has no route to the bed). Format-agnostic: used to compare key sets
 * before and after.
 */
public final class EtcdKeys {
  private EtcdKeys() {}

  public static List<String> under(SwarmTestBed bed, HubEtcd etcd, String prefix) {
    byte[] start = prefix.getBytes(StandardCharsets.UTF_8);
    byte[] end = start.clone();
    end[end.length - 1]++;
    String body =
        "{\"key\":\"" + b64(start) + "\",\"range_end\":\"" + b64(end) + "\",\"keys_only\":true}";
    String json =
        Commands.run(
                Duration.ofSeconds(10),
                "ip",
                "netns",
                "exec",
                bed.hubNamespace(),
                "busybox",
                "wget",
                "-q",
                "-O",
                "-",
                "--post-data",
                body,
                etcd.endpoint() + "/v3/kv/range")
            .orThrow();
    List<String> keys = new ArrayList<>();
    for (JsonNode kv : SwarmView.parse(json).path("kvs")) {
      keys.add(
          new String(Base64.getDecoder().decode(kv.path("key").asText()), StandardCharsets.UTF_8));
    }
    return keys;
  }

  /** Key prefixes (under the store's root) of pools and everything kept under them. */
  private static final List<String> POOL_STATE =
      List.of(
          "blocks/",
          "pools/",
          "holders/",
          "affinity/",
          "names/",
          "placeholders/",
          "catalog/",
          "tasks/");

  /**
   * The keys under {@code root} that belong to a pool (docs/state-layout.md): none once every
   * network is gone.
   */
  public static List<String> poolState(SwarmTestBed bed, HubEtcd etcd, String root) {
    return under(bed, etcd, root).stream()
        .filter(k -> POOL_STATE.stream().anyMatch(p -> k.startsWith(root + p)))
        .toList();
  }

  /** Deletes one key (a test's stand-in for a store that lost it). */
  public static void delete(SwarmTestBed bed, HubEtcd etcd, String key) {
    String body = "{\"key\":\"" + b64(key.getBytes(StandardCharsets.UTF_8)) + "\"}";
    Commands.run(
            Duration.ofSeconds(10),
            "ip",
            "netns",
            "exec",
            bed.hubNamespace(),
            "busybox",
            "wget",
            "-q",
            "-O",
            "-",
            "--post-data",
            body,
            etcd.endpoint() + "/v3/kv/deleterange")
        .orThrow();
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
