package org.clusteripam.etcd;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How to reach etcd and how the store behaves.
 *
 * @param endpoints client URLs ({@code http://} or, with TLS, {@code https://})
 * @param prefix every key is stored under this prefix; printable ASCII ending in {@code /}
 * @param timeout an operation that etcd does not answer within this fails with {@link
 *     org.clusteripam.core.store.StoreUnavailableException}
 * @param maxBatchOps bound on the compares and on the writes of one group-commit etcd transaction
 *     (etcd's {@code --max-txn-ops} defaults to 128)
 * @param maxAttempts attempts per transaction before {@link
 *     org.clusteripam.core.store.StoreConflictException}
 * @param caCert PEM CA bundle to verify the server (TLS)
 * @param clientCert PEM client certificate (mutual TLS), with {@code clientKey}
 * @param clientKey PEM PKCS#8 private key of {@code clientCert}
 * @param user etcd user for authentication, with {@code password}
 * @param password password of {@code user}
 */
public record EtcdStoreConfig(
    List<URI> endpoints,
    String prefix,
    Duration timeout,
    int maxBatchOps,
    int maxAttempts,
    Optional<Path> caCert,
    Optional<Path> clientCert,
    Optional<Path> clientKey,
    Optional<String> user,
    Optional<String> password) {

  public static final String DEFAULT_PREFIX = "/cluster-ipam/";
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  public static final int DEFAULT_MAX_BATCH_OPS = 128;
  public static final int DEFAULT_MAX_ATTEMPTS = 32;

  public EtcdStoreConfig {
    endpoints = List.copyOf(endpoints);
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("at least one etcd endpoint is required");
    }
    for (URI e : endpoints) {
      if (!"http".equals(e.getScheme()) && !"https".equals(e.getScheme())
          || e.getHost() == null
          || e.getPort() < 0) {
        throw new IllegalArgumentException(
            "etcd endpoint " + e + " must look like http://HOST:PORT or https://HOST:PORT");
      }
    }
    if (prefix == null
        || prefix.isEmpty()
        || !prefix.endsWith("/")
        || !prefix.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException(
          "etcd key prefix must be printable ASCII ending in '/', got \"" + prefix + "\"");
    }
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("etcd timeout must be positive, got " + timeout);
    }
    if (maxBatchOps < 2 || maxBatchOps > 10_000) {
      throw new IllegalArgumentException(
          "maxBatchOps must be between 2 and 10000, got " + maxBatchOps);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
    if (clientCert.isPresent() != clientKey.isPresent()) {
      throw new IllegalArgumentException("a client certificate and its key must be given together");
    }
    if (user.isPresent() != password.isPresent()) {
      throw new IllegalArgumentException("an etcd user and its password must be given together");
    }
    for (Optional<Path> f : List.of(caCert, clientCert, clientKey)) {
      if (f.isPresent() && !Files.isReadable(f.get())) {
        throw new IllegalArgumentException(
            "TLS file " + f.get() + " does not exist or is not readable");
      }
    }
  }

  /**
   * Defaults (prefix {@value #DEFAULT_PREFIX}, 5 s timeout, 128-op batches) for these endpoints.
   */
  public static EtcdStoreConfig of(String... endpoints) {
    return new EtcdStoreConfig(
        List.of(endpoints).stream().map(URI::create).toList(),
        DEFAULT_PREFIX,
        DEFAULT_TIMEOUT,
        DEFAULT_MAX_BATCH_OPS,
        DEFAULT_MAX_ATTEMPTS,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  public EtcdStoreConfig withPrefix(String p) {
    return new EtcdStoreConfig(
        endpoints,
        p,
        timeout,
        maxBatchOps,
        maxAttempts,
        caCert,
        clientCert,
        clientKey,
        user,
        password);
  }

  public EtcdStoreConfig withTimeout(Duration t) {
    return new EtcdStoreConfig(
        endpoints,
        prefix,
        t,
        maxBatchOps,
        maxAttempts,
        caCert,
        clientCert,
        clientKey,
        user,
        password);
  }

  public EtcdStoreConfig withMaxBatchOps(int n) {
    return new EtcdStoreConfig(
        endpoints, prefix, timeout, n, maxAttempts, caCert, clientCert, clientKey, user, password);
  }

  public EtcdStoreConfig withMaxAttempts(int n) {
    return new EtcdStoreConfig(
        endpoints, prefix, timeout, maxBatchOps, n, caCert, clientCert, clientKey, user, password);
  }

  /**
   * TLS: verify the server with {@code ca}; optionally present {@code cert}/{@code key} (may be
   * null).
   */
  public EtcdStoreConfig withTls(Path ca, Path cert, Path key) {
    return new EtcdStoreConfig(
        endpoints,
        prefix,
        timeout,
        maxBatchOps,
        maxAttempts,
        Optional.of(ca),
        Optional.ofNullable(cert),
        Optional.ofNullable(key),
        user,
        password);
  }

  public EtcdStoreConfig withAuth(String u, String p) {
    return new EtcdStoreConfig(
        endpoints,
        prefix,
        timeout,
        maxBatchOps,
        maxAttempts,
        caCert,
        clientCert,
        clientKey,
        Optional.of(u),
        Optional.of(p));
  }

  /** The password is never printed. */
  @Override
  public String toString() {
    return "EtcdStoreConfig[endpoints="
        + endpoints
        + ", prefix="
        + prefix
        + ", timeout="
        + timeout
        + ", maxBatchOps="
        + maxBatchOps
        + ", maxAttempts="
        + maxAttempts
        + ", tls="
        + caCert.isPresent()
        + ", user="
        + user.orElse("-")
        + "]";
  }
}
