/**
 * `@preloop/console-elements/server`: serve the whole console from a Preloop
 * server (Node). Mount {@link createConsoleHandler} at `/` next to the admin API.
 *
 * @example
 * ```ts
 * import { createConsoleHandler } from '@preloop/console-elements/server';
 * const consoleHandler = createConsoleHandler();
 * ```
 *
 * @packageDocumentation
 */
export { createConsoleHandler } from './server/create-console-handler.js';
export type { ConsoleHandler, ConsoleHandlerOptions } from './server/create-console-handler.js';
export { buildConsoleBundle } from './server/build-console-bundle.js';
export type { BuildConsoleBundleOptions, ConsoleAsset, ConsoleBundle } from './server/build-console-bundle.js';
export { consolePage } from './server/console-page.js';
export type { ConsolePageOptions } from './server/console-page.js';
export { createApproveAppHandler } from './server/create-approve-app-handler.js';
export type { ApproveAppHandler, ApproveAppHandlerOptions } from './server/create-approve-app-handler.js';
export { buildApproveApp } from './server/build-approve-app.js';
export type { ApproveAppBundle } from './server/build-approve-app.js';
