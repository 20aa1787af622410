package org.clusteripam.core.engine;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.clusteripam.core.alloc.BlockAllocator;
import org.clusteripam.core.alloc.BlockOrder;
import org.clusteripam.core.alloc.PrefixConflictException;
import org.clusteripam.core.alloc.SupernetCarver;
import org.clusteripam.core.ipam.AddressGrant;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.AddressSpaces;
import org.clusteripam.core.ipam.ConflictException;
import org.clusteripam.core.ipam.ExhaustedException;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.InvalidRequestException;
import org.clusteripam.core.ipam.Ipam;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.ipam.UnknownPoolException;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.Allocation;
import org.clusteripam.core.state.BlockRecord;
import org.clusteripam.core.state.CarvingConfig;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.PoolIndex;
import org.clusteripam.core.state.PoolRecord;
import org.clusteripam.core.state.StateCodec;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.StoreCorruptException;
import org.clusteripam.core.store.Versioned;

/**
 * The cluster IPAM over a {@link StateStore}: supernet → network pools → per-host blocks →
 * addresses. Every decision is made inside {@link StateStore#transact} functions that depend only
 * on what they read, so they can be re-run on conflict and group-committed.
 *
 * <p>The hot path — a dynamic address on a host that owns a block with room — reads and writes only
 * that block's key; the pool record is consulted through an untracked {@link StateStore#peek} hint
 * and the ownership is verified on the block itself. Thread-safe: all state lives in the store.
 */
public final class ClusterIpam implements Ipam {
  /** RequestPool data key through which the driver announces the pool's gateway. */
  public static final String GATEWAY_DATA = "com.docker.network.gateway";
  /** RequestAddress option asking for serial allocation (swarm's allocator sends it). */
  public static final String SERIAL_OPTION = "com.docker.network.ipam.serial";
  /** RequestPool option ({@code --ipam-opt network=NAME}) sharing one dynamic pool across hosts. */
  public static final String NETWORK_NAME_OPTION = "network";
  /** Docker's request type option; meaningless (and ignored) in RequestPool. */
  public static final String REQUEST_TYPE_OPTION = "RequestAddressType";

  private final StateStore store;
  private final IpamConfig config;
  private final HostId node;
  private final Clock clock;
  private final long cooldownMillis;
  private final ConcurrentHashMap<IpPrefix, OwnershipHint> hints = new ConcurrentHashMap<>();
  private final DecodeCache decodeCache = new DecodeCache();

  /** Blocks per holder of one pool, as of a pool record revision (an untracked hint). */
  private record OwnershipHint(long modRevision, Map<String, List<IpPrefix>> byOwner) {}

  /**
   * Opens the engine and records (or checks) the carving parameters in the store.
   *
   * @throws ConfigMismatchException when the store was carved with other parameters
   */
  public ClusterIpam(StateStore store, IpamConfig config, HostId node, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.config = Objects.requireNonNull(config, "config");
    this.node = Objects.requireNonNull(node, "node");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.cooldownMillis = config.cooldown().toMillis();
    CarvingConfig mine = config.carving();
    List<String> diff = store.transact("checkConfig", v -> {
      Optional<byte[]> stored = v.get(Keys.CONFIG);
      if (stored.isEmpty()) {
        v.put(Keys.CONFIG, StateCodec.encode(mine));
        return List.of();
      }
      return StateCodec.decodeConfig(Keys.CONFIG, stored.get()).differences(mine);
    });
    if (!diff.isEmpty()) {
      throw new ConfigMismatchException(store.describe(), diff);
    }
  }

  /** Same as the constructor. */
  public static ClusterIpam open(StateStore store, IpamConfig config, HostId node, Clock clock) {
    return new ClusterIpam(store, config, node, clock);
  }

  public IpamConfig config() {
    return config;
  }

  /** The host this engine runs on. */
  public HostId node() {
    return node;
  }

  public StateStore store() {
    return store;
  }

  @Override
  public AddressSpaces addressSpaces() {
    return config.addressSpaces();
  }

  /** The block length used inside {@code pool}: the configured one, or the pool itself if smaller. */
  int blockLength(IpPrefix pool) {
    return Math.max(config.blockLength(pool.family()), pool.length());
  }

