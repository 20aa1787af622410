package org.clusteripam.daemon.map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.ipam.Holder;

/** The JSON the page reads: the overview, one pool, one block, search hits. */
public final class MapJson {
  private static final ObjectMapper M = new ObjectMapper();

  private MapJson() {}

  public static byte[] overview(MapOverview o) throws Exception {
    ObjectNode n = M.createObjectNode();
    n.put("revision", o.revision());
    n.put("store", o.store());
    n.put("warnAt", MapColors.WARN);
    ArrayNode tiles = n.putArray("tiles");
    for (MapOverview.Tile t : o.tiles()) {
      ObjectNode x = tiles.addObject();
      x.put("id", t.id());
      x.put("title", t.title());
      t.supernet().ifPresent(s -> x.put("supernet", s.toString()));
      x.put("networkLength", t.networkLength());
      x.put("poolSlots", t.poolSlots());
      x.put("carved", t.carved());
      x.put("size", t.size());
      x.put("used", t.used());
      x.put("util", t.utilization());
      x.put("warn", t.warn());
      ArrayNode pools = x.putArray("pools");
      t.pools().forEach(p -> pool(pools.addObject(), p));
    }
    return M.writeValueAsBytes(n);
  }

  public static byte[] pool(long revision, PoolDetail d) throws Exception {
    ObjectNode n = M.createObjectNode();
    n.put("revision", revision);
    poolFacts(n.putObject("pool"), d);
    n.put("blockLength", d.blockLength());
    d.placeholderRect().ifPresent(r -> rect(n.putArray("placeholdersRect"), r));
    ArrayNode blocks = n.putArray("blocks");
    d.blocks().forEach(b -> block(blocks.addObject(), b));
    strings(n.putArray("plan"), d.plan());
    strings(n.putArray("planWarnings"), d.planWarnings());
    return M.writeValueAsBytes(n);
  }

  public static byte[] block(long revision, PoolDetail pool, BlockDetail d) throws Exception {
    ObjectNode n = M.createObjectNode();
    n.put("revision", revision);
    poolFacts(n.putObject("pool"), pool);
    block(n.putObject("block"), d.block());
    ArrayNode as = n.putArray("addresses");
    for (BlockDetail.AddressCell a : d.addresses()) {
      ObjectNode x = as.addObject();
      x.put("address", a.address().toString());
      rect(x.putArray("rect"), a.rect());
      x.put("kind", a.kind());
      strings(x.putArray("holders"), a.holders().stream().map(Holder::format).toList());
      x.put("since", a.sinceMillis());
      a.service().ifPresent(s -> x.put("service", s));
      x.put("fill", a.fill());
    }
    return M.writeValueAsBytes(n);
  }

  public static byte[] search(long revision, String query, MapSearch.Result result)
      throws Exception {
    ObjectNode n = M.createObjectNode();
    n.put("revision", revision);
    n.put("query", query);
    strings(n.putArray("notes"), result.notes());
    ArrayNode hs = n.putArray("hits");
    for (MapSearch.Hit h : result.hits()) {
      ObjectNode x = hs.addObject();
      x.put("type", h.type());
      x.put("label", h.label());
      x.put("why", h.why());
      x.put("pool", h.pool().toString());
      h.block().ifPresent(b -> x.put("block", b.toString()));
      h.address().ifPresent(a -> x.put("address", a.toString()));
    }
    return M.writeValueAsBytes(n);
  }

  private static void pool(ObjectNode x, MapOverview.PoolCell p) {
    x.put("prefix", p.prefix().toString());
    rect(x.putArray("rect"), p.rect());
    p.name().ifPresent(s -> x.put("name", s));
    x.put("dynamic", p.dynamic());
    p.placeholders().ifPresent(s -> x.put("placeholders", s.toString()));
    x.put("holders", p.holders());
    x.put("blocks", p.blocks());
    x.put("used", p.used());
    x.put("size", p.size());
    x.put("util", p.utilization());
    x.put("fill", p.fill());
    if (p.warn()) {
      x.put("warn", true);
    }
  }

  private static void poolFacts(ObjectNode x, PoolDetail d) {
    IpamQueries.PoolView p = d.pool();
    pool(x, d.cell());
    p.gateway().ifPresent(g -> x.put("gateway", g.toString()));
    p.ipRange().ifPresent(r -> x.put("ipRange", r.toString()));
    strings(x.putArray("holderNames"), p.holders().stream().map(Holder::format).toList());
  }

  private static void block(ObjectNode x, PoolDetail.BlockCell b) {
    x.put("block", b.block().toString());
    rect(x.putArray("rect"), b.rect());
    x.put("owner", b.owner());
    x.put("fill", b.fill());
    x.put("inPlaceholders", b.inPlaceholders());
    x.put("capacity", b.capacity());
    x.put("used", b.used());
    x.put("reserved", b.reserved());
    x.put("cooling", b.cooling());
    x.put("free", b.free());
    x.put("util", b.utilization());
  }

  private static void rect(ArrayNode a, Rect r) {
    a.add(r.x()).add(r.y()).add(r.w()).add(r.h());
  }

  private static void strings(ArrayNode a, List<String> s) {
    s.forEach(a::add);
  }
}
