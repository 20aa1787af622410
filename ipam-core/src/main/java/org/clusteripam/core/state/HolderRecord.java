package org.clusteripam.core.state;

import java.util.Optional;
import org.clusteripam.core.ipam.Holder;

/**
 * Key {@code holders/<pool>/<holder>}: {@code holder} holds the pool. Created by its RequestPool,
 * deleted by its ReleasePool; only that holder writes it.
 *
 * @param replayFrom when (ms since the epoch) the holder last re-requested the pool while already
 *     holding it (a dockerd restore): for the replay window after that, its requests for addresses
 *     it already holds are replays, not a second endpoint
 */
public record HolderRecord(Holder holder, Optional<Long> replayFrom) {}