  private boolean isGlobalSpace(String space) {
    AddressSpaces s = config.addressSpaces();
    if (s.local().equals(space)) {
      return false;
    }
    if (s.global().equals(space)) {
      return true;
    }
    throw new InvalidRequestException(
        "unknown address space \"" + space + "\": this driver serves \"" + s.local() + "\" and \"" + s.global() + "\"");
  }

  // ---------------------------------------------------------------- pools

  @Override
  public PoolGrant requestPool(PoolRequest req) {
    boolean global = isGlobalSpace(req.addressSpace());
    String holder = config.mode().holder(req.host().value(), global);
    TreeMap<String, String> options = new TreeMap<>(req.options());
    options.remove(REQUEST_TYPE_OPTION);
    Optional<String> name = Optional.ofNullable(options.get(NETWORK_NAME_OPTION));
    if (name.isPresent() && name.get().isBlank()) {
      throw new InvalidRequestException("the ipam option network= needs a name");
    }
    if (req.subPool().isPresent()) {
      IpPrefix sub = req.subPool().get();
      if (req.pool().isEmpty()) {
        throw new InvalidRequestException("an ip-range (" + sub + ") needs an explicit subnet");
      }
      if (!req.pool().get().contains(sub)) {
        throw new InvalidRequestException("ip-range " + sub + " is not inside subnet " + req.pool().get());
      }
    }
    long now = clock.millis();
    PoolRecord rec = store.transact("requestPool", v -> requestPoolTxn(new StateView(v, decodeCache), req, holder, options, name, now));
    PoolRef ref = new PoolRef(req.addressSpace(), global, rec.prefix());
    return new PoolGrant(ref.id(), rec.prefix(), gatewayData(rec));
  }

  private static Map<String, String> gatewayData(PoolRecord rec) {
    return rec.gateway().map(g -> Map.of(GATEWAY_DATA, g + "/" + rec.prefix().length())).orElse(Map.of());
  }

  private PoolRecord requestPoolTxn(
      StateView sv, PoolRequest req, String holder, Map<String, String> options, Optional<String> name, long now) {
    PoolIndex idx = sv.index();
    Optional<IpPrefix> target = req.pool();
    if (target.isEmpty() && name.isPresent()) {
      target = idx.findByName(name.get(), req.v6() ? IpFamily.IPV6 : IpFamily.IPV4).map(PoolIndex.Entry::prefix);
    }
    if (target.isPresent() && idx.find(target.get()).isPresent()) {
      return joinPool(sv, target.get(), req, holder, name);
    }
    IpPrefix prefix;
    boolean dynamic;
    if (target.isPresent()) {
      prefix = target.get();
      dynamic = false;
      Optional<PoolIndex.Entry> clash = idx.overlapping(prefix);
      if (clash.isPresent()) {
        throw new ConflictException("pool " + prefix + " overlaps existing pool " + clash.get().prefix());
      }
      if (name.isPresent() && idx.findByName(name.get(), prefix.family()).isPresent()) {
        throw new ConflictException("network name \"" + name.get() + "\" already names pool "
            + idx.findByName(name.get(), prefix.family()).get().prefix());
      }
    } else {
      prefix = carve(idx, req.v6() ? IpFamily.IPV6 : IpFamily.IPV4);
      dynamic = true;
    }
    PoolRecord rec = new PoolRecord(
        prefix, req.subPool(), name, dynamic, options, blockLength(prefix), new TreeSet<>(List.of(holder)), new TreeMap<>(), Optional.empty());
    sv.putIndex(idx.with(new PoolIndex.Entry(prefix, name, dynamic)));
    sv.put(rec);
    sv.addHostPool(holder, prefix);
    return rec;
  }

