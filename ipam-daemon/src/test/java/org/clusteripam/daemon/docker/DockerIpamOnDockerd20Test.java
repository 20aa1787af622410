package org.clusteripam.daemon.docker;

import java.nio.file.Path;

/**
 * The steps of {@link DockerIpamTest} on Debian 12's dockerd 20.10.24 with its own containerd and
 * CLI: the plugin keeps working on the older engine. Two steps are left to the default engine: they
 * are overridden here without {@code @Test}, which JUnit does not run. The lost-release step (the
 * slowest: two dockerd stops) passed on 20.10 for as long as 20.10 was the only engine of the
 * tests, and the offline CLI step talks to the store, not to dockerd.
 */
class DockerIpamOnDockerd20Test extends DockerIpamTest {
  @Override
  Engine engine() {
    return Engine.debian12();
  }

  @Override
  void releasesLostWhileTheDaemonWasDownAreReclaimed() {
    // left to DockerIpamTest on the default engine (see the class comment)
  }

  @Override
  void cliCheckReleaseAndReclaimHost(Path tmp) {
    // left to DockerIpamTest on the default engine (see the class comment)
  }
}
