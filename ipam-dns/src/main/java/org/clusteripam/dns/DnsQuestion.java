package org.clusteripam.dns;

import java.util.Objects;

/**
 * The one question of a query: the name as asked (labels joined by dots, no trailing dot), its type
 * ({@link #A}, {@link #AAAA}, or any other number) and class.
 */
public record DnsQuestion(String name, int type, int qclass) {
  public static final int A = 1;
  public static final int AAAA = 28;
  public static final int IN = 1;

  public DnsQuestion {
    Objects.requireNonNull(name, "name");
  }
}
