/**
 * `<preloop-login>` alone: registers it (under its default tag, unless the page
 * registered the class already) without the other elements, for a portal
 * that uses only this one. Also exports the class and `PreloopClient`.
 *
 * @example
 * ```ts
 * import { PreloopClient } from '@preloop/console-elements/elements/preloop-login';
 * document.querySelector('preloop-login')!.client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 * ```
 *
 * @packageDocumentation
 */
import { PreloopLogin } from '../components/preloop-login/preloop-login.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopLogin, 'preloop-login');

export { PreloopLogin };
export { PreloopClient } from '../client/preloop-client.js';
