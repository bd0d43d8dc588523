/**
 * `<preloop-console>` alone: registers it (under its default tag, unless the page
 * registered the class already) without the other elements, for a portal
 * that uses only this one. Also exports the class and `PreloopClient`.
 *
 * @example
 * ```ts
 * import { PreloopClient } from '@preloop/console-elements/elements/preloop-console';
 * document.querySelector('preloop-console')!.client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 * ```
 *
 * @packageDocumentation
 */
import { PreloopConsole } from '../components/preloop-console/preloop-console.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopConsole, 'preloop-console');

export { PreloopConsole };
export { PreloopClient } from '../client/preloop-client.js';
