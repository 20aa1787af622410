package org.clusteripam.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.clusteripam.core.store.StoreUnavailableException;
import org.clusteripam.testkit.TempDirs;
import org.clusteripam.testkit.etcd.EtcdProcess;
import org.clusteripam.testkit.store.StateStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real etcd serving mutual TLS with authentication enabled; certificates made with openssl. */
class EtcdSecurityTest {
  private static Path pki;
  private static EtcdProcess etcd;

  @BeforeAll
  static void startSecureEtcd() throws Exception {
    pki = TempDirs.create("pki");
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=test-ca");
    issue("server", "subjectAltName=IP:127.0.0.1");
    issue("client", "extendedKeyUsage=clientAuth");
    etcd =
        EtcdProcess.start(
            "https",
            List.of(
                "--cert-file",
                pki.resolve("server.pem").toString(),
                "--key-file",
                pki.resolve("server.key").toString(),
                "--client-cert-auth",
                "--trusted-ca-file",
                pki.resolve("ca.pem").toString()));
    try (Client admin = tlsClient().build()) {
      StateStoreContract.awaitTrue(
          () -> {
            try {
              admin.getKVClient().get(ByteSequence.from("x", UTF_8)).get(2, TimeUnit.SECONDS);
              return true;
            } catch (Exception notYet) {
              return false;
            }
          });
      var auth = admin.getAuthClient();
      ByteSequence root = ByteSequence.from("root", UTF_8);
      auth.userAdd(root, ByteSequence.from("s3cret", UTF_8)).get(5, TimeUnit.SECONDS);
      auth.roleAdd(root).get(5, TimeUnit.SECONDS);
      auth.userGrantRole(root, root).get(5, TimeUnit.SECONDS);
      auth.authEnable().get(5, TimeUnit.SECONDS);
    }
  }

  private static io.etcd.jetcd.ClientBuilder tlsClient() throws Exception {
    return Client.builder()
        .endpoints(etcd.endpoint())
        .sslContext(
            b ->
                b.trustManager(pki.resolve("ca.pem").toFile())
                    .keyManager(
                        pki.resolve("client.pem").toFile(), pki.resolve("client.key").toFile()));
  }

  private static void issue(String name, String ext) throws Exception {
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        name + ".key",
        "-out",
        name + ".csr",
        "-subj",
        "/CN=" + name);
    Files.writeString(pki.resolve(name + ".ext"), ext + "\n");
    openssl(
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        name + ".pem",
        "-days",
        "2",
        "-extfile",
        name + ".ext");
  }

  private static void openssl(String... args) throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(pki.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("openssl " + String.join(" ", args) + " failed: " + out);
    }
  }

  @AfterAll
  static void stop() {
    try {
      if (etcd != null) {
        etcd.close();
      }
    } finally {
      TempDirs.delete(pki);
    }
  }

  private static EtcdStoreConfig secure() {
    return EtcdStoreConfig.of(etcd.endpoint())
        .withPrefix("/secure/")
        .withTimeout(Duration.ofSeconds(3))
        .withTls(pki.resolve("ca.pem"), pki.resolve("client.pem"), pki.resolve("client.key"));
  }

  @Test
  void mutualTlsWithUserAndPasswordWorks() {
    try (EtcdStateStore s = EtcdStateStore.connect(secure().withAuth("root", "s3cret"))) {
      StateStoreContract.put(s, "pools/a", "1");
      assertThat(StateStoreContract.read(s, "pools/a")).contains("1");
      s.keepAlive("hosts/h1", "up".getBytes(UTF_8), Duration.ofSeconds(5));
      assertThat(s.list("hosts/")).containsKey("hosts/h1");
    }
  }

  @Test
  void aWrongPasswordIsRefused() {
    assertThatThrownBy(() -> EtcdStateStore.connect(secure().withAuth("root", "wrong")).close())
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("/secure/");
  }

  @Test
  void noCredentialsIsRefused() {
    assertThatThrownBy(() -> EtcdStateStore.connect(secure()).close())
        .isInstanceOf(StoreUnavailableException.class);
  }
}
