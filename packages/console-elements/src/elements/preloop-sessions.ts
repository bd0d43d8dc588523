/**
 * `<preloop-sessions>` alone: registers it (under its default tag, unless the page
 * registered the class already) without the other elements, for a portal
 * that uses only this one. Also exports the class and `PreloopClient`.
 *
 * @example
 * ```ts
 * import { PreloopClient } from '@preloop/console-elements/elements/preloop-sessions';
 * document.querySelector('preloop-sessions')!.client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 * ```
 *
 * @packageDocumentation
 */
import { PreloopSessions } from '../components/preloop-sessions/preloop-sessions.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopSessions, 'preloop-sessions');

export { PreloopSessions };
export { PreloopClient } from '../client/preloop-client.js';
