package org.clusteripam.cni;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The CNI_* environment of one invocation.
 *
 * @param args {@code CNI_ARGS} split into its {@code KEY=VALUE} pairs (in order)
 */
public record CniEnv(
    String command,
    Optional<String> containerId,
    Optional<String> netns,
    Optional<String> ifname,
    Map<String, String> args) {
  public CniEnv {
    args = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(args));
  }

  public static CniEnv parse(Map<String, String> env) {
    String command = env.getOrDefault("CNI_COMMAND", "");
    if (command.isEmpty()) {
      throw new CniFailure(CniFailure.INVALID_ENVIRONMENT, "CNI_COMMAND is not set");
    }
    Map<String, String> args = new LinkedHashMap<>();
    String raw = env.getOrDefault("CNI_ARGS", "");
    for (String pair : raw.split(";")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new CniFailure(
            CniFailure.INVALID_ENVIRONMENT,
            "CNI_ARGS: invalid pair \"" + pair + "\" (want KEY=VALUE;KEY=VALUE)");
      }
      args.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return new CniEnv(
        command,
        nonEmpty(env.get("CNI_CONTAINERID")),
        nonEmpty(env.get("CNI_NETNS")),
        nonEmpty(env.get("CNI_IFNAME")),
        args);
  }

  private static Optional<String> nonEmpty(String s) {
    return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
  }

  public String requireContainerId() {
    return containerId.orElseThrow(
        () -> new CniFailure(CniFailure.INVALID_ENVIRONMENT, "CNI_CONTAINERID is not set"));
  }

  public String requireIfname() {
    return ifname.orElseThrow(
        () -> new CniFailure(CniFailure.INVALID_ENVIRONMENT, "CNI_IFNAME is not set"));
  }
}
