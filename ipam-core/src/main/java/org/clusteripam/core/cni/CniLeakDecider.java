package org.clusteripam.core.cni;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.clusteripam.core.reconcile.LeakDecider;
import org.clusteripam.core.reconcile.Suspect;

/**
 * The pure decision of CNI reconciliation: an attachment whose DEL never came is a leak when its
 * network namespace is gone or it was added under an earlier boot of the host. Like {@link
 * LeakDecider}, a leak is released only after {@link LeakDecider#SIGHTINGS} consecutive sightings
 * of the same attachment (same {@code sinceMillis}) spanning the grace period; the caller re-checks
 * the namespace just before a conditional release.
 */
public final class CniLeakDecider {
  private CniLeakDecider() {}

  /** Why an attachment looks leaked. */
  public enum Reason {
    NETNS_GONE("its network namespace is gone"),
    EARLIER_BOOT("it was added before the host's last boot");

    private final String text;

    Reason(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  public record Leak(Attachment attachment, Reason reason) {}

  /**
   * @param leaks every attachment that looks leaked in this pass
   * @param releasable those whose guards all hold
   * @param suspects the sightings to pass to the next call
   */
  public record Decision(List<Leak> leaks, List<Leak> releasable, Map<String, Suspect> suspects) {
    public Decision {
      leaks = List.copyOf(leaks);
      releasable = List.copyOf(releasable);
      suspects = Map.copyOf(suspects);
    }
  }

  /**
   * @param netnsPresent the netns paths (of {@code attachments}) that exist now
   * @param bootId this host's current boot id
   */
  public static Decision decide(
      List<Attachment> attachments,
      Set<String> netnsPresent,
      String bootId,
      Map<String, Suspect> previous,
      Instant now,
      Duration grace) {
    List<Leak> leaks = new ArrayList<>();
    List<Leak> releasable = new ArrayList<>();
    Map<String, Suspect> suspects = new HashMap<>();
    for (Attachment a : attachments) {
      Reason why = reason(a, netnsPresent, bootId);
      if (why == null) {
        continue;
      }
      Leak leak = new Leak(a, why);
      leaks.add(leak);
      String key = CniKeys.key(a.host(), a.id());
      Suspect before = previous.get(key);
      Suspect current =
          before != null && before.generation() == a.sinceMillis()
              ? new Suspect(before.firstSeen(), before.sightings() + 1, a.sinceMillis())
              : new Suspect(now, 1, a.sinceMillis());
      suspects.put(key, current);
      if (current.sightings() >= LeakDecider.SIGHTINGS
          && !current.firstSeen().plus(grace).isAfter(now)) {
        releasable.add(leak);
      }
    }
    return new Decision(leaks, releasable, suspects);
  }

  /** Why {@code a} looks leaked, or null when it does not. */
  public static Reason reason(Attachment a, Set<String> netnsPresent, String bootId) {
    if (!a.bootId().isEmpty() && !bootId.isEmpty() && !a.bootId().equals(bootId)) {
      return Reason.EARLIER_BOOT;
    }
    if (!a.netns().isEmpty() && !netnsPresent.contains(a.netns())) {
      return Reason.NETNS_GONE;
    }
    return null;
  }
}
