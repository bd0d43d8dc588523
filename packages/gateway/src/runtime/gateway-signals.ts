/**
 * Cross-instance cache invalidation for the gateway: a change to an account's
 * model aliases or budgets is announced on the Bus, and every instance drops
 * its cached copy; entries also expire after a TTL so a lost signal heals.
 *
 * @module
 */

import type { AccountCacheSignal } from '@preloop/core/internal';

/** The Bus channel of gateway configuration changes. */
export const gatewayBusChannel = 'gateway';

/** A gateway configuration change. */
export interface GatewaySignal extends AccountCacheSignal {
  kind: 'models' | 'budgets';
}
