package org.clusteripam.cni;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.clusteripam.core.cni.AddRequest;
import org.clusteripam.core.cni.Attachment;
import org.clusteripam.core.cni.AttachmentId;
import org.clusteripam.core.cni.AttachmentMissingException;
import org.clusteripam.core.cni.CniIpam;
import org.clusteripam.core.ipam.ConflictException;
import org.clusteripam.core.ipam.ExhaustedException;
import org.clusteripam.core.ipam.InvalidRequestException;
import org.clusteripam.core.ipam.UnknownPoolException;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.store.StoreCorruptException;
import org.clusteripam.core.store.StoreException;

/**
 * One CNI invocation, from its environment and stdin to what the plugin prints and exits with. Pure
 * apart from the {@link CniIpam} it calls. Errors are CNI error objects: bad config 7, the store
 * unreachable 11 (try again later), exhaustion 100 with the level and CIDR that ran out, a
 * requested address in use 101, CHECK without its reservation 102; STATUS failures are 50.
 */
public final class CniHandler {
  private final CniIpam ipam;
  private final String bootId;

  /**
   * @param bootId this host's boot id, recorded with each attachment
   */
  public CniHandler(CniIpam ipam, String bootId) {
    this.ipam = ipam;
    this.bootId = bootId;
  }

  public CniReply handle(Map<String, String> env, byte[] stdin) {
    String version =
        NetworkConfig.versionOf(stdin).filter(s -> !s.isEmpty()).orElse(CniVersion.LATEST.text());
    String command = env.getOrDefault("CNI_COMMAND", "");
    try {
      CniEnv e = CniEnv.parse(env);
      return switch (e.command()) {
        case "VERSION" -> CniReply.ok(CniResults.version(version));
        case "ADD" -> add(e, NetworkConfig.parse(stdin));
        case "DEL" -> del(e, NetworkConfig.parse(stdin));
        case "CHECK" -> check(e, NetworkConfig.parse(stdin));
        case "STATUS" -> status(NetworkConfig.parse(stdin));
        case "GC" -> gc(NetworkConfig.parse(stdin));
        default ->
            throw new CniFailure(
                CniFailure.INVALID_ENVIRONMENT,
                "CNI_COMMAND "
                    + e.command()
                    + " is not one of ADD, DEL, CHECK, STATUS, GC, VERSION");
      };
    } catch (CniFailure f) {
      return failed(version, command, f);
    } catch (RuntimeException ex) {
      return failed(version, command, translate(ex));
    }
  }

  private static CniReply failed(String version, String command, CniFailure f) {
    if (command.equals("STATUS")
        && f.code() != CniFailure.INCOMPATIBLE_VERSION
        && f.code() != CniFailure.INVALID_CONFIG
        && f.code() != CniFailure.DECODE_FAILURE) {
      // cannot serve ADD now
      f = new CniFailure(CniFailure.NOT_AVAILABLE, f.getMessage(), f.details());
    }
    String v = CniVersion.parse(version).map(CniVersion::text).orElse(CniVersion.LATEST.text());
    return new CniReply(1, CniResults.error(v, f));
  }

  /** The engine's refusals as CNI errors, messages unchanged (they are Docker's words too). */
  static CniFailure translate(RuntimeException ex) {
    if (ex instanceof ExhaustedException x) {
      return new CniFailure(
          CniFailure.EXHAUSTED,
          x.getMessage(),
          "exhausted: " + x.level().label() + " " + x.prefix());
    }
    if (ex instanceof ConflictException) {
      return new CniFailure(CniFailure.ADDRESS_IN_USE, ex.getMessage());
    }
    if (ex instanceof InvalidRequestException) {
      return new CniFailure(CniFailure.INVALID_CONFIG, ex.getMessage());
    }
    if (ex instanceof AttachmentMissingException) {
      return new CniFailure(CniFailure.RESERVATION_MISSING, ex.getMessage());
    }
    if (ex instanceof StoreCorruptException) {
      return new CniFailure(
          CniFailure.IO_FAILURE, "the cluster-ipam store is corrupt: " + ex.getMessage());
    }
    if (ex instanceof StoreException || ex instanceof UnknownPoolException) {
      return new CniFailure(
          CniFailure.TRY_AGAIN_LATER,
          "the cluster-ipam store cannot serve now: " + ex.getMessage());
    }
    return new CniFailure(CniFailure.INTERNAL, "internal error: " + ex);
  }

  private AttachmentId id(CniEnv e, NetworkConfig c) {
    try {
      return new AttachmentId(c.name(), e.requireContainerId(), e.requireIfname());
    } catch (InvalidRequestException ex) {
      throw new CniFailure(
          ex.getMessage().startsWith("CNI network")
              ? CniFailure.INVALID_CONFIG
              : CniFailure.INVALID_ENVIRONMENT,
          ex.getMessage());
    }
  }

  private CniReply add(CniEnv e, NetworkConfig c) {
    AttachmentId id = id(e, c);
    List<IpAddress> requested = c.requested(e.args());
    AddRequest req;
    try {
      req = new AddRequest(id, e.netns().orElse(""), bootId, c.pools(), requested);
    } catch (InvalidRequestException ex) {
      throw new CniFailure(CniFailure.INVALID_CONFIG, ex.getMessage());
    }
    var routes = c.routes();
    var dns = c.dns();
    Attachment a = ipam.add(req);
    return CniReply.ok(CniResults.add(c.version(), a, routes, dns));
  }

  private CniReply del(CniEnv e, NetworkConfig c) {
    ipam.del(id(e, c)); // an unknown attachment is already released
    return CniReply.ok("");
  }

  private CniReply check(CniEnv e, NetworkConfig c) {
    if (!c.version().allowsCheck()) {
      throw new CniFailure(
          CniFailure.INCOMPATIBLE_VERSION,
          "config version " + c.versionText() + " does not allow CHECK");
    }
    Attachment a = ipam.check(id(e, c));
    Optional<Set<IpAddress>> expected = c.prevResultAddresses();
    if (expected.isPresent()) {
      Set<IpAddress> held = a.ips().stream().map(x -> x.address()).collect(Collectors.toSet());
      for (IpAddress x : expected.get()) {
        if (!held.contains(x)) {
          throw new CniFailure(
              CniFailure.RESERVATION_MISSING,
              "prevResult address "
                  + x
                  + " is not reserved for "
                  + a.id()
                  + " (it holds "
                  + held.stream()
                      .map(IpAddress::toString)
                      .sorted()
                      .collect(Collectors.joining(", "))
                  + ")");
        }
      }
    }
    return CniReply.ok("");
  }

  private CniReply status(NetworkConfig c) {
    if (!c.version().allowsStatusAndGc()) {
      throw new CniFailure(
          CniFailure.INCOMPATIBLE_VERSION,
          "config version " + c.versionText() + " does not allow STATUS");
    }
    ipam.status(c.pools());
    return CniReply.ok("");
  }

  private CniReply gc(NetworkConfig c) {
    if (!c.version().allowsStatusAndGc()) {
      throw new CniFailure(
          CniFailure.INCOMPATIBLE_VERSION,
          "config version " + c.versionText() + " does not allow GC");
    }
    Set<CniIpam.GcEntry> valid =
        c.validAttachments()
            .orElseThrow(
                () ->
                    new CniFailure(
                        CniFailure.INVALID_CONFIG,
                        "GC needs cni.dev/valid-attachments (the list of attachments to keep)"));
    ipam.gc(c.name(), valid);
    return CniReply.ok("");
  }
}
