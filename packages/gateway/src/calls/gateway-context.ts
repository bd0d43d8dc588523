/**
 * What every handler function shares: the kernel, the gateway runtime, the
 * resolved options, the rate limiter and the upstream transport.
 *
 * @module
 */

import type { Preloop } from '@preloop/core';
import type { ResolvedGatewayOptions } from '../http/gateway-options.js';
import type { RateLimiter } from '../http/rate-limiter.js';
import type { GatewayRuntime } from '../runtime/gateway-runtime.js';
import type { UpstreamTransport } from './upstream-transport.js';

/** The shared state of one gateway handler. */
export interface GatewayContext {
  readonly preloop: Preloop;
  readonly runtime: GatewayRuntime;
  readonly options: ResolvedGatewayOptions;
  readonly limiter: RateLimiter;
  readonly transport: UpstreamTransport;
}
