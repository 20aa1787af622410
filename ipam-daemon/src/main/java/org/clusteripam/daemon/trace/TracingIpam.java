package org.clusteripam.daemon.trace;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.clusteripam.core.ipam.AddressGrant;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.AddressSpaces;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.Ipam;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve --trace-calls}: wraps the {@link Ipam} the plugin socket serves and writes one line
 * per call, at INFO by logger {@value #LOGGER}:
 *
 * <pre>
 * event=call method=RequestAddress node=h1 request={"PoolID":..,"Address":"","Kind":"endpoint","Options":{}} response={"Address":"10.80.0.2/24","Data":{}} ms=0.84
 * event=call method=RequestPool node=h1 request={...} error="..." error_type=ExhaustedException ms=2.10
 * </pre>
 *
 * The outcome is passed through unchanged (the same result, the same exception). Requests Docker
 * sends that the protocol layer refuses before the engine (malformed JSON, a missing PoolID) are
 * answered without reaching this decorator.
 */
public final class TracingIpam implements Ipam {
  /** The logger of the trace lines; it is set to INFO when tracing is on, whatever {@code --log-level} says. */
  public static final String LOGGER = "org.clusteripam.daemon.trace";

  private final Ipam delegate;
  private final HostId node;
  private final Consumer<String> sink;
  private final LongSupplier nanoTime;

  /** Traces to the {@value #LOGGER} logger; {@code node} names this host on calls that carry none. */
  public TracingIpam(Ipam delegate, HostId node) {
    this(delegate, node, LoggerFactory.getLogger(LOGGER)::info, System::nanoTime);
  }

  TracingIpam(Ipam delegate, HostId node, Consumer<String> sink, LongSupplier nanoTime) {
    this.delegate = delegate;
    this.node = node;
    this.sink = sink;
    this.nanoTime = nanoTime;
  }

  /** Makes the trace logger write INFO lines even when the daemon logs only warnings or errors. */
  public static void enableLogger() {
    Logger l = LoggerFactory.getLogger(LOGGER);
    if (l instanceof ch.qos.logback.classic.Logger lb) {
      ch.qos.logback.classic.Level effective = lb.getEffectiveLevel();
      if (effective.toInt() > ch.qos.logback.classic.Level.INFO_INT) {
        lb.setLevel(ch.qos.logback.classic.Level.INFO);
      }
    }
  }

  @Override
  public AddressSpaces addressSpaces() {
    return trace("GetDefaultAddressSpaces", node, "{}", delegate::addressSpaces, CallText::response);
  }

  @Override
  public PoolGrant requestPool(PoolRequest request) {
    return trace("RequestPool", request.host(), CallText.request(request), () -> delegate.requestPool(request), CallText::response);
  }

  @Override
  public void releasePool(HostId host, PoolId pool) {
    trace("ReleasePool", host, CallText.release(pool.value(), Optional.empty()), () -> {
      delegate.releasePool(host, pool);
      return null;
    }, none -> "{}");
  }

  @Override
  public AddressGrant requestAddress(AddressRequest request) {
    return trace("RequestAddress", request.host(), CallText.request(request), () -> delegate.requestAddress(request), CallText::response);
  }

  @Override
  public void releaseAddress(HostId host, PoolId pool, IpAddress address) {
    trace("ReleaseAddress", host, CallText.release(pool.value(), Optional.of(address.toString())), () -> {
      delegate.releaseAddress(host, pool, address);
      return null;
    }, none -> "{}");
  }

  private <T> T trace(String method, HostId host, String request, Supplier<T> call, Function<T, String> response) {
    long start = nanoTime.getAsLong();
    T result;
    try {
      result = call.get();
    } catch (RuntimeException | Error e) {
      long end = nanoTime.getAsLong();
      write(method, host, request, "error=" + CallText.quoted(e.getMessage()) + " error_type=" + e.getClass().getSimpleName(), end - start);
      throw e;
    }
    long end = nanoTime.getAsLong(); // the call's own time, not the rendering's
    write(method, host, request, "response=" + response.apply(result), end - start);
    return result;
  }

  private void write(String method, HostId host, String request, String outcome, long nanos) {
    sink.accept("event=call method=" + method + " node=" + host + " request=" + request + " " + outcome
        + String.format(Locale.ROOT, " ms=%.2f", nanos / 1e6));
  }
}
