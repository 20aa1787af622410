package org.clusteripam.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.clusteripam.core.cni.AddRequest;
import org.clusteripam.core.cni.AttachedIp;
import org.clusteripam.core.cni.Attachment;
import org.clusteripam.core.cni.AttachmentId;
import org.clusteripam.core.cni.AttachmentMissingException;
import org.clusteripam.core.cni.CniIpam.GcEntry;
import org.clusteripam.core.cni.PoolSpec;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.ConflictException;
import org.clusteripam.core.ipam.ExhaustedException;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.InvalidRequestException;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.Block;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.StateCodec;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.testing.MutableClock;
import org.clusteripam.core.testing.RecordingStateStore;
import org.junit.jupiter.api.Test;

class CniAttachmentsTest {
  static final HostId H1 = new HostId("h1");
  static final HostId H2 = new HostId("h2");
  final InMemoryStateStore mem = new InMemoryStateStore();
  final RecordingStateStore store = new RecordingStateStore(mem);
  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  final IpamConfig config = IpamConfig.builder().supernet(IpPrefix.parse("10.80.0.0/16")).build();
  final ClusterIpam engine = new ClusterIpam(store, config, clock);
  final CniAttachments cni = CniAttachments.of(engine, H1, clock);

  static AttachmentId id(String c) {
    return new AttachmentId("net1", c, "eth0");
  }

  static AddRequest add(String c, PoolSpec... pools) {
    return new AddRequest(id(c), "/run/netns/" + c, "boot1", List.of(pools), List.of());
  }

  static PoolSpec v4() {
    return PoolSpec.dynamic(IpFamily.IPV4, "net1");
  }

  @Test
  void addAllocatesFromTheHostsBlockOfTheNamedPoolAndReplaysTheSameAnswer() {
    Attachment a = cni.add(add("c1", v4()));
    assertThat(a.ips()).hasSize(1);
    AttachedIp ip = a.ips().get(0);
    assertThat(ip.pool()).isEqualTo(IpPrefix.parse("10.80.0.0/24"));
    assertThat(ip.gateway()).contains(IpAddress.parse("10.80.0.1"));
    assertThat(ip.block().contains(ip.address())).isTrue();
    Block blk = block(ip.pool(), ip.block());
    assertThat(blk.owner()).contains(Holder.of("h1"));
    assertThat(blk.allocations().get(ip.address()).holders())
        .containsExactly(cniHolder("h1", id("c1")));
    assertThat(cni.add(add("c1", v4()))).isEqualTo(a);
    Attachment b = cni.add(add("c2", v4()));
    assertThat(b.ips().get(0).address()).isNotEqualTo(ip.address());
    assertThat(cni.attachments())
        .extracting(Attachment::id)
        .containsExactlyInAnyOrder(id("c1"), id("c2"));
  }

  @Test
  void theHotPathWritesOnlyTheAttachmentKeyAndOneBlock() {
    cni.add(add("c1", v4()));
    store.clear();
    cni.add(add("c2", v4()));
    assertThat(store.log()).hasSize(1);
    RecordingStateStore.Access add = store.log().get(0);
    assertThat(add.written())
        .hasSize(2)
        .anyMatch(k -> k.startsWith("cni/h1/net1/c2/"))
        .anyMatch(k -> k.startsWith(Keys.BLOCKS));
    assertThat(add.read()).noneMatch(k -> k.startsWith(Keys.POOLS));
  }

  @Test
  void delReleasesAndIsIdempotentAndUnknownDelSucceeds() {
    Attachment a = cni.add(add("c1", v4()));
    assertThat(cni.del(id("c1"))).isTrue();
    assertThat(cni.del(id("c1"))).isFalse();
    assertThat(cni.del(id("never"))).isFalse();
    assertThat(block(a.ips().get(0).pool(), a.ips().get(0).block()).allocations())
        .doesNotContainKey(a.ips().get(0).address());
    assertThatThrownBy(() -> cni.check(id("c1")))
        .isInstanceOf(AttachmentMissingException.class)
        .hasMessageContaining("c1");
  }

  @Test
  void checkSeesAMissingReservation() {
    Attachment a = cni.add(add("c1", v4()));
    assertThat(cni.check(id("c1"))).isEqualTo(a);
    // Someone dropped the hold behind the attachment's back: CHECK must say so.
    AttachedIp ip = a.ips().get(0);
    Block blk = block(ip.pool(), ip.block());
    mem.transact(
        "tamper",
        v -> {
          v.put(
              Keys.block(ip.pool(), ip.block()),
              StateCodec.encode(
                  blk.drop(
                      ip.address(), new Holder.CniAttachment(new HostId("h1"), id("c1")), 0, 0)));
          return null;
        });
    assertThatThrownBy(() -> cni.check(id("c1")))
        .isInstanceOf(AttachmentMissingException.class)
        .hasMessageContaining(ip.address().toString());
  }