  private PoolRecord joinPool(StateView sv, IpPrefix prefix, PoolRequest req, String holder, Optional<String> name) {
    PoolRecord rec = sv.pool(prefix).orElseThrow(() -> new StoreCorruptException(
        Keys.pool(prefix), "the pool is listed in " + Keys.POOL_INDEX + " but its record is missing", null));
    if (req.subPool().isPresent() && !req.subPool().equals(rec.ipRange())) {
      throw new ConflictException("pool " + prefix + " already exists with "
          + rec.ipRange().map(r -> "ip-range " + r).orElse("no ip-range") + ", not ip-range " + req.subPool().get());
    }
    if (name.isPresent() && rec.name().isPresent() && !name.equals(rec.name())) {
      throw new ConflictException("pool " + prefix + " is network \"" + rec.name().get() + "\", not \"" + name.get() + "\"");
    }
    if (!rec.holders().contains(holder)) {
      TreeSet<String> h = new TreeSet<>(rec.holders());
      h.add(holder);
      rec = rec.withHolders(h);
      sv.put(rec);
      sv.addHostPool(holder, prefix);
      if (rec.gateway().isPresent()) {
        // Docker uses a gateway announced in the grant without requesting it: hold it for this
        // holder too, or it could be freed (and handed out) while this host still routes through it.
        IpAddress g = rec.gateway().get();
        IpPrefix b = IpPrefix.containing(g, rec.blockLength());
        Optional<BlockRecord> blk = sv.block(prefix, b);
        if (blk.isPresent() && blk.get().allocations().containsKey(g) && !blk.get().allocations().get(g).holders().contains(holder)) {
          sv.put(BlockOps.share(blk.get(), g, holder));
        }
      }
    }
    return rec;
  }

  private IpPrefix carve(PoolIndex idx, IpFamily family) {
    IpPrefix supernet = config.supernet(family).orElseThrow(() -> new InvalidRequestException(
        "no " + family + " supernet is configured, so an " + family + " pool needs an explicit subnet"));
    int length = config.networkLength(family);
    SupernetCarver carver = new SupernetCarver(supernet);
    for (PoolIndex.Entry e : idx.pools()) {
      if (e.prefix().contains(supernet)) {
        throw new ExhaustedException(ExhaustedException.Level.SUPERNET, supernet,
            "no free /" + length + " pool in supernet " + supernet + ": pool " + e.prefix() + " covers it");
      }
      if (supernet.contains(e.prefix())) {
        try {
          carver.reserve(e.prefix());
        } catch (PrefixConflictException ex) {
          throw new StoreCorruptException(Keys.POOL_INDEX, ex.getMessage(), ex);
        }
      }
    }
    return carver.allocate(length).orElseThrow(() -> new ExhaustedException(ExhaustedException.Level.SUPERNET, supernet,
        "no free /" + length + " pool left in supernet " + supernet + " (" + carver.takenCount() + " pools in use)"));
  }

  @Override
  public void releasePool(HostId host, PoolId pool) {
    Optional<PoolRef> parsed = PoolRef.parse(pool, config.addressSpaces());
    if (parsed.isEmpty()) {
      return;
    }
    PoolRef ref = parsed.get();
    String holder = config.mode().holder(host.value(), ref.global());
    long now = clock.millis();
    store.transact("releasePool", v -> {
      releasePoolTxn(new StateView(v, decodeCache), ref.prefix(), holder, now);
      return null;
    });
  }

  private void releasePoolTxn(StateView sv, IpPrefix prefix, String holder, long now) {
    Optional<PoolRecord> found = sv.pool(prefix);
    if (found.isEmpty() || !found.get().holders().contains(holder)) {
      return;
    }
    PoolRecord rec = found.get();
    TreeSet<String> holders = new TreeSet<>(rec.holders());
    holders.remove(holder);
    sv.removeHostPool(holder, prefix);
    if (holders.isEmpty()) {
      // The last holder: everything left in the pool goes, including leaked swarm task addresses.
      rec.blocks().keySet().forEach(b -> sv.deleteBlock(prefix, b));
      sv.deletePool(prefix);
      sv.putIndex(sv.index().without(prefix));
      return;
    }
    TreeMap<IpPrefix, String> blocks = new TreeMap<>(rec.blocks());
    for (Map.Entry<IpPrefix, String> e : rec.blocks().entrySet()) {
      Optional<BlockRecord> ob = sv.block(prefix, e.getKey());
      if (ob.isEmpty()) {
        blocks.remove(e.getKey());
        continue;
      }
      BlockRecord b = ob.get();
      BlockRecord nb = BlockOps.dropAll(b, holder, now, cooldownMillis);
      boolean mine = nb.owner().equals(holder);
      if (nb.isEmpty() && (mine || nb.owner().isEmpty())) {
        sv.deleteBlock(prefix, b.block());
        blocks.remove(b.block());
        continue;
      }
      if (mine) {
        nb = nb.withOwner(""); // a host that left the pool keeps no affinity
        blocks.put(b.block(), "");
      }
      if (!nb.equals(b)) {
        sv.put(nb);
      }
    }
    PoolRecord nr = rec.withHolders(holders).withBlocks(blocks);
    if (nr.gateway().isPresent() && !isAllocated(sv, nr, nr.gateway().get())) {
      nr = nr.withGateway(Optional.empty());
    }
    sv.put(nr);
  }

