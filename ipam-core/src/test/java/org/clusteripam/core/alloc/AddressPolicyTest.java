package org.clusteripam.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.junit.jupiter.api.Test;

class AddressPolicyTest {
  static final IpPrefix POOL = IpPrefix.parse("10.1.0.0/24");

  @Test
  void theBuiltInPoliciesAreTheBooleanForms() {
    BlockAllocator a = new BlockAllocator(POOL, POOL, Optional.empty(), 0);
    assertThat(a.allocate(StandardAddressPolicy.LOWEST_FREE, 0))
        .contains(IpAddress.parse("10.1.0.1"));
    assertThat(a.allocate(StandardAddressPolicy.LOWEST_FREE, 0))
        .contains(IpAddress.parse("10.1.0.2"));
    a.release(IpAddress.parse("10.1.0.1"), 0);
    assertThat(a.allocate(StandardAddressPolicy.SERIAL, 0)).contains(IpAddress.parse("10.1.0.3"));
    assertThat(a.allocate(false, 0)).contains(IpAddress.parse("10.1.0.1"));
  }

  @Test
  void aCustomPolicyChoosesAndSeesTheDynamicRange() {
    BlockAllocator a =
        new BlockAllocator(POOL, POOL, Optional.of(IpPrefix.parse("10.1.0.128/25")), 0);
    AddressPolicy highest =
        c -> {
          for (long o = c.last(); o >= c.first(); o--) {
            if (c.isFree(o)) {
              return o;
            }
          }
          return -1;
        };
    // .255 is the broadcast
    assertThat(a.allocate(highest, 0)).contains(IpAddress.parse("10.1.0.254"));
    // clamped to the range
    assertThat(a.allocate(c -> c.nextFree(0, 200), 0)).contains(IpAddress.parse("10.1.0.128"));
    assertThat(a.allocate(c -> -1, 0)).isEmpty();
  }

  @Test
  void aPickOfAUsedReservedCoolingOrOutOfRangeAddressIsRefusedAndChangesNothing() {
    BlockAllocator a =
        new BlockAllocator(POOL, POOL, Optional.of(IpPrefix.parse("10.1.0.0/25")), 60_000);
    a.take(IpAddress.parse("10.1.0.5"));
    a.take(IpAddress.parse("10.1.0.6"));
    a.release(IpAddress.parse("10.1.0.6"), 1000);
    for (long bad : new long[] {0, 5, 6, 200, 255}) {
      assertThatThrownBy(() -> a.allocate(c -> bad, 2000))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("picked");
    }
    assertThat(a.usedCount()).isEqualTo(1);
    assertThat(a.allocate(c -> 6, 61_000)).contains(IpAddress.parse("10.1.0.6")); // cooled down
  }
}
