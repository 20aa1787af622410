package org.clusteripam.cni;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.clusteripam.core.cni.AttachedIp;
import org.clusteripam.core.cni.Attachment;
import org.clusteripam.core.cni.AttachmentId;
import org.clusteripam.core.cni.CniIpam;
import org.clusteripam.core.cni.PoolSpec;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

class CniProtocolProperties {

  @Property(tries = 300)
  void resultsCarryEveryAddressWithItsPoolLengthInEachVersionsShape(
      @ForAll("versions") CniVersion v,
      @ForAll("octets") List<Integer> hosts,
      @ForAll("lengths") int len)
      throws Exception {
    IpPrefix pool = IpPrefix.containing(IpAddress.parse("10.80.0.0"), len);
    List<AttachedIp> ips = new ArrayList<>();
    for (int h : hosts) {
      IpAddress a = pool.addressAt(h % pool.sizeAsLong());
      ips.add(new AttachedIp(pool, pool, a, Optional.of(pool.first())));
    }
    Attachment att = new Attachment(new AttachmentId("n", "c", "eth0"), "h", "", "", 0, ips);
    JsonNode out =
        NetworkConfig.JSON.readTree(
            CniResults.add(v, att, NetworkConfig.JSON.createArrayNode(), Optional.empty()));
    assertThat(out.get("cniVersion").asText()).isEqualTo(v.text());
    assertThat(out.get("ips")).hasSize(ips.size());
    for (int i = 0; i < ips.size(); i++) {
      JsonNode o = out.get("ips").get(i);
      assertThat(o.get("address").asText()).isEqualTo(ips.get(i).address() + "/" + len);
      assertThat(o.has("version")).isEqualTo(v.compareTo(CniVersion.V1_0_0) < 0);
      assertThat(o.has("interface")).isFalse();
    }
    assertThat(out.has("interfaces")).isFalse();
  }

  @Property(tries = 300)
  void anyStdinGivesAResultOrACniErrorObjectAndNeverThrows(
      @ForAll("commands") String command, @ForAll("stdins") String stdin) throws Exception {
    CniHandler h = new CniHandler(new RefusingIpam(), "b");
    CniReply r =
        h.handle(
            Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", "c1", "CNI_IFNAME", "eth0"),
            stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    if (r.exitCode() != 0) {
      JsonNode e = NetworkConfig.JSON.readTree(r.stdout());
      assertThat(e.get("code").isInt()).isTrue();
      assertThat(e.get("msg").asText()).isNotEmpty();
      assertThat(e.get("cniVersion").asText()).isNotEmpty();
    }
  }

  @Property(tries = 200)
  void rangesSpanExactlyTheirCidr(
      @ForAll("lengths") int len, @ForAll("octets") List<Integer> offsets) {
    IpPrefix subnet = IpPrefix.parse("10.80.0.0/16");
    IpPrefix p =
        IpPrefix.containing(subnet.addressAt(offsets.isEmpty() ? 0 : offsets.get(0) * 256L), len);
    assertThat(IpRanges.asPrefix(subnet, p.first(), p.last())).isEqualTo(p);
    if (p.hostBits() > 0) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> IpRanges.asPrefix(subnet, p.first().next(), p.last()))
          .isInstanceOf(CniFailure.class);
    }
  }

  @Provide
  Arbitrary<CniVersion> versions() {
    return Arbitraries.of(CniVersion.class);
  }

  @Provide
  Arbitrary<List<Integer>> octets() {
    return Arbitraries.integers().between(0, 255).list().ofMaxSize(3);
  }

  @Provide
  Arbitrary<Integer> lengths() {
    return Arbitraries.integers().between(16, 30);
  }

  @Provide
  Arbitrary<String> commands() {
    return Arbitraries.of("ADD", "DEL", "CHECK", "STATUS", "GC", "VERSION", "BOGUS");
  }

  @Provide
  Arbitrary<String> stdins() {
    Arbitrary<String> versions = Arbitraries.of("0.3.1", "0.4.0", "1.0.0", "1.1.0", "9.9", "");
    Arbitrary<String> ipams =
        Arbitraries.of(
            "{}",
            "{\"subnet\":\"10.1.0.0/24\"}",
            "{\"subnet\":3}",
            "[]",
            "{\"ranges\":[[]]}",
            "{\"rangeStart\":\"10.1.0.1\"}",
            "{\"routes\":{}}",
            "{\"dns\":[]}",
            "{\"dualStack\":true}");
    Arbitrary<String> json =
        net.jqwik.api.Combinators.combine(versions, ipams)
            .as(
                (v, i) ->
                    "{\"cniVersion\":\""
                        + v
                        + "\",\"name\":\"n\",\"ipam\":"
                        + i
                        + ",\"cni.dev/attachments\":[],\"prevResult\":{\"ips\":[{\"address\":\"x\"}]}}");
    return Arbitraries.oneOf(json, Arbitraries.strings().ofMaxLength(40));
  }

  /** Every engine call fails as if the store were down. */
  static final class RefusingIpam implements CniIpam {
    @Override
    public Attachment add(org.clusteripam.core.cni.AddRequest request) {
      throw new org.clusteripam.core.store.StoreUnavailableException("down", null);
    }

    @Override
    public boolean del(AttachmentId id) {
      throw new org.clusteripam.core.store.StoreUnavailableException("down", null);
    }

    @Override
    public Attachment check(AttachmentId id) {
      throw new org.clusteripam.core.store.StoreUnavailableException("down", null);
    }

    @Override
    public List<AttachmentId> gc(String network, java.util.Set<GcEntry> valid) {
      throw new org.clusteripam.core.store.StoreUnavailableException("down", null);
    }

    @Override
    public void status(List<PoolSpec> pools) {
      throw new org.clusteripam.core.store.StoreUnavailableException("down", null);
    }

    @Override
    public List<Attachment> attachments() {
      return List.of();
    }

    @Override
    public boolean releaseIfUnchanged(AttachmentId id, long sinceMillis) {
      return false;
    }
  }
}
