package org.clusteripam.cni;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import org.clusteripam.core.cni.AttachedIp;
import org.clusteripam.core.cni.Attachment;

/**
 * The JSON this plugin prints: the IPAM ADD result (no {@code interfaces}, no {@code interface} in
 * {@code ips}, as the spec's delegated plugins do), VERSION's answer and error objects.
 *
 * <p>Each address carries the prefix length of its pool, not of the host block: the pool is the
 * network every container of it shares (the gateway is the pool's), and the host blocks are
 * allocation units a routed set-up routes to their hosts.
 */
public final class CniResults {
  private CniResults() {}

  public static String add(CniVersion v, Attachment a, ArrayNode routes, Optional<ObjectNode> dns) {
    ObjectNode out = NetworkConfig.JSON.createObjectNode();
    out.put("cniVersion", v.text());
    ArrayNode ips = out.putArray("ips");
    for (AttachedIp ip : a.ips()) {
      ObjectNode o = ips.addObject();
      if (v.ipsCarryVersion()) {
        o.put("version", ip.address().isV4() ? "4" : "6");
      }
      o.put("address", ip.address() + "/" + ip.pool().length());
      ip.gateway().ifPresent(g -> o.put("gateway", g.toString()));
    }
    if (!routes.isEmpty()) {
      out.set("routes", routes);
    }
    out.set("dns", dns.map(ObjectNode::deepCopy).orElseGet(NetworkConfig.JSON::createObjectNode));
    return write(out);
  }

  public static String version(String cniVersion) {
    ObjectNode out = NetworkConfig.JSON.createObjectNode();
    out.put("cniVersion", cniVersion);
    ArrayNode s = out.putArray("supportedVersions");
    CniVersion.supported().forEach(s::add);
    return write(out);
  }

  public static String error(String cniVersion, CniFailure f) {
    ObjectNode out = NetworkConfig.JSON.createObjectNode();
    out.put("cniVersion", cniVersion);
    out.put("code", f.code());
    out.put("msg", f.getMessage());
    if (!f.details().isEmpty()) {
      out.put("details", f.details());
    }
    return write(out);
  }

  private static String write(ObjectNode n) {
    try {
      return NetworkConfig.JSON.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
