package org.clusteripam.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.ExhaustedException;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.store.ForwardingStateStore;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.store.StoreConflictException;
import org.clusteripam.core.store.Txn;
import org.clusteripam.core.testing.ForwardingTxnView;

/**
 * A host whose blocks are full borrows while the blocks' owners (or other borrowers) keep writing
 * some of them: a transaction that writes such a busy block runs out of compare-and-swap retries.
 * The host then moves on to another block with room instead of failing, never takes a full block,
 * never borrows while a block of the pool can still be claimed, and chooses the same way every time
 * for the same state; when every block with room stays busy it fails and writes nothing.
 */
class BorrowAfterLostRaceProperties {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-02T00:00:00Z"), ZoneOffset.UTC);
  static final IpPrefix POOL = IpPrefix.parse("10.9.0.0/24"); // four /26 blocks
  static final int BLOCKS = 4;

  /** Every transaction that writes a busy key loses its race: nothing is written. */
  static final class BusyStore extends ForwardingStateStore {
    final Set<String> busy = new HashSet<>();
    int lost;

    BusyStore() {
      super(new InMemoryStateStore());
    }

    @Override
    public <R> R transact(String name, Txn<R> txn) {
      return delegate()
          .transact(
              name,
              v -> {
                Set<String> wrote = new HashSet<>();
                R r =
                    txn.run(
                        new ForwardingTxnView(v) {
                          @Override
                          public void put(String key, byte[] value) {
                            wrote.add(key);
                            super.put(key, value);
                          }

                          @Override
                          public void delete(String key) {
                            wrote.add(key);
                            super.delete(key);
                          }
                        });
                if (wrote.stream().anyMatch(busy::contains)) {
                  lost++;
                  throw new StoreConflictException(name + " kept conflicting (busy block)");
                }
                return r;
              });
    }
  }

  /** What one world ended with: the borrower's address, or the failure's type. */
  record Outcome(Optional<IpAddress> address, String failure) {}

  record World(
      BusyStore store,
      List<IpPrefix> owned,
      List<IpPrefix> full,
      List<IpPrefix> withRoom,
      Outcome outcome,
      boolean wroteOnFailure) {}

  static IpPrefix blockOf(IpAddress a) {
    return IpPrefix.containing(a, 26);
  }

  static PoolRequest join(HostId h) {
    return new PoolRequest(
        h, "ClusterIpamLocal", Optional.of(POOL), Optional.empty(), Map.of(), false);
  }

  static AddressRequest any(HostId h, PoolId p) {
    return new AddressRequest(h, p, Optional.empty(), AddressKind.ENDPOINT, Map.of());
  }

  /**
   * {@code owners} hosts claim a block each (the first {@code full.length} of them fill it), then
   * the blocks in {@code busyMask} (by owner) turn busy and host {@code borrower} asks for one
   * address.
   */
  static World run(int owners, boolean[] fill, int busyMask, String borrower) {
    BusyStore store = new BusyStore();
    IpamConfig cfg = IpamConfig.defaults();
    List<IpPrefix> ownerBlocks = new ArrayList<>();
    List<IpPrefix> full = new ArrayList<>();
    List<ClusterIpam> engines = new ArrayList<>();
    List<PoolId> pools = new ArrayList<>();
    for (int i = 0; i < owners; i++) {
      HostId h = new HostId("owner" + i);
      ClusterIpam e = new ClusterIpam(store, cfg, CLOCK);
      PoolId p = e.requestPool(join(h)).id();
      ownerBlocks.add(blockOf(e.requestAddress(any(h, p)).address()));
      engines.add(e);
      pools.add(p);
    }
    for (int i = 0; i < owners; i++) {
      if (!fill[i]) {
        continue;
      }
      // every address of its block by name: a dynamic request beyond it would claim or borrow
      HostId h = new HostId("owner" + i);
      IpPrefix mine = ownerBlocks.get(i);
      for (long o = 0; o < 64; o++) {
        IpAddress a = mine.subPrefix(32, o).network();
        try {
          engines
              .get(i)
              .requestAddress(
                  new AddressRequest(
                      h, pools.get(i), Optional.of(a), AddressKind.ENDPOINT, Map.of()));
        } catch (RuntimeException taken) {
          // the network, broadcast or gateway address, or its own first one
        }
      }
      full.add(mine);
    }
    List<IpPrefix> withRoom = new ArrayList<>(ownerBlocks);
    withRoom.removeAll(full);
    for (int i = 0; i < owners; i++) {
      if ((busyMask & (1 << i)) != 0) {
        store.busy.add(Keys.block(POOL, ownerBlocks.get(i)));
      }
    }
    HostId b = new HostId(borrower);
    ClusterIpam e = new ClusterIpam(store, cfg, CLOCK);
    PoolId p = e.requestPool(join(b)).id();
    long before = store.revision();
    Outcome o;
    boolean wrote = false;
    try {
      o = new Outcome(Optional.of(e.requestAddress(any(b, p)).address()), "");
    } catch (StoreConflictException | ExhaustedException ex) {
      o = new Outcome(Optional.empty(), ex.getClass().getSimpleName());
      wrote = store.revision() != before;
    }
    return new World(store, ownerBlocks, full, withRoom, o, wrote);
  }

