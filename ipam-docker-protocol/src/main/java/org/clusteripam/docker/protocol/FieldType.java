package org.clusteripam.docker.protocol;

/**
 * The JSON type a request field must have. Yasson coerces silently ({@code "V6": 1} becomes false,
 * {@code "Pool": 5} becomes "5"), so request bodies are type-checked against these before binding.
 */
enum FieldType {
  STRING("a string"),
  BOOLEAN("a boolean"),
  STRING_MAP("an object of string values");

  private final String description;

  FieldType(String description) {
    this.description = description;
  }

  String description() {
    return description;
  }
}
