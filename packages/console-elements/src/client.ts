/**
 * `@preloop/console-elements/client`: the typed admin API client and the live
 * event stream alone, without Lit or any element.
 *
 * @example
 * ```ts
 * import { PreloopClient } from '@preloop/console-elements/client';
 * const client = new PreloopClient({ baseUrl: 'https://preloop.internal', token: process.env.PRELOOP_API_KEY });
 * ```
 *
 * @packageDocumentation
 */
export { PreloopClient, collectPages } from './client/preloop-client.js';
export type {
  AdminRoute,
  AdminRoutes,
  CoreRoute,
  PreloopClientOptions,
  RequestOptions,
  RouteInput,
  RouteQuery,
  RouteResponse,
} from './client/preloop-client.js';
export { PreloopApiError, isRouteMissing, toApiError } from './client/preloop-api-error.js';
export { LiveEvents } from './client/live-events.js';
export type {
  LiveEventName,
  LiveEventPayload,
  LiveEventsOptions,
  LiveStatus,
  OpenStream,
  PreloopLiveEventMap,
} from './client/live-events.js';
export { createSseParser } from './client/sse-parser.js';
export type { ServerSentEvent } from './client/sse-parser.js';
export * from './client/api-types.js';
