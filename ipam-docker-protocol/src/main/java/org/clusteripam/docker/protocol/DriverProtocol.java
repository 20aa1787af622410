package org.clusteripam.docker.protocol;

import jakarta.json.bind.Jsonb;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.clusteripam.core.ipam.AddressGrant;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.AddressSpaces;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.Ipam;
import org.clusteripam.core.ipam.IpamException;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.StoreException;

/**
 * Docker's remote IPAM driver protocol, independent of HTTP: one call's path and body in, one JSON
 * reply out. A thin, exact translation to {@link Ipam}; every allocation decision is the engine's.
 *
 * <p>{@link #handle} never throws: anything that goes wrong becomes {@code {"Error": msg}}. It
 * calls the engine, which may block on the store, so it must not run on an I/O event loop. Thread
 * safe.
 */
public final class DriverProtocol {
  /** Docker never sends more than a few hundred bytes; anything above this is refused. */
  public static final int MAX_BODY_BYTES = 1 << 20;

  private static final System.Logger LOG = System.getLogger(DriverProtocol.class.getName());
  private static final Jsonb JSONB = ErrorReplies.JSONB;
  private static final String EMPTY = "{}";

  private final Ipam ipam;
  private final HostId host;
  private final Optional<Consumer<String>> trace;
  private final LongSupplier nanoTime;
  private final RequestBodies bodies = new RequestBodies(JSONB);

  /**
   * @param ipam the engine
   * @param host this node's identity (Docker never sends one; the daemon supplies it)
   */
  public DriverProtocol(Ipam ipam, HostId host) {
    this(ipam, host, Optional.empty(), System::nanoTime);
  }

  /**
   * @param trace where each call's {@link CallTrace} line goes, after the call (every call, also
   *     those answered without the engine or refused before it)
   * @param nanoTime the clock of the trace's call times
   */
  public DriverProtocol(
      Ipam ipam, HostId host, Optional<Consumer<String>> trace, LongSupplier nanoTime) {
    if (ipam == null || host == null || trace == null || nanoTime == null) {
      throw new IllegalArgumentException(
          "DriverProtocol needs an Ipam, the node's HostId, a trace (or none) and a clock");
    }
    this.ipam = ipam;
    this.host = host;
    this.trace = trace;
    this.nanoTime = nanoTime;
  }

  /**
   * False for the calls answered without the engine ({@code Plugin.Activate}, {@code
   * GetCapabilities}, unknown paths): cheap, non-blocking, safe to answer on an I/O thread, so that
   * dockerd can activate the plugin even while the store is slow.
   */
  public static boolean callsEngine(String path) {
    return switch (path == null ? "" : path) {
      case "/IpamDriver.GetDefaultAddressSpaces",
          "/IpamDriver.RequestPool",
          "/IpamDriver.ReleasePool",
          "/IpamDriver.RequestAddress",
          "/IpamDriver.ReleaseAddress" ->
          true;
      default -> false;
    };
  }

  public HostId host() {
    return host;
  }

  /** Answers one call; {@code path} is the request path, e.g. {@code /IpamDriver.RequestPool}. */
  public DriverReply handle(String path, byte[] body) {
    String method = path == null ? "" : path.startsWith("/") ? path.substring(1) : path;
    long start = trace.isPresent() ? nanoTime.getAsLong() : 0;
    Throwable failure = null;
    String message = null;
    DriverReply reply;
    try {
      if (body != null && body.length > MAX_BODY_BYTES) {
        throw new ProtocolException(
            "request body of "
                + body.length
                + " bytes exceeds the limit of "
                + MAX_BODY_BYTES
                + " bytes");
      }
      byte[] b = body == null ? new byte[0] : body;
      reply = new DriverReply(dispatch(method, b), false);
    } catch (ProtocolException | IpamException | StoreException | IllegalArgumentException e) {
      failure = e;
      message = ErrorMessages.forFailure(method, e);
      reply = error(message);
    } catch (RuntimeException | Error e) {
      // A bug, not a refusal: log the trace here, give Docker one clean line.
      LOG.log(System.Logger.Level.ERROR, "internal error in " + ErrorMessages.printable(method), e);
      failure = e;
      message = ErrorMessages.forFailure(method, e);
      reply = error(message);
    }
    if (trace.isPresent()) {
      long nanos = nanoTime.getAsLong() - start; // the call's own time, not the trace's rendering
      trace.get().accept(CallTrace.line(method, host, body, reply, failure, message, nanos));
    }
    return reply;
  }

