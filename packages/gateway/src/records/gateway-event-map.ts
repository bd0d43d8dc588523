/**
 * The gateway's typed events, merged into the kernel's event map.
 *
 * @module
 */

/**
 * The gateway's events, by name, with their payloads: merged into the kernel's
 * event map below, and sent to the console by the live stream (`GET /events`).
 */
export interface GatewayEventMap {
  /** A model call's usage record was stored. */
  'gateway-usage-recorded': {
    accountId: string;
    usageId: string;
    alias: string;
    status: string;
    costMicros: number | null;
    runtimeSessionId: string | null;
    /** The provider plugin's id (`openai`, `anthropic`, …). */
    provider?: string;
    /** A short machine-readable error (`upstream_rate_limited`, …), or null. */
    errorCode?: string | null;
    inputTokens?: number;
    outputTokens?: number;
  };
  /** A budget's settled spend crossed its soft limit (once per period, across instances). */
  'gateway-budget-soft-limit': { accountId: string; budgetId: string; periodStart: number; spentMicros: number };
  /** A call was refused because it could take a budget past its hard limit. */
  'gateway-budget-exceeded': { accountId: string; budgetId: string; alias: string; principalId: string };
}

declare module '@preloop/core' {
  interface PreloopEventMap extends GatewayEventMap {}
}
