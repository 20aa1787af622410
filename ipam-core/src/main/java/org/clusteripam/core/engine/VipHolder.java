package org.clusteripam.core.engine;

import java.util.Optional;
import org.clusteripam.core.ipam.InvalidRequestException;
import org.clusteripam.core.ipam.Names;

/**
 * The holder name under which a service VIP is stored: {@code @vip/<host>/<service>}. Like
 * {@code @global} it is not a valid host id, so code that looks for a host's own endpoints (the
 * daemon's reconciliation) never mistakes a VIP for a leaked container address, and the service id
 * makes a repeated request find its VIP.
 */
record VipHolder(String host, String service) {
  static final String PREFIX = "@vip/";

  static String of(String host, String service) {
    return PREFIX + host + "/" + service;
  }

  /** Whether {@code holder} is a VIP of {@code host}. */
  static boolean isOf(String holder, String host) {
    return holder.startsWith(PREFIX) && holder.length() > PREFIX.length() + host.length() + 1
        && holder.startsWith(host, PREFIX.length()) && holder.charAt(PREFIX.length() + host.length()) == '/';
  }

  static Optional<VipHolder> parse(String holder) {
    if (!holder.startsWith(PREFIX)) {
      return Optional.empty();
    }
    int slash = holder.indexOf('/', PREFIX.length());
    if (slash < 0) {
      return Optional.empty();
    }
    return Optional.of(new VipHolder(holder.substring(PREFIX.length(), slash), holder.substring(slash + 1)));
  }

  /** Swarm service ids are 25 alphanumerics; names are allowed too, without '/' or spaces. */
  static void checkServiceId(String id) {
    if (!Names.isValid(id, 128)) {
      throw new InvalidRequestException(Names.problem("service id", 128, id));
    }
  }
}
