package org.clusteripam.core.reconcile;

import java.time.Instant;

/**
 * A store record seen without its Docker counterpart: when first, in how many consecutive passes,
 * and which generation of the record (a record re-allocated since is new and starts over).
 */
public record Suspect(Instant firstSeen, int sightings, long generation) {}
