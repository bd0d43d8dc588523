/**
 * Node adapters: mount any Preloop handler (admin API, MCP, gateway) in Node's
 * `http`, Express or Fastify. Import from `@preloop/core/node`.
 *
 * @packageDocumentation
 */
export { toNodeHandler, toWebRequest, writeWebResponse } from './node/to-node-handler.js';
export type { NodeHandler, NodeHandlerOptions, WebHandler } from './node/to-node-handler.js';
export { fromHostBodyParser } from './node/node-request-body.js';
export { serve } from './node/serve.js';
export type { RunningServer, ServeOptions } from './node/serve.js';
export { resolveLocalSetup } from './node/local-setup.js';
export type { LocalSetup } from './node/local-setup.js';