  private String dispatch(String method, byte[] body) {
    return switch (method) {
      case "Plugin.Activate" -> JSONB.toJson(ActivateResponse.IPAM_DRIVER);
      case "IpamDriver.GetCapabilities" -> JSONB.toJson(CapabilitiesResponse.CLUSTER_IPAM);
      case "IpamDriver.GetDefaultAddressSpaces" -> addressSpaces();
      case "IpamDriver.RequestPool" ->
          requestPool(
              bodies.decode(method, body, RequestPoolRequest.class, RequestPoolRequest.FIELDS));
      case "IpamDriver.ReleasePool" ->
          releasePool(
              bodies.decode(method, body, ReleasePoolRequest.class, ReleasePoolRequest.FIELDS));
      case "IpamDriver.RequestAddress" ->
          requestAddress(
              bodies.decode(
                  method, body, RequestAddressRequest.class, RequestAddressRequest.FIELDS));
      case "IpamDriver.ReleaseAddress" ->
          releaseAddress(
              bodies.decode(
                  method, body, ReleaseAddressRequest.class, ReleaseAddressRequest.FIELDS));
      default ->
          throw new ProtocolException(
              "unknown endpoint \"/"
                  + ErrorMessages.printable(method)
                  + "\": this plugin implements Plugin.Activate and "
                  + "IpamDriver.{GetCapabilities, GetDefaultAddressSpaces, RequestPool, ReleasePool, RequestAddress, ReleaseAddress}");
    };
  }

  private String addressSpaces() {
    AddressSpaces spaces = ipam.addressSpaces();
    return JSONB.toJson(new AddressSpacesResponse(spaces.local(), spaces.global()));
  }

  private String requestPool(RequestPoolRequest r) {
    Map<String, String> options = options(r.options());
    // Swarm leaks the gateway marker into RequestPool options; it means nothing for a pool.
    options.remove(DockerLabels.REQUEST_ADDRESS_TYPE);
    PoolRequest request =
        new PoolRequest(
            host,
            r.addressSpace() == null ? "" : r.addressSpace(),
            prefix("Pool", r.pool()),
            prefix("SubPool", r.subPool()),
            options,
            Boolean.TRUE.equals(r.v6()));
    PoolGrant grant = ipam.requestPool(request);
    Map<String, String> data =
        grant
            .gateway()
            .map(g -> Map.of(DockerLabels.GATEWAY, g + "/" + grant.pool().length()))
            .orElse(Map.of());
    return JSONB.toJson(new RequestPoolResponse(grant.id().value(), grant.pool().toString(), data));
  }

  private String releasePool(ReleasePoolRequest r) {
    ipam.releasePool(host, poolId("ReleasePool", r.poolId()));
    return EMPTY;
  }

  private String requestAddress(RequestAddressRequest r) {
    PoolId pool = poolId("RequestAddress", r.poolId());
    Map<String, String> options = options(r.options());
    String type = options.remove(DockerLabels.REQUEST_ADDRESS_TYPE);
    AddressKind kind =
        DockerLabels.GATEWAY.equals(type) ? AddressKind.GATEWAY : AddressKind.ENDPOINT;
    boolean serial = DockerLabels.serial(options.get(DockerLabels.SERIAL));
    Optional<IpAddress> preferred =
        r.address() == null || r.address().isEmpty()
            ? Optional.empty()
            : Optional.of(address(r.address()));
    AddressGrant grant =
        ipam.requestAddress(new AddressRequest(host, pool, preferred, kind, serial, options));
    return JSONB.toJson(new RequestAddressResponse(grant.cidr(), grant.data()));
  }

  private String releaseAddress(ReleaseAddressRequest r) {
    PoolId pool = poolId("ReleaseAddress", r.poolId());
    if (r.address() == null || r.address().isEmpty()) {
      throw new ProtocolException("ReleaseAddress request needs an Address");
    }
    ipam.releaseAddress(host, pool, address(r.address()));
    return EMPTY;
  }

  private static Map<String, String> options(Map<String, String> options) {
    return options == null ? new HashMap<>() : new HashMap<>(options);
  }

  private static Optional<IpPrefix> prefix(String field, String text) {
    if (text == null || text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(IpPrefix.parse(text));
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(field + ": " + ErrorMessages.describe(e));
    }
  }

  private static IpAddress address(String text) {
    try {
      return IpAddress.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ProtocolException("Address: " + ErrorMessages.describe(e));
    }
  }

  private static PoolId poolId(String method, String text) {
    if (text == null || text.isEmpty()) {
      throw new ProtocolException(method + " request needs a PoolID");
    }
    try {
      return new PoolId(text);
    } catch (IllegalArgumentException e) {
      throw new ProtocolException("PoolID: " + ErrorMessages.describe(e));
    }
  }

  private static DriverReply error(String message) {
    return ErrorReplies.of(message);
  }
}
