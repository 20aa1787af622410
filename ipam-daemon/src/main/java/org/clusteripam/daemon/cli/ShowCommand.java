package org.clusteripam.daemon.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.daemon.store.StoreOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code show}: supernets → pools → host blocks → addresses, with utilization. */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Shows supernets, pools, host blocks and addresses in the store.")
public final class ShowCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin StoreOptions store = new StoreOptions();

  @Option(names = "--json", description = "Print one JSON object instead of a tree.")
  boolean json;

  @Option(names = "--daemon-url", defaultValue = "${env:IPAM_DAEMON_URL:-http://127.0.0.1:9587}",
      description = "When the embedded store is locked by a running daemon, ask that daemon (its --metrics address) (env IPAM_DAEMON_URL). Default: ${DEFAULT-VALUE}.")
  String daemonUrl;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (!store.usesEtcd() && DaemonClient.locked(store)) {
      out.print(DaemonClient.get(spec, daemonUrl, json ? "/v1/show?json" : "/v1/show"));
      out.flush();
      return 0;
    }
    try (CliStore c = CliStore.open(spec, store)) {
      out.print(render(c.store, c.config, json));
    }
    out.flush();
    return 0;
  }

  /** The tree or JSON of the store's current state. */
  public static String render(org.clusteripam.core.store.StateStore store, org.clusteripam.core.engine.IpamConfig config, boolean json)
      throws Exception {
    IpamQueries.Snapshot s = new IpamQueries(store, config).snapshot();
    return json ? toJson(s, store.describe()) : text(s, store.describe());
  }

  static String text(IpamQueries.Snapshot s, String where) {
    StringBuilder b = new StringBuilder();
    b.append("store ").append(where).append(" at revision ").append(s.revision()).append('\n');
    for (IpamQueries.SupernetView sn : s.supernets()) {
      b.append("supernet ").append(sn.supernet()).append(" (/").append(sn.networkLength()).append(" pools: ").append(sn.pools().size())
          .append(" of ").append(sn.poolSlots()).append(")\n");
      sn.pools().forEach(p -> pool(b, p));
    }
    if (!s.outside().isEmpty()) {
      b.append("outside the supernets\n");
      s.outside().forEach(p -> pool(b, p));
    }
    return b.toString();
  }

  private static void pool(StringBuilder b, IpamQueries.PoolView p) {
    b.append("  pool ").append(p.prefix()).append(p.dynamic() ? " dynamic" : " static");
    p.name().ifPresent(n -> b.append(" name=").append(n));
    p.ipRange().ifPresent(r -> b.append(" ip-range=").append(r));
    p.gateway().ifPresent(g -> b.append(" gateway=").append(g));
    b.append(" holders=").append(String.join(",", p.holders())).append(" used ").append(p.used()).append('/').append(p.size())
        .append(String.format(Locale.ROOT, " (%.2f%%)", p.utilization() * 100)).append('\n');
    for (IpamQueries.BlockView bl : p.blocks()) {
      b.append("    block ").append(bl.block()).append(" host=").append(bl.owner().isEmpty() ? "-" : bl.owner()).append(" used ")
          .append(bl.used()).append('/').append(bl.size()).append('\n');
      for (IpamQueries.AddressView a : bl.addresses()) {
        b.append("      ").append(a.address()).append(' ').append(a.kind().name().toLowerCase(Locale.ROOT)).append(" held by ")
            .append(String.join(",", a.holders())).append('\n');
      }
    }
  }

  static String toJson(IpamQueries.Snapshot s, String where) throws Exception {
    ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode o = m.createObjectNode();
    o.put("store", where);
    o.put("revision", s.revision());
    ArrayNode sns = o.putArray("supernets");
    for (IpamQueries.SupernetView sn : s.supernets()) {
      ObjectNode n = sns.addObject();
      n.put("supernet", sn.supernet().toString());
      n.put("networkPrefix", sn.networkLength());
      n.put("poolSlots", sn.poolSlots());
      ArrayNode pools = n.putArray("pools");
      sn.pools().forEach(p -> pool(pools.addObject(), p));
    }
    ArrayNode outside = o.putArray("outside");
    s.outside().forEach(p -> pool(outside.addObject(), p));
    return m.writeValueAsString(o) + System.lineSeparator();
  }

  private static void pool(ObjectNode n, IpamQueries.PoolView p) {
    n.put("pool", p.prefix().toString());
    n.put("dynamic", p.dynamic());
    p.name().ifPresent(x -> n.put("name", x));
    p.ipRange().ifPresent(x -> n.put("ipRange", x.toString()));
    p.gateway().ifPresent(x -> n.put("gateway", x.toString()));
    ArrayNode holders = n.putArray("holders");
    p.holders().forEach(holders::add);
    n.put("size", p.size());
    n.put("used", p.used());
    n.put("utilization", p.utilization());
    ArrayNode blocks = n.putArray("blocks");
    for (IpamQueries.BlockView bl : p.blocks()) {
      ObjectNode b = blocks.addObject();
      b.put("block", bl.block().toString());
      b.put("host", bl.owner());
      b.put("size", bl.size());
      b.put("used", bl.used());
      ArrayNode as = b.putArray("addresses");
      for (IpamQueries.AddressView a : bl.addresses()) {
        ObjectNode x = as.addObject();
        x.put("address", a.address().toString());
        x.put("kind", a.kind().name().toLowerCase(Locale.ROOT));
        ArrayNode h = x.putArray("holders");
        a.holders().forEach(h::add);
        x.put("sinceMillis", a.sinceMillis());
      }
    }
  }
}
