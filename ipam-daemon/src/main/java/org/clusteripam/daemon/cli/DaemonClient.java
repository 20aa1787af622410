package org.clusteripam.daemon.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.clusteripam.daemon.store.StoreOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Read-only commands against a running daemon: the embedded store is locked by the process serving
 * it, so {@code show} and {@code check} ask that daemon over its (loopback) metrics HTTP server.
 */
final class DaemonClient {
  private DaemonClient() {}

  /** Whether another process holds the embedded store's directory lock. */
  static boolean locked(StoreOptions store) {
    Path lock = store.stateDir.resolve("lock");
    if (!Files.exists(lock)) {
      return false;
    }
    try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE)) {
      FileLock l = ch.tryLock();
      if (l == null) {
        return true;
      }
      l.release();
      return false;
    } catch (IOException | java.nio.channels.OverlappingFileLockException e) {
      return true;
    }
  }

  static String get(CommandSpec spec, String daemonUrl, String path) {
    URI uri = URI.create(daemonUrl.replaceAll("/+$", "") + path);
    try {
      HttpResponse<String> r =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(3))
              .build()
              .send(
                  HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET().build(),
                  HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new ParameterException(
            spec.commandLine(),
            "the daemon at " + daemonUrl + " answered " + r.statusCode() + ": " + r.body().strip());
      }
      return r.body();
    } catch (IOException e) {
      throw new ParameterException(
          spec.commandLine(),
          "the embedded store is locked by a running daemon, and that daemon does not answer at "
              + daemonUrl
              + " ("
              + e
              + "); pass its --metrics address with --daemon-url",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ParameterException(spec.commandLine(), "interrupted", e);
    }
  }
}
