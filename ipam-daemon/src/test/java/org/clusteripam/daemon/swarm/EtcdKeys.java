package org.clusteripam.daemon.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Lists keys of the bed's etcd through its JSON gateway ({@code /v3/kv/range}), from inside the hub namespace
 * (the root namespace has no route to the bed). Format-agnostic: used to compare key sets before and after.
 */
public final class EtcdKeys {
  private EtcdKeys() {
  }

  public static List<String> under(SwarmTestBed bed, HubEtcd etcd, String prefix) {
    byte[] start = prefix.getBytes(StandardCharsets.UTF_8);
    byte[] end = start.clone();
    end[end.length - 1]++;
    String body = "{\"key\":\"" + b64(start) + "\",\"range_end\":\"" + b64(end) + "\",\"keys_only\":true}";
    String json = Commands.run(Duration.ofSeconds(10), "ip", "netns", "exec", bed.hubNamespace(), "busybox", "wget",
        "-q", "-O", "-", "--post-data", body, etcd.endpoint() + "/v3/kv/range").orThrow();
    List<String> keys = new ArrayList<>();
    for (JsonNode kv : SwarmView.parse(json).path("kvs")) {
      keys.add(new String(Base64.getDecoder().decode(kv.path("key").asText()), StandardCharsets.UTF_8));
    }
    return keys;
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
