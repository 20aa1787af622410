package org.clusteripam.daemon.docker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Docker engine the real-dockerd tests run on: its dockerd, its CLI and the directory that goes
 * first in PATH (so dockerd starts the containerd and docker-proxy of the same release). Two exist:
 * {@link #docker28()}, Debian unstable's 28.5 unpacked under the build cache by {@code
 * scripts/prereqs/engines.sh} (the tests' default), and {@link #debian12()}, the system's 20.10.
 * {@code -Dclusteripam.engine=20.10} makes the system engine the default.
 */
public final class Engine {
  /** The repository root: surefire runs in the module directory, one level below it. */
  static final Path PROJECT =
      Path.of(System.getProperty("clusteripam.root", "..")).toAbsolutePath().normalize();

  private static final Path SCRIPT = PROJECT.resolve("scripts/prereqs/engines.sh");
  private static Engine docker28;
  private static Engine debian12;

  private final String name;
  private final Path dockerd;
  private final Path cli;
  private final Path binDir;
  private final Path cliPlugins;
  private String version;

  private Engine(String name, Path dockerd, Path cli, Path binDir, Path cliPlugins) {
    this.name = name;
    this.dockerd = dockerd;
    this.cli = cli;
    this.binDir = binDir;
    this.cliPlugins = cliPlugins;
  }

  /** The engine of a test that names none: 28.5 unless {@code -Dclusteripam.engine=20.10}. */
  public static Engine byDefault() {
    String want = System.getProperty("clusteripam.engine", "28.5");
    return switch (want) {
      case "28.5", "28" -> docker28();
      case "20.10", "20", "system" -> debian12();
      default ->
          throw new IllegalArgumentException("clusteripam.engine=" + want + ": use 28.5 or 20.10");
    };
  }

  /** Debian 12's dockerd 20.10.24 with its own CLI and containerd. */
  public static synchronized Engine debian12() {
    if (debian12 == null) {
      for (String tool : List.of("/usr/sbin/dockerd", "/usr/bin/docker")) {
        if (!Files.isExecutable(Path.of(tool))) {
          throw new AssertionError(
              tool + " is missing: run scripts/install-test-prereqs.sh (docker.io)");
        }
      }
      debian12 =
          new Engine("20.10", Path.of("/usr/sbin/dockerd"), Path.of("/usr/bin/docker"), null, null);
    }
    return debian12;
  }

  /**
   * Debian unstable's dockerd 28.5, containerd 2.1, CLI and Compose: the directory given by {@code
   * -Dclusteripam.engine.dir}, else the build cache's, which {@code scripts/prereqs/engines.sh}
   * fills (run here when it is missing; quick when present).
   */
  public static synchronized Engine docker28() {
    if (docker28 == null) {
      String given = System.getProperty("clusteripam.engine.dir", "");
      Path dir = given.isBlank() ? prepare() : Path.of(given);
      Path bin = dir.resolve("bin");
      if (!Files.isExecutable(bin.resolve("dockerd"))
          || !Files.isExecutable(bin.resolve("docker"))) {
        throw new AssertionError(dir + " holds no dockerd 28.5: run scripts/prereqs/engines.sh");
      }
      docker28 =
          new Engine(
              "28.5",
              bin.resolve("dockerd"),
              bin.resolve("docker"),
              bin,
              dir.resolve("cli-plugins"));
    }
    return docker28;
  }

  private static Path prepare() {
    try {
      Process p = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new AssertionError(SCRIPT + " failed: " + out);
      }
      List<String> lines = out.strip().lines().toList();
      return Path.of(lines.get(lines.size() - 1));
    } catch (IOException e) {
      throw new AssertionError("cannot run " + SCRIPT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** {@code 28.5} or {@code 20.10}. */
  public String name() {
    return name;
  }

  public Path dockerd() {
    return dockerd;
  }

  public Path cli() {
    return cli;
  }

  /**
   * The Compose v2 CLI plugin directory ({@code DOCKER_CONFIG/cli-plugins}), for engines that bring
   * one.
   */
  public Path cliPlugins() {
    if (cliPlugins == null) {
      throw new AssertionError(
          "engine " + name + " brings no Compose plugin: use Engine.docker28()");
    }
    return cliPlugins;
  }

  /**
   * The first line of {@code dockerd --version}, e.g. {@code Docker version 28.5.2+dfsg4, build
   * 3ef3c07}.
   */
  public synchronized String version() {
    if (version == null) {
      try {
        Process p =
            new ProcessBuilder(dockerd.toString(), "--version").redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new AssertionError(dockerd + " --version failed: " + out);
        }
        version = out.lines().findFirst().orElse(out);
      } catch (IOException e) {
        throw new AssertionError("cannot run " + dockerd, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
    return version;
  }

  /** Puts this engine's directory first in PATH of a process about to start dockerd or the CLI. */
  public void applyTo(Map<String, String> env) {
    if (binDir != null) {
      env.put(
          "PATH",
          binDir
              + ":"
              + env.getOrDefault(
                  "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
    }
  }

  /** Prints which engine a test runs on: the line lands in the test's report (its system-out). */
  public void announce(String who) {
    System.out.println("[engine] " + who + " runs on dockerd " + name + ": " + version());
  }

  @Override
  public String toString() {
    return "dockerd " + name;
  }
}
