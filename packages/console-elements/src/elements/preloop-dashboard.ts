/**
 * `<preloop-dashboard>` alone: registers it (under its default tag, unless the page
 * registered the class already) without the other elements, for a portal
 * that uses only this one. Also exports the class and `PreloopClient`.
 *
 * @example
 * ```ts
 * import { PreloopClient } from '@preloop/console-elements/elements/preloop-dashboard';
 * document.querySelector('preloop-dashboard')!.client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 * ```
 *
 * @packageDocumentation
 */
import { PreloopDashboard } from '../components/preloop-dashboard/preloop-dashboard.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopDashboard, 'preloop-dashboard');

export { PreloopDashboard };
export { PreloopClient } from '../client/preloop-client.js';
