package org.clusteripam.daemon.map;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.plan.CapacityInput;
import org.clusteripam.core.plan.CapacityPlan;
import org.clusteripam.core.plan.CapacityPlanner;
import org.clusteripam.core.plan.PerHostInput;
import org.clusteripam.core.plan.PerHostPlan;
import org.clusteripam.core.plan.PerHostPlanner;
import org.clusteripam.core.plan.Reservation;

/**
 * One pool opened on the map: its host blocks laid out in the pool's square (coloured by owner),
 * the placeholder range, each block's arithmetic (capacity, used, reserved, cooling, free) and the
 * planner's figures for the pool's lengths and the services and hosts it has now.
 */
public record PoolDetail(
    IpamQueries.PoolView pool,
    MapOverview.PoolCell cell,
    int blockLength,
    Optional<Rect> placeholderRect,
    List<BlockCell> blocks,
    List<String> plan,
    List<String> planWarnings) {

  /**
   * One block: {@code reserved} counts the pool's network and broadcast addresses and an
   * unallocated gateway that fall in it; {@code free} is what the block can still hand out.
   */
  public record BlockCell(
      IpPrefix block,
      Rect rect,
      String owner,
      String fill,
      boolean inPlaceholders,
      long capacity,
      long used,
      long reserved,
      long cooling,
      long free) {
    public double utilization() {
      return capacity == 0 ? 0 : (double) (used + reserved) / capacity;
    }
  }

  public static PoolDetail of(IpamQueries.PoolView p, IpamConfig config) {
    IpFamily f = p.prefix().family();
    int blockLength =
        p.blocks().isEmpty()
            ? Math.max(p.prefix().length(), config.blockLength(f))
            : p.blocks().get(0).block().length();
    List<BlockCell> cells = new ArrayList<>();
    for (IpamQueries.BlockView b : p.blocks()) {
      long reserved = reserved(p, b);
      long cooling = b.cooling().size();
      long free =
          b.size() == Long.MAX_VALUE
              ? Long.MAX_VALUE
              : Math.max(0, b.size() - b.used() - reserved - cooling);
      boolean inPlaceholders = p.placeholders().filter(r -> r.contains(b.block())).isPresent();
      cells.add(
          new BlockCell(
              b.block(),
              HilbertLayout.place(Rect.UNIT, p.prefix(), b.block()),
              b.owner().map(Holder::format).orElse(""),
              MapColors.owner(b.owner()),
              inPlaceholders,
              b.size(),
              b.used(),
              reserved,
              cooling,
              free));
    }
    cells.sort(java.util.Comparator.comparing(BlockCell::block));
    Optional<Rect> ph = p.placeholders().map(r -> HilbertLayout.place(Rect.UNIT, p.prefix(), r));
    List<String> plan = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    plan(p, blockLength, plan, warnings);
    double u = p.utilization();
    MapOverview.PoolCell cell =
        new MapOverview.PoolCell(
            p.prefix(),
            Rect.UNIT,
            p.name(),
            p.dynamic(),
            p.placeholders(),
            p.holders().size(),
            p.blocks().size(),
            p.used(),
            p.size(),
            u,
            MapColors.utilization(u));
    return new PoolDetail(p, cell, blockLength, ph, cells, plan, warnings);
  }

  private static long reserved(IpamQueries.PoolView p, IpamQueries.BlockView b) {
    IpPrefix pool = p.prefix();
    List<IpAddress> special = new ArrayList<>();
    special.add(pool.first());
    if (pool.family() == IpFamily.IPV4 && pool.length() <= 30) {
      special.add(pool.last());
    }
    p.gateway().ifPresent(special::add);
    TreeSet<IpAddress> taken = new TreeSet<>();
    b.addresses().forEach(a -> taken.add(a.address()));
    return special.stream()
        .distinct()
        .filter(a -> b.block().contains(a) && !taken.contains(a))
        .count();
  }

  /** The planner's arithmetic for this pool's lengths, with the services and hosts it holds now. */
  private static void plan(
      IpamQueries.PoolView p, int blockLength, List<String> out, List<String> warnings) {
    int services =
        (int)
            p.blocks().stream()
                .flatMap(b -> b.addresses().stream())
                .map(IpamQueries.AddressView::vipService)
                .flatMap(Optional::stream)
                .distinct()
                .count();
    int hosts = (int) p.holders().stream().filter(Holder::isHost).count();
    try {
      CapacityInput in = new CapacityInput(p.prefix(), p.prefix().length(), blockLength, services);
      if (p.placeholders().isPresent()) {
        PerHostPlan plan =
            PerHostPlanner.plan(new PerHostInput(in, p.placeholders().get().length(), hosts));
        out.add(
            "placeholder range "
                + p.placeholders().get()
                + ": "
                + plan.placeholders()
                + " placeholders, "
                + plan.taskPlaceholders()
                + " left for tasks after "
                + services
                + " swarm VIPs and "
                + hosts
                + " node addresses");
        out.add(
            plan.hostBlocks()
                + " host blocks of "
                + BigInteger.ONE.shiftLeft(p.prefix().family().bits() - blockLength)
                + ", each holding "
                + plan.containersPerHostBlock()
                + " containers ("
                + plan.minContainersPerHostBlock()
                + " in the first)");
        out.add(plan.containersPerNetwork() + " container addresses in all host blocks");
        reservations(plan.reservations(), out);
        warnings.addAll(plan.warnings());
      } else {
        CapacityPlan plan = CapacityPlanner.plan(in);
        out.add(
            plan.hostsPerNetwork()
                + " host blocks of "
                + plan.addressesPerHost()
                + ", each holding "
                + plan.containerAddressesPerHost()
                + " containers ("
                + plan.minContainerAddressesPerHost()
                + " in the fullest)");
        out.add(plan.containerAddressesPerNetwork() + " container addresses in the pool");
        reservations(plan.reservations(), out);
        plan.warnings().stream()
            .filter(w -> !w.startsWith("the supernet holds only"))
            .forEach(warnings::add);
      }
    } catch (IllegalArgumentException e) {
      warnings.add("no plan: " + e.getMessage());
    }
  }

  private static void reservations(List<Reservation> rs, List<String> out) {
    for (Reservation r : rs) {
      if (r.count().signum() > 0) {
        out.add("reserved " + r.scope() + ": " + r.reason() + " (" + r.count() + ")");
      }
    }
  }
}
