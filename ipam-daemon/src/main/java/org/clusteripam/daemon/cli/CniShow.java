package org.clusteripam.daemon.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.clusteripam.core.cni.AttachedIp;
import org.clusteripam.core.cni.Attachment;
import org.clusteripam.core.cni.CniLeakDecider;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.ipam.HostId;

/**
 * The CNI attachments in {@code show} and {@code check}: one line (or JSON object) per attachment.
 */
final class CniShow {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private CniShow() {}

  /** Every host's attachments in the snapshot, or one host's. */
  static List<Attachment> of(IpamQueries.Snapshot s, Optional<HostId> host) {
    return host.map(s::attachmentsOf).orElse(s.attachments());
  }

  /** {@code rendered} (show's tree or JSON) with the attachments added, if there are any. */
  static String append(String rendered, boolean json, List<Attachment> attachments)
      throws Exception {
    if (attachments.isEmpty()) {
      return rendered; // stores without CNI look as before
    }
    if (json) {
      ObjectNode o = (ObjectNode) JSON.readTree(rendered);
      o.set("cniAttachments", array(attachments));
      return JSON.writeValueAsString(o) + System.lineSeparator();
    }
    StringBuilder b = new StringBuilder(rendered);
    b.append("cni attachments: ").append(attachments.size()).append('\n');
    for (Attachment a : attachments) {
      b.append("  ")
          .append(a.id().network())
          .append(' ')
          .append(a.id().containerId())
          .append(' ')
          .append(a.id().ifname())
          .append(" host=")
          .append(a.host());
      for (AttachedIp ip : a.ips()) {
        b.append(' ')
            .append(ip.address())
            .append('/')
            .append(ip.pool().length())
            .append(" (block ")
            .append(ip.block())
            .append(')');
      }
      b.append(" netns=")
          .append(a.netns().isEmpty() ? "-" : a.netns())
          .append(" boot=")
          .append(a.bootId().isEmpty() ? "-" : a.bootId())
          .append('\n');
    }
    return b.toString();
  }

  static ArrayNode array(List<Attachment> attachments) {
    ArrayNode arr = JSON.createArrayNode();
    for (Attachment a : attachments) {
      ObjectNode o = arr.addObject();
      o.put("network", a.id().network())
          .put("containerId", a.id().containerId())
          .put("ifname", a.id().ifname())
          .put("host", a.host())
          .put("netns", a.netns())
          .put("bootId", a.bootId())
          .put("sinceMillis", a.sinceMillis());
      ArrayNode ips = o.putArray("ips");
      for (AttachedIp ip : a.ips()) {
        ips.addObject()
            .put("address", ip.address().toString())
            .put("pool", ip.pool().toString())
            .put("block", ip.block().toString())
            .put("gateway", ip.gateway().map(Object::toString).orElse(""));
      }
    }
    return arr;
  }

  /**
   * {@code check}'s report with this host's attachments and those that look leaked (netns gone,
   * earlier boot).
   */
  static String addToReport(String report, List<Attachment> mine, String bootId) throws Exception {
    ObjectNode o = (ObjectNode) JSON.readTree(report);
    Set<String> present = new HashSet<>();
    for (Attachment a : mine) {
      if (!a.netns().isEmpty()
          && Files.exists(Path.of(a.netns()), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        present.add(a.netns());
      }
    }
    o.put("cniAttachments", mine.size());
    ArrayNode leaked = o.putArray("cniLeaked");
    for (Attachment a : mine) {
      CniLeakDecider.Reason why = CniLeakDecider.reason(a, present, bootId);
      if (why != null) {
        ObjectNode x = (ObjectNode) array(List.of(a)).get(0);
        x.put("reason", why.text());
        leaked.add(x);
      }
    }
    return JSON.writeValueAsString(o) + System.lineSeparator();
  }
}
