package org.clusteripam.lb;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** ../shared/ipvs/ipvsadm-vectors.txt (a copy in test resources): ipvsadm runs with their bytes. */
final class Vectors {
  record Frame(boolean send, byte[] bytes) {}

  record Run(String command, int rc, List<Frame> frames) {
    List<byte[]> sends() {
      return frames.stream().filter(Frame::send).map(Frame::bytes).toList();
    }

    List<byte[]> receives() {
      return frames.stream().filter(f -> !f.send()).map(Frame::bytes).toList();
    }
  }

  static List<Run> load() {
    try (InputStream in = Vectors.class.getResourceAsStream("/ipvs/ipvsadm-vectors.txt")) {
      return parse(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<Run> parse(String text) {
    List<Run> runs = new ArrayList<>();
    String command = null;
    int rc = 0;
    List<Frame> frames = null;
    Boolean send = null;
    int expected = 0;
    java.io.ByteArrayOutputStream bytes = null;
    for (String raw : (text + "\n=== end").split("\n")) {
      String line = raw.strip();
      boolean frameStart = line.startsWith("SEND ") || line.startsWith("RECV ");
      if ((frameStart || line.startsWith("=== ")) && bytes != null) {
        if (bytes.size() != expected) {
          throw new IllegalStateException(
              command + ": frame of " + bytes.size() + " != " + expected);
        }
        frames.add(new Frame(send, bytes.toByteArray()));
        bytes = null;
      }
      if (line.startsWith("=== ")) {
        if (command != null) {
          runs.add(new Run(command, rc, frames));
        }
        command = line.substring(4);
        frames = new ArrayList<>();
      } else if (line.startsWith("rc=")) {
        rc = Integer.parseInt(line.substring(3));
      } else if (frameStart) {
        send = line.startsWith("SEND");
        expected = Integer.parseInt(line.split(" ")[1]);
        bytes = new java.io.ByteArrayOutputStream();
      } else if (bytes != null && line.matches("[0-9a-f]{4}:.*")) {
        for (String hex : line.substring(5).trim().split("\\s+")) {
          bytes.write(Integer.parseInt(hex, 16));
        }
      }
    }
    return runs;
  }

  static Run run(String command, int occurrence) {
    int seen = 0;
    for (Run r : load()) {
      if (r.command().equals(command) && seen++ == occurrence) {
        return r;
      }
    }
    throw new IllegalArgumentException("no run " + command + " #" + occurrence);
  }

  static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < b.length; i++) {
      sb.append(i % 16 == 0 ? (i == 0 ? "" : "\n") : " ").append(String.format("%02x", b[i]));
    }
    return sb.toString();
  }

  private Vectors() {}
}
