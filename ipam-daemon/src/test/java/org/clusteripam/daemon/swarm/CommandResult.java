package org.clusteripam.daemon.swarm;

import java.util.List;

/**
 * What one external command did: its exit code and output. {@code exitCode} is -1 when it timed
 * out.
 */
public record CommandResult(
    List<String> command, int exitCode, String stdout, String stderr, boolean timedOut) {

  public boolean ok() {
    return exitCode == 0 && !timedOut;
  }

  /** stdout trimmed, or a failure that names the command and shows its stderr. */
  public String orThrow() {
    if (!ok()) {
      throw new CommandFailedException(this);
    }
    return stdout.strip();
  }

  /** Non-empty lines of stdout, stripped. */
  public List<String> lines() {
    return stdout.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  @Override
  public String toString() {
    return String.join(" ", command)
        + " -> "
        + (timedOut ? "timed out" : "exit " + exitCode)
        + (stderr.isBlank() ? "" : ": " + stderr.strip());
  }

  /** A command that was required to succeed did not. */
  public static final class CommandFailedException extends RuntimeException {
    private final transient CommandResult result;

    CommandFailedException(CommandResult result) {
      super(result.toString());
      this.result = result;
    }

    public CommandResult result() {
      return result;
    }
  }
}
