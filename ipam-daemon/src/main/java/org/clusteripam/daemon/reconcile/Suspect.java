package org.clusteripam.daemon.reconcile;

import java.time.Instant;

/**
 * A store record seen without its Docker counterpart: when first, how many consecutive passes, and
 * at which store revision (a record rewritten since is a different allocation and starts over).
 */
public record Suspect(Instant firstSeen, int sightings, long modRevision) {}