  @Property(tries = 100)
  void aBorrowerMovesOnFromBusyBlocksNeverToAFullOne(
      @ForAll @Size(BLOCKS) List<Boolean> fill,
      @ForAll @IntRange(min = 0, max = (1 << BLOCKS) - 1) int busyMask,
      @ForAll @IntRange(min = 0, max = 999) int borrowerNo) {
    boolean[] f = new boolean[BLOCKS];
    for (int i = 0; i < BLOCKS; i++) {
      f[i] = fill.get(i);
    }
    String borrower = "borrower" + borrowerNo;
    World w = run(BLOCKS, f, busyMask, borrower);
    Set<IpPrefix> busy = new HashSet<>();
    for (IpPrefix blk : w.withRoom()) {
      if (w.store().busy.contains(Keys.block(POOL, blk))) {
        busy.add(blk);
      }
    }
    List<IpPrefix> free = new ArrayList<>(w.withRoom());
    free.removeAll(busy);
    Outcome o = w.outcome();
    if (o.address().isPresent()) {
      IpPrefix got = blockOf(o.address().get());
      assertThat(w.full()).as("borrowed from a full block").doesNotContain(got);
      assertThat(busy).as("borrowed from a busy block").doesNotContain(got);
      assertThat(w.withRoom()).contains(got);
    } else if (w.withRoom().isEmpty()) {
      assertThat(o.failure()).isEqualTo("ExhaustedException");
    } else {
      assertThat(o.failure()).isEqualTo("StoreConflictException");
      assertThat(w.wroteOnFailure()).as("a failed borrow wrote").isFalse();
      // a block with room that is not busy is found after at most two lost races
      assertThat(free.isEmpty() || busy.size() > 2)
          .as("failed with %s free and %s busy", free, busy)
          .isTrue();
    }
    if (!free.isEmpty() && busy.size() <= 2) {
      assertThat(o.address()).as("free blocks %s, busy %s", free, busy).isPresent();
    }
    // the same state and host: the same choice
    assertThat(run(BLOCKS, f, busyMask, borrower).outcome()).isEqualTo(o);
  }

  @Property(tries = 40)
  void aBorrowerClaimsAFreeBlockEvenWhenEveryOtherBlockIsBusy(
      @ForAll @Size(BLOCKS - 1) List<Boolean> fill,
      @ForAll @IntRange(min = 0, max = (1 << (BLOCKS - 1)) - 1) int busyMask,
      @ForAll @IntRange(min = 0, max = 999) int borrowerNo) {
    boolean[] f = new boolean[BLOCKS - 1];
    for (int i = 0; i < f.length; i++) {
      f[i] = fill.get(i);
    }
    World w = run(BLOCKS - 1, f, busyMask, "borrower" + borrowerNo);
    assertThat(w.outcome().address()).isPresent();
    IpPrefix got = blockOf(w.outcome().address().get());
    // the block no owner had: claimed, not borrowed, and no race lost on a busy block for it
    assertThat(w.owned()).doesNotContain(got);
    assertThat(w.store().peek(Keys.block(POOL, got))).isPresent();
    assertThat(w.store().lost).isZero();
  }
}
