/**
 * `<preloop-approve-app>` alone: registers it (under its default tag, unless the page
 * registered the class already) without the other elements. Also exports the class and `PreloopClient`.
 *
 * @example
 * ```ts
 * import '@preloop/console-elements/elements/preloop-approve-app';
 * ```
 *
 * @packageDocumentation
 */
import { PreloopApproveApp } from '../components/preloop-approve-app/preloop-approve-app.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopApproveApp, 'preloop-approve-app');

export { PreloopApproveApp };
export { PreloopClient } from '../client/preloop-client.js';