  @Test
  void dualStackIsAllOrNothing() {
    PoolSpec v6 =
        new PoolSpec(
            IpFamily.IPV6,
            "net1",
            Optional.of(IpPrefix.parse("fd00:1::/126")),
            Optional.empty(),
            Optional.empty());
    Attachment a = cni.add(add("c1", v4(), v6));
    assertThat(a.ips())
        .extracting(x -> x.address().family())
        .containsExactly(IpFamily.IPV4, IpFamily.IPV6);
    cni.add(add("c2", v4(), v6)); // fd00:1::/126 holds the gateway ::1 and two more
    long v4Before = allocationsIn(IpPrefix.parse("10.80.0.0/24"));
    assertThatThrownBy(() -> cni.add(add("c3", v4(), v6)))
        .isInstanceOf(ExhaustedException.class)
        .hasMessageContaining("fd00:1::/126");
    assertThat(allocationsIn(IpPrefix.parse("10.80.0.0/24"))).isEqualTo(v4Before);
    assertThat(cni.attachments()).hasSize(2);
  }

  @Test
  void exhaustionUsesDockersWords() {
    PoolSpec tiny =
        new PoolSpec(
            IpFamily.IPV4,
            "tiny",
            Optional.of(IpPrefix.parse("10.99.0.0/29")),
            Optional.empty(),
            Optional.empty());
    for (int i = 0; i < 5; i++) {
      cni.add(
          new AddRequest(
              new AttachmentId("tiny", "c" + i, "eth0"), "", "", List.of(tiny), List.of()));
    }
    assertThatThrownBy(
            () ->
                cni.add(
                    new AddRequest(
                        new AttachmentId("tiny", "c9", "eth0"), "", "", List.of(tiny), List.of())))
        .isInstanceOf(ExhaustedException.class)
        .hasMessage(
            "no free address in host block 10.99.0.0/29 of pool 10.99.0.0/29, no free block to claim and none to borrow from");
    assertThatThrownBy(() -> cni.status(List.of(tiny)))
        .isInstanceOf(ExhaustedException.class)
        .hasMessageContaining("10.99.0.0/29");
    cni.status(List.of(v4()));
  }

  @Test
  void statusWritesNothing() {
    long before = mem.revision();
    cni.status(List.of(v4()));
    assertThat(mem.revision()).isEqualTo(before);
    assertThat(mem.list(Keys.POOLS)).isEmpty();
  }

