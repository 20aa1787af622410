package org.clusteripam.daemon;

import org.clusteripam.daemon.cli.CheckCommand;
import org.clusteripam.daemon.cli.LbStateCommand;
import org.clusteripam.daemon.cli.PlanCommand;
import org.clusteripam.daemon.cli.ReclaimHostCommand;
import org.clusteripam.daemon.cli.ReleaseCommand;
import org.clusteripam.daemon.cli.ShowCommand;
import org.clusteripam.daemon.serve.ServeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ipam-daemon.jar}: one picocli command per operator task. */
@Command(
    name = "cluster-ipam",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Cluster-wide IP address management for Docker and Swarm.",
    subcommands = {
      ServeCommand.class,
      ShowCommand.class,
      CheckCommand.class,
      ReleaseCommand.class,
      ReclaimHostCommand.class,
      PlanCommand.class,
      LbStateCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code (tests call this instead of main). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }
}