  private boolean isAllocated(StateView sv, PoolRecord rec, IpAddress a) {
    IpPrefix b = IpPrefix.containing(a, rec.blockLength());
    return rec.blocks().containsKey(b) && sv.block(rec.prefix(), b).map(x -> x.allocations().containsKey(a)).orElse(false);
  }

  /**
   * Gives back every empty block {@code host} owns in the pools it holds, so other hosts can claim
   * them. Returns the blocks given back. Not on any request path: run it from housekeeping.
   */
  public List<IpPrefix> releaseEmptyBlocks(HostId host) {
    String holder = host.value();
    List<IpPrefix> pools = store.transact("hostPools", v -> new ArrayList<>(new StateView(v, decodeCache).host(holder).pools()));
    List<IpPrefix> released = new ArrayList<>();
    for (IpPrefix p : pools) {
      released.addAll(store.transact("releaseEmptyBlocks", v -> {
        StateView sv = new StateView(v, decodeCache);
        Optional<PoolRecord> rec = sv.pool(p);
        if (rec.isEmpty()) {
          return List.<IpPrefix>of();
        }
        TreeMap<IpPrefix, String> blocks = new TreeMap<>(rec.get().blocks());
        List<IpPrefix> out = new ArrayList<>();
        for (Map.Entry<IpPrefix, String> e : rec.get().blocks().entrySet()) {
          if (e.getValue().equals(holder) && sv.block(p, e.getKey()).map(BlockRecord::isEmpty).orElse(true)) {
            sv.deleteBlock(p, e.getKey());
            blocks.remove(e.getKey());
            out.add(e.getKey());
          }
        }
        if (!out.isEmpty()) {
          sv.put(rec.get().withBlocks(blocks));
        }
        return out;
      }));
    }
    return released;
  }

  // ---------------------------------------------------------------- addresses

  @Override
  public AddressGrant requestAddress(AddressRequest req) {
    PoolRef ref = PoolRef.parse(req.pool(), config.addressSpaces()).orElseThrow(() -> new UnknownPoolException(req.pool()));
    String holder = config.mode().holder(req.host().value(), ref.global());
    IpPrefix pool = ref.prefix();
    boolean serial = "true".equalsIgnoreCase(req.options().get(SERIAL_OPTION));
    if (req.preferred().isPresent()) {
      IpAddress a = req.preferred().get();
      if (!pool.contains(a)) {
        throw new InvalidRequestException("address " + a + " is not inside pool " + pool);
      }
      Optional<String> reserved = BlockAllocator.reservedReason(pool, blockLength(pool), a);
      if (reserved.isPresent()) {
        throw new InvalidRequestException("address " + a + " is the " + reserved.get() + " address of pool " + pool + " and cannot be assigned");
      }
    }
    long now = clock.millis();
    try {
      return new AddressGrant(allocate(req, pool, holder, serial, now), pool, Map.of());
    } catch (UnknownPoolException e) {
      throw new UnknownPoolException(req.pool()); // name the id Docker sent
    }
  }

  private IpAddress allocate(AddressRequest req, IpPrefix pool, String holder, boolean serial, long now) {
    IpAddress got;
    if (req.kind() == AddressKind.GATEWAY) {
      got = store.transact("requestGateway", v -> gatewayTxn(new StateView(v, decodeCache), pool, holder, req.preferred(), serial, now));
    } else if (req.preferred().isPresent()) {
      got = store.transact("requestAddress", v -> preferredTxn(new StateView(v, decodeCache), pool, holder, req.preferred().get(), AddressKind.ENDPOINT, now));
    } else {
      got = dynamic(pool, holder, serial, now);
    }
    return got;
  }

