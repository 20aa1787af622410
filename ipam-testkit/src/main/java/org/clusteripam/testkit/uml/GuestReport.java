package org.clusteripam.testkit.uml;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a driver inside user-mode-linux reports to the host test: {@code <out>/report.txt}, one line
 * per check ("PASS name (ms): detail" or "FAIL name: stack trace"), then "SUMMARY passed/total".
 * The host test asserts on the report; the driver's exit code says whether any check failed.
 */
public final class GuestReport implements AutoCloseable {
  /** One check: returns a detail for the PASS line, throws to fail. */
  @FunctionalInterface
  public interface Check {
    String run() throws Exception;
  }

  private final PrintWriter out;
  private int failures;
  private int passes;

  private GuestReport(PrintWriter out) {
    this.out = out;
  }

  /** Opens {@code report.txt} in the result directory the host passed as the driver's argument. */
  public static GuestReport open(Path dir) throws IOException {
    return new GuestReport(
        new PrintWriter(
            Files.newBufferedWriter(dir.resolve("report.txt"), StandardCharsets.UTF_8), true));
  }

  /** Runs one check and writes its line; returns whether it passed. */
  public boolean check(String name, Check body) {
    long t0 = System.nanoTime();
    try {
      String detail = body.run();
      out.printf("PASS %s (%d ms): %s%n", name, (System.nanoTime() - t0) / 1_000_000, detail);
      passes++;
      return true;
    } catch (Throwable t) {
      fail(name, t);
      return false;
    } finally {
      out.flush();
    }
  }

  /** Reports {@code name} failed with {@code t} (e.g. the set-up before the checks). */
  public void fail(String name, Throwable t) {
    failures++;
    StringWriter sw = new StringWriter();
    t.printStackTrace(new PrintWriter(sw));
    out.printf("FAIL %s: %s%n", name, sw.toString().replace("\n", "\n    "));
    out.flush();
  }

  /** An indented line of diagnostics under the last check (what the guest saw when it failed). */
  public void note(String text) {
    out.println("  " + text.replace("\n", "\n  "));
    out.flush();
  }

  public int failures() {
    return failures;
  }

  /**
   * Writes the summary of {@code total} checks and ends the JVM: exit 0 when every one of them ran
   * and passed, 1 otherwise (a check that never ran counts as not passed).
   */
  public void finish(int total) {
    out.println("SUMMARY " + passes + "/" + total + " passed");
    out.flush();
    System.exit(failures == 0 && passes == total ? 0 : 1);
  }

  @Override
  public void close() {
    out.close();
  }
}