  @Test
  void requestedAddressesAreTakenOrRefusedClearly() {
    PoolSpec s =
        new PoolSpec(
            IpFamily.IPV4,
            "st",
            Optional.of(IpPrefix.parse("10.98.0.0/24")),
            Optional.empty(),
            Optional.empty());
    IpAddress want = IpAddress.parse("10.98.0.77");
    Attachment a =
        cni.add(
            new AddRequest(
                new AttachmentId("st", "c1", "eth0"), "", "", List.of(s), List.of(want)));
    assertThat(a.ips().get(0).address()).isEqualTo(want);
    assertThat(
            block(a.ips().get(0).pool(), a.ips().get(0).block()).allocations().get(want).holders())
        .containsExactly(cniHolder("h1", new AttachmentId("st", "c1", "eth0")));
    assertThatThrownBy(
            () ->
                cni.add(
                    new AddRequest(
                        new AttachmentId("st", "c2", "eth0"), "", "", List.of(s), List.of(want))))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("10.98.0.77")
        .hasMessageContaining("CNI container c1 (eth0) on host h1");
    assertThatThrownBy(
            () ->
                cni.add(
                    new AddRequest(
                        new AttachmentId("st", "c3", "eth0"),
                        "",
                        "",
                        List.of(s),
                        List.of(IpAddress.parse("10.97.0.1")))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("not inside pool 10.98.0.0/24");
    assertThatThrownBy(
            () ->
                cni.add(
                    new AddRequest(
                        new AttachmentId("st", "c3", "eth0"),
                        "",
                        "",
                        List.of(s),
                        List.of(IpAddress.parse("10.98.0.1")))))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("gateway");
  }

  @Test
  void gcReleasesEveryAttachmentOfTheNetworkNotListed() {
    cni.add(add("c1", v4()));
    cni.add(add("c2", v4()));
    cni.add(
        new AddRequest(
            new AttachmentId("other", "c3", "eth0"),
            "",
            "",
            List.of(PoolSpec.dynamic(IpFamily.IPV4, "other")),
            List.of()));
    assertThat(cni.gc("net1", Set.of(new GcEntry("c1", "eth0")))).containsExactly(id("c2"));
    assertThat(cni.attachments())
        .extracting(Attachment::id)
        .containsExactlyInAnyOrder(id("c1"), new AttachmentId("other", "c3", "eth0"));
  }

  @Test
  void conditionalReleaseKeepsAReAddedAttachment() {
    Attachment a = cni.add(add("c1", v4()));
    cni.del(id("c1"));
    clock.advance(java.time.Duration.ofSeconds(1));
    cni.add(add("c1", v4()));
    assertThat(cni.releaseIfUnchanged(id("c1"), a.sinceMillis())).isFalse();
    assertThat(cni.attachments()).hasSize(1);
  }

  @Test
  void dockerAndCniShareTheHostsBlocksWithoutOverlapAndDockerReleasingThePoolKeepsCniAddresses() {
    PoolGrant g =
        engine.requestPool(
            new PoolRequest(
                H1,
                "ClusterIpamLocal",
                Optional.empty(),
                Optional.empty(),
                Map.of("network", "net1"),
                false));
    Set<IpAddress> seen = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      assertThat(
              seen.add(
                  engine
                      .requestAddress(
                          new AddressRequest(
                              H1, g.id(), Optional.empty(), AddressKind.ENDPOINT, Map.of()))
                      .address()))
          .isTrue();
      assertThat(seen.add(cni.add(add("c" + i, v4())).ips().get(0).address())).isTrue();
    }
    engine.releasePool(H1, g.id());
    assertThat(cni.attachments()).hasSize(20);
    for (Attachment a : cni.attachments()) {
      assertThat(cni.check(a.id())).isEqualTo(a);
    }
    Set<IpAddress> cniHeld = new HashSet<>();
    cni.attachments().forEach(a -> cniHeld.add(a.ips().get(0).address()));
    assertThat(cniHeld)
        .hasSize(20)
        .doesNotContain(cni.add(add("c99", v4())).ips().get(0).address());
  }

  @Test
  void twoHostsGetAddressesFromTheirOwnBlocks() {
    CniAttachments other = CniAttachments.of(new ClusterIpam(store, config, clock), H2, clock);
    Attachment a = cni.add(add("c1", v4()));
    Attachment b = other.add(add("c1", v4()));
    assertThat(b.host()).isEqualTo("h2");
    assertThat(a.ips().get(0).pool()).isEqualTo(b.ips().get(0).pool());
    assertThat(a.ips().get(0).block()).isNotEqualTo(b.ips().get(0).block());
    assertThat(block(b.ips().get(0).pool(), b.ips().get(0).block()).owner())
        .contains(Holder.of("h2"));
    assertThat(other.attachments()).hasSize(1);
    assertThat(other.del(id("c1"))).isTrue();
    assertThat(cni.check(id("c1"))).isEqualTo(a);
  }

  @Test
  void gcOnOneHostNeverReleasesAnotherHostsAttachments() {
    // A host id that extends this one's: its keys share the text "cni/h1" but not the prefix
    // "cni/h1/".
    CniAttachments other =
        CniAttachments.of(new ClusterIpam(store, config, clock), new HostId("h1-b"), clock);
    Attachment mine = cni.add(add("c1", v4()));
    Attachment theirs = other.add(add("c1", v4()));
    Attachment theirs2 = other.add(add("c2", v4()));
    assertThat(cni.gc("net1", Set.of())).containsExactly(id("c1"));
    assertThat(other.attachments()).containsExactlyInAnyOrder(theirs, theirs2);
    assertThat(other.check(id("c1"))).isEqualTo(theirs);
    assertThat(
            block(theirs.ips().get(0).pool(), theirs.ips().get(0).block())
                .allocations()
                .get(theirs.ips().get(0).address())
                .holders())
        .containsExactly(cniHolder("h1-b", id("c1")));
    assertThat(block(mine.ips().get(0).pool(), mine.ips().get(0).block()).allocations())
        .doesNotContainKey(mine.ips().get(0).address());
    assertThat(other.gc("net1", Set.of(new GcEntry("c2", "eth0")))).containsExactly(id("c1"));
    assertThat(other.attachments()).containsExactly(theirs2);
  }

  @Test
  void badConfigIsRefusedAndChangesNothing() {
    long before = mem.revision();
    assertThatThrownBy(() -> new AttachmentId("net1", "c/1", "eth0"))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(
            () ->
                new PoolSpec(
                    IpFamily.IPV4,
                    "n",
                    Optional.of(IpPrefix.parse("10.1.0.0/24")),
                    Optional.of(IpPrefix.parse("10.2.0.0/28")),
                    Optional.empty()))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(
            () ->
                cni.add(
                    new AddRequest(
                        id("c1"), "", "", List.of(v4()), List.of(IpAddress.parse("fd00::1")))))
        .isInstanceOf(InvalidRequestException.class);
    assertThat(mem.revision()).isEqualTo(before);
  }

  private Block block(IpPrefix pool, IpPrefix b) {
    String k = Keys.block(pool, b);
    return StateCodec.decodeBlock(k, mem.peek(k).orElseThrow().value());
  }

  private long allocationsIn(IpPrefix pool) {
    return mem.list(Keys.blocksOf(pool)).entrySet().stream()
        .mapToLong(
            e -> StateCodec.decodeBlock(e.getKey(), e.getValue().value()).allocations().size())
        .sum();
  }

  private static Holder cniHolder(String host, AttachmentId id) {
    return new Holder.CniAttachment(new HostId(host), id);
  }
}