  private IpAddress dynamic(IpPrefix pool, String holder, boolean serial, long now) {
    List<IpPrefix> hinted = ownedHint(pool, holder);
    if (!hinted.isEmpty()) {
      // The hot path: only the blocks this holder owns are read and written.
      IpAddress fast = store.transact("requestAddress", v -> {
        StateView sv = new StateView(v, decodeCache);
        for (IpPrefix b : hinted) {
          Optional<BlockRecord> ob = sv.block(pool, b);
          if (ob.isEmpty() || !ob.get().owner().equals(holder) || !ob.get().pool().equals(pool)) {
            continue;
          }
          Optional<BlockOps.Picked> p = BlockOps.pick(ob.get(), holder, AddressKind.ENDPOINT, serial, now, cooldownMillis);
          if (p.isPresent()) {
            sv.put(p.get().block());
            return p.get().address();
          }
        }
        return null;
      });
      if (fast != null) {
        return fast;
      }
    }
    return store.transact("requestAddress", v -> slowDynamicTxn(new StateView(v, decodeCache), pool, holder, AddressKind.ENDPOINT, serial, now));
  }

  /** Blocks {@code holder} owns in {@code pool} according to an untracked, cached read. */
  private List<IpPrefix> ownedHint(IpPrefix pool, String holder) {
    Optional<Versioned> peeked = store.peek(Keys.pool(pool));
    if (peeked.isEmpty()) {
      hints.remove(pool);
      return List.of();
    }
    Versioned v = peeked.get();
    OwnershipHint h = hints.get(pool);
    if (h == null || h.modRevision() != v.modRevision()) {
      Map<String, List<IpPrefix>> by = new TreeMap<>();
      try {
        StateCodec.decodePool(Keys.pool(pool), v.value()).blocks().forEach((b, o) -> by.computeIfAbsent(o, k -> new ArrayList<>()).add(b));
      } catch (StoreCorruptException e) {
        return List.of(); // the tracked read on the slow path reports it
      }
      h = new OwnershipHint(v.modRevision(), by);
      if (hints.size() > 4096) {
        hints.clear();
      }
      hints.put(pool, h);
    }
    return h.byOwner().getOrDefault(holder, List.of());
  }


  private static UnknownPoolException unknown(IpPrefix pool) {
    return new UnknownPoolException(new PoolId("pool/" + pool));
  }

  private IpAddress slowDynamicTxn(StateView sv, IpPrefix pool, String holder, AddressKind kind, boolean serial, long now) {
    PoolRecord rec = sv.pool(pool).orElseThrow(() -> unknown(pool));
    List<IpPrefix> owned = new ArrayList<>();
    rec.blocks().forEach((b, o) -> {
      if (o.equals(holder)) {
        owned.add(b);
      }
    });
    for (IpPrefix b : owned) {
      Optional<BlockRecord> ob = sv.block(pool, b);
      if (ob.isPresent()) {
        Optional<BlockOps.Picked> p = BlockOps.pick(ob.get(), holder, kind, serial, now, cooldownMillis);
        if (p.isPresent()) {
          sv.put(p.get().block());
          return p.get().address();
        }
      }
    }
    Optional<IpAddress> claimed = claimAndPick(sv, rec, holder, kind, serial, now);
    if (claimed.isPresent()) {
      return claimed.get();
    }
    if (!config.strictAffinity()) {
      for (Map.Entry<IpPrefix, String> e : rec.blocks().entrySet()) {
        if (e.getValue().equals(holder)) {
          continue;
        }
        Optional<BlockRecord> ob = sv.block(pool, e.getKey());
        if (ob.isPresent()) {
          Optional<BlockOps.Picked> p = BlockOps.pick(ob.get(), holder, kind, serial, now, cooldownMillis);
          if (p.isPresent()) {
            sv.put(p.get().block()); // a borrowed address: the block keeps its owner
            return p.get().address();
          }
        }
      }
    }
    throw exhausted(rec, owned);
  }

