package org.clusteripam.core.cni;

import java.util.Optional;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/** One address of an attachment: its pool, the block holding it, and the pool's gateway at ADD. */
public record AttachedIp(
    IpPrefix pool, IpPrefix block, IpAddress address, Optional<IpAddress> gateway) {}
