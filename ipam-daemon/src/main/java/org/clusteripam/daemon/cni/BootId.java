package org.clusteripam.daemon.cni;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This host's boot id: attachments recorded under another one were added before the last boot. */
public final class BootId {
  private static final Path FILE = Path.of("/proc/sys/kernel/random/boot_id");

  private BootId() {}

  public static String read() {
    try {
      return Files.readString(FILE).strip();
    } catch (IOException e) {
      return ""; // unknown: the boot rule is off, the netns rule still applies
    }
  }
}