  private ExhaustedException exhausted(PoolRecord rec, List<IpPrefix> owned) {
    IpPrefix pool = rec.prefix();
    String noBorrow = config.strictAffinity() ? " (strict affinity: no borrowing)" : " and none to borrow from";
    if (!owned.isEmpty() && config.strictAffinity()) {
      IpPrefix b = owned.get(owned.size() - 1);
      String blocks = owned.size() == 1 ? "host block " + b : "host blocks " + owned.get(0) + " to " + b;
      return new ExhaustedException(ExhaustedException.Level.HOST_BLOCK, b,
          "no free address in " + blocks + " of pool " + pool + " and no free block to claim" + noBorrow);
    }
    if (rec.ipRange().isPresent()) {
      IpPrefix r = rec.ipRange().get();
      return new ExhaustedException(ExhaustedException.Level.IP_RANGE, r,
          "no free address in ip-range " + r + " of pool " + pool + ": no free block to claim" + noBorrow);
    }
    if (!owned.isEmpty()) {
      IpPrefix b = owned.get(owned.size() - 1);
      String blocks = owned.size() == 1 ? "host block " + b : "host blocks " + owned.get(0) + " to " + b;
      return new ExhaustedException(ExhaustedException.Level.POOL, pool,
          "no free address in " + blocks + " of pool " + pool + ", no free block to claim" + noBorrow);
    }
    return new ExhaustedException(ExhaustedException.Level.POOL, pool,
        "no free address in pool " + pool + ": no free block to claim" + noBorrow);
  }

  /** Claims the first free (or ownerless) block in this holder's order and picks an address in it. */
  private Optional<IpAddress> claimAndPick(StateView sv, PoolRecord rec, String holder, AddressKind kind, boolean serial, long now) {
    IpPrefix pool = rec.prefix();
    int len = rec.blockLength();
    IpPrefix region = pool;
    if (rec.ipRange().isPresent()) {
      IpPrefix r = rec.ipRange().get();
      region = r.length() <= len ? r : IpPrefix.containing(r.network(), len);
    }
    int bits = Math.min(62, len - region.length()); // beyond 2^62 blocks, the first 2^62 are plenty
    BlockOrder order = BlockOrder.forHolder(holder, bits);
    long tries = Math.min(order.count(), (long) rec.blocks().size() + 1);
    for (long i = 0; i < tries; i++) {
      IpPrefix b = region.subPrefix(len, order.indexAt(i));
      String owner = rec.blocks().get(b);
      BlockRecord blk;
      if (owner == null) {
        blk = BlockRecord.empty(pool, b, rec.ipRange(), holder);
        tries = Math.min(order.count(), tries + 1); // a fresh block that cannot serve: look further
      } else if (owner.isEmpty()) {
        Optional<BlockRecord> ob = sv.block(pool, b);
        if (ob.isEmpty()) {
          continue;
        }
        blk = ob.get().withOwner(holder);
      } else {
        continue;
      }
      Optional<BlockOps.Picked> p = BlockOps.pick(blk, holder, kind, serial, now, cooldownMillis);
      if (p.isPresent()) {
        sv.put(p.get().block());
        TreeMap<IpPrefix, String> blocks = new TreeMap<>(rec.blocks());
        blocks.put(b, holder);
        sv.put(rec.withBlocks(blocks));
        return Optional.of(p.get().address());
      }
    }
    return Optional.empty();
  }

