package org.clusteripam.daemon.store;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.etcd.EtcdStateStore;
import org.clusteripam.etcd.EtcdStoreConfig;
import org.clusteripam.etcd.file.FileStateStore;
import picocli.CommandLine.Option;

/**
 * Where the state lives, shared by {@code serve} and every command that reads or repairs it: the
 * embedded durable store in {@code --state-dir}, or etcd when {@code --etcd} is given. Each option
 * falls back to an {@code IPAM_*} environment variable.
 */
public final class StoreOptions {
  public static final String DEFAULT_STATE_DIR = "/var/lib/cluster-ipam";

  @Option(
      names = "--state-dir",
      defaultValue = "${env:IPAM_STATE_DIR:-" + DEFAULT_STATE_DIR + "}",
      description =
          "Directory of the embedded store, used when --etcd is not given (env IPAM_STATE_DIR). Default: ${DEFAULT-VALUE}.")
  public Path stateDir;

  @Option(
      names = "--etcd",
      split = ",",
      defaultValue = "${env:IPAM_ETCD}",
      description =
          "Comma-separated etcd client URLs, e.g. https://10.0.0.1:2379 (env IPAM_ETCD). Default: the embedded store.")
  public List<String> etcd;

  @Option(
      names = "--etcd-prefix",
      defaultValue = "${env:IPAM_ETCD_PREFIX:-" + EtcdStoreConfig.DEFAULT_PREFIX + "}",
      description = "Key prefix in etcd (env IPAM_ETCD_PREFIX). Default: ${DEFAULT-VALUE}.")
  public String etcdPrefix;

  @Option(
      names = "--etcd-ca",
      defaultValue = "${env:IPAM_ETCD_CA}",
      description = "PEM CA bundle that signs etcd's certificate (env IPAM_ETCD_CA).")
  public Path etcdCa;

  @Option(
      names = "--etcd-cert",
      defaultValue = "${env:IPAM_ETCD_CERT}",
      description = "PEM client certificate for mutual TLS (env IPAM_ETCD_CERT).")
  public Path etcdCert;

  @Option(
      names = "--etcd-key",
      defaultValue = "${env:IPAM_ETCD_KEY}",
      description = "PEM PKCS#8 key of --etcd-cert (env IPAM_ETCD_KEY).")
  public Path etcdKey;

  @Option(
      names = "--etcd-user",
      defaultValue = "${env:IPAM_ETCD_USER}",
      description = "etcd user (env IPAM_ETCD_USER).")
  public String etcdUser;

  @Option(
      names = "--etcd-password-file",
      defaultValue = "${env:IPAM_ETCD_PASSWORD_FILE}",
      description =
          "File holding the etcd user's password (env IPAM_ETCD_PASSWORD_FILE); a file keeps it out of `ps`.")
  public Path etcdPasswordFile;

  public boolean usesEtcd() {
    return etcd != null && etcd.stream().anyMatch(s -> !s.isBlank());
  }

  /**
   * The etcd configuration these options describe; bad values give an {@link
   * IllegalArgumentException} that says which.
   */
  public EtcdStoreConfig etcdConfig() {
    List<URI> endpoints =
        etcd.stream().map(String::trim).filter(s -> !s.isEmpty()).map(StoreOptions::uri).toList();
    // Empty values (a v2 plugin's unset settable env) mean "not given".
    Path passwordFile = blank(etcdPasswordFile) ? null : etcdPasswordFile;
    String user = etcdUser == null || etcdUser.isBlank() ? null : etcdUser.strip();
    Optional<String> password = Optional.empty();
    if (passwordFile != null) {
      try {
        password = Optional.of(java.nio.file.Files.readString(passwordFile).strip());
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException(
            "cannot read --etcd-password-file " + passwordFile + ": " + e.getMessage(), e);
      }
    }
    if (user != null && password.isEmpty()) {
      throw new IllegalArgumentException("--etcd-user needs --etcd-password-file");
    }
    return new EtcdStoreConfig(
        endpoints,
        etcdPrefix,
        EtcdStoreConfig.DEFAULT_TIMEOUT,
        EtcdStoreConfig.DEFAULT_MAX_BATCH_OPS,
        EtcdStoreConfig.DEFAULT_MAX_ATTEMPTS,
        path(etcdCa),
        path(etcdCert),
        path(etcdKey),
        Optional.ofNullable(user),
        password);
  }

  private static boolean blank(Path p) {
    return p == null || p.toString().isBlank();
  }

  private static Optional<Path> path(Path p) {
    return blank(p) ? Optional.empty() : Optional.of(p);
  }

  private static URI uri(String s) {
    try {
      return URI.create(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--etcd: \"" + s + "\" is not a URL", e);
    }
  }

  /**
   * Opens the configured store. The embedded store locks its directory: a second process is
   * refused.
   */
  public StateStore open() {
    return usesEtcd() ? EtcdStateStore.connect(etcdConfig()) : FileStateStore.open(stateDir);
  }

  /** For logs and error messages. */
  public String describe() {
    return usesEtcd() ? "etcd " + etcd + " prefix " + etcdPrefix : "embedded store in " + stateDir;
  }
}
