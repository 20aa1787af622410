package org.clusteripam.daemon.cni;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion with an environment and stdin; stdout and stderr apart. */
record Exec(int exit, String stdout, String stderr) {
  static Exec run(List<String> cmd, Map<String, String> env, String stdin, int timeoutSeconds)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    Process p = pb.start();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    try (var in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError("timed out after " + timeoutSeconds + " s: " + cmd);
    }
    return new Exec(p.exitValue(), out.join(), err.join());
  }

  static Exec sh(String command) throws IOException, InterruptedException {
    return run(List.of("sh", "-c", command), Map.of(), "", 60);
  }

  /** Like {@link #sh} but the command must succeed. */
  static String ok(String command) throws IOException, InterruptedException {
    Exec e = sh(command);
    if (e.exit() != 0) {
      throw new AssertionError(
          "`" + command + "` exited " + e.exit() + ": " + e.stdout() + e.stderr());
    }
    return e.stdout();
  }

  private static String read(java.io.InputStream s) {
    try {
      return new String(s.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