  /** A specific address: taken if free, shared or replayed if its holders allow, else a conflict. */
  private IpAddress preferredTxn(StateView sv, IpPrefix pool, String holder, IpAddress a, AddressKind kind, long now) {
    IpPrefix b = IpPrefix.containing(a, blockLength(pool));
    Optional<BlockRecord> ob = sv.block(pool, b);
    BlockRecord blk;
    if (ob.isPresent() && ob.get().pool().equals(pool)) {
      blk = ob.get();
    } else {
      PoolRecord rec = sv.pool(pool).orElseThrow(() -> unknown(pool));
      if (rec.blocks().containsKey(b)) {
        throw new StoreCorruptException(Keys.block(pool, b), "listed in pool " + pool + " but missing", null);
      }
      blk = BlockRecord.empty(pool, b, rec.ipRange(), holder);
      TreeMap<IpPrefix, String> blocks = new TreeMap<>(rec.blocks());
      blocks.put(b, holder);
      sv.put(rec.withBlocks(blocks));
    }
    Allocation existing = blk.allocations().get(a);
    if (existing == null) {
      sv.put(BlockOps.take(blk, a, holder, kind, now, cooldownMillis));
      return a;
    }
    if (existing.holders().contains(holder)) {
      return a; // a replay of a request this holder already got
    }
    boolean sharedGateway = kind == AddressKind.GATEWAY && existing.kind() == AddressKind.GATEWAY;
    boolean shareable = existing.holders().stream().anyMatch(h -> config.mode().mayShare(holder, h));
    if (sharedGateway || shareable) {
      sv.put(BlockOps.share(blk, a, holder));
      return a;
    }
    throw new ConflictException("address " + a + " in pool " + pool + " is already in use"
        + (existing.kind() == AddressKind.GATEWAY ? " as the gateway" : "") + " by " + describeHolders(existing));
  }

  private static String describeHolders(Allocation al) {
    List<String> out = new ArrayList<>();
    for (String h : al.holders()) {
      out.add(AddressingMode.GLOBAL_HOLDER.equals(h) ? "the swarm allocator" : "host " + h);
    }
    return String.join(" and ", out);
  }

  private IpAddress gatewayTxn(StateView sv, IpPrefix pool, String holder, Optional<IpAddress> preferred, boolean serial, long now) {
    PoolRecord rec = sv.pool(pool).orElseThrow(() -> unknown(pool));
    IpAddress a;
    if (preferred.isPresent()) {
      a = preferred.get();
    } else if (rec.gateway().isPresent()) {
      a = rec.gateway().get();
    } else {
      IpAddress first = pool.hostBits() >= 2 ? pool.first().next() : pool.first();
      if (!isAllocated(sv, rec, first)) {
        a = first;
      } else {
        a = slowDynamicTxn(sv, pool, holder, AddressKind.GATEWAY, serial, now);
        sv.pool(pool).filter(r -> r.gateway().isEmpty()).ifPresent(r -> sv.put(r.withGateway(Optional.of(a))));
        return a;
      }
    }
    IpAddress got = preferredTxn(sv, pool, holder, a, AddressKind.GATEWAY, now);
    PoolRecord latest = sv.pool(pool).orElseThrow(() -> unknown(pool));
    if (latest.gateway().isEmpty()) {
      sv.put(latest.withGateway(Optional.of(got)));
    }
    return got;
  }

  @Override
  public void releaseAddress(HostId host, PoolId poolId, IpAddress address) {
    Optional<PoolRef> parsed = PoolRef.parse(poolId, config.addressSpaces());
    if (parsed.isEmpty() || !parsed.get().prefix().contains(address)) {
      return; // releasing something unknown succeeds
    }
    PoolRef ref = parsed.get();
    IpPrefix pool = ref.prefix();
    String holder = config.mode().holder(host.value(), ref.global());
    IpPrefix b = IpPrefix.containing(address, blockLength(pool));
    long now = clock.millis();
    store.transact("releaseAddress", v -> {
      StateView sv = new StateView(v, decodeCache);
      Optional<BlockRecord> ob = sv.block(pool, b);
      if (ob.isEmpty() || !ob.get().pool().equals(pool)) {
        return null;
      }
      BlockRecord blk = ob.get();
      Allocation al = blk.allocations().get(address);
      if (al == null || !al.holders().contains(holder)) {
        return null;
      }
      BlockRecord nb = BlockOps.drop(blk, address, holder, now, cooldownMillis);
      sv.put(nb);
      if (al.kind() == AddressKind.GATEWAY && !nb.allocations().containsKey(address)) {
        sv.pool(pool).filter(r -> r.gateway().filter(address::equals).isPresent()).ifPresent(r -> sv.put(r.withGateway(Optional.empty())));
      }
      return null;
    });
  }

  /** Read-only queries over this engine's store (snapshots for the CLI and metrics). */
  public IpamQueries queries() {
    return new IpamQueries(store, config);
  }

}
