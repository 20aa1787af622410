package org.clusteripam.daemon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.reconcile.Finding;
import org.clusteripam.core.reconcile.LeakDecider;

/** The JSON report of {@code check}, read back by {@code release --from-report}. */
final class CheckReport {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private CheckReport() {}

  static String write(String node, long revision, String store, LeakDecider.Decision d)
      throws Exception {
    ObjectNode o = JSON.createObjectNode();
    o.put("node", node);
    o.put("revision", revision);
    o.put("store", store);
    ArrayNode leaked = o.putArray("leaked");
    for (Finding.LeakedAddress l : d.of(Finding.LeakedAddress.class)) {
      if (l.modRevision() < revision) {
        leaked
            .addObject()
            .put("pool", l.pool().value())
            .put("address", l.address().toString())
            .put("generation", l.generation())
            .put("modRevision", l.modRevision());
      }
    }
    ArrayNode leakedPools = o.putArray("leakedPools");
    for (Finding.LeakedPool l : d.of(Finding.LeakedPool.class)) {
      if (l.modRevision() < revision) {
        leakedPools
            .addObject()
            .put("pool", l.pool().value())
            .put("subnet", l.subnet().toString())
            .put("modRevision", l.modRevision());
      }
    }
    ArrayNode missing = o.putArray("missing");
    for (Finding.MissingAddress m : d.of(Finding.MissingAddress.class)) {
      missing
          .addObject()
          .put("network", m.network())
          .put("pool", m.pool().value())
          .put("address", m.address().toString())
          .put("gateway", m.gateway());
    }
    for (Finding.MissingPool m : d.of(Finding.MissingPool.class)) {
      ObjectNode x =
          missing.addObject().put("network", m.network()).put("subnet", m.subnet().toString());
      m.ipRange().ifPresent(r -> x.put("ipRange", r.toString()));
    }
    ArrayNode conflicting = o.putArray("conflicting");
    for (Finding.ConflictingAddress c : d.of(Finding.ConflictingAddress.class)) {
      ObjectNode x =
          conflicting
              .addObject()
              .put("network", c.network())
              .put("pool", c.pool().value())
              .put("address", c.address().toString());
      ArrayNode h = x.putArray("holders");
      c.holders().forEach(holder -> h.add(holder.format()));
    }
    return JSON.writeValueAsString(o) + System.lineSeparator();
  }

  record Report(
      String node,
      long revision,
      List<Finding.LeakedAddress> leaked,
      List<Finding.LeakedPool> leakedPools) {}

  static Report read(byte[] json) throws Exception {
    JsonNode o = JSON.readTree(json);
    if (o == null || !o.has("node") || !o.has("leaked")) {
      throw new IllegalArgumentException(
          "not a `cluster-ipam check` report (no \"node\" or \"leaked\")");
    }
    List<Finding.LeakedAddress> leaked = new ArrayList<>();
    for (JsonNode l : o.path("leaked")) {
      leaked.add(
          new Finding.LeakedAddress(
              new PoolId(l.path("pool").asText()),
              IpAddress.parse(l.path("address").asText()),
              l.path("modRevision").asLong(),
              l.path("generation").asLong()));
    }
    List<Finding.LeakedPool> pools = new ArrayList<>();
    for (JsonNode l : o.path("leakedPools")) {
      pools.add(
          new Finding.LeakedPool(
              new PoolId(l.path("pool").asText()),
              IpPrefix.parse(l.path("subnet").asText()),
              l.path("modRevision").asLong()));
    }
    return new Report(o.path("node").asText(), o.path("revision").asLong(), leaked, pools);
  }
}
