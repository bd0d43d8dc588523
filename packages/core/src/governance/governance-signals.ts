import type { AccountCacheSignal } from '../bus/account-cache.js';

/** The Bus channel on which governance changes are announced to every instance. */
export const governanceBusChannel = 'governance';

/** A governance change announcement. */
export interface GovernanceSignal extends AccountCacheSignal {
  kind: 'policy' | 'kill-switch';
}
