/**
 * `<preloop-provider>` alone: registers it (under its default tag, unless the page
 * registered the class already) without the other elements, for a portal
 * that uses only this one. Also exports the class and `PreloopClient`.
 *
 * @example
 * ```ts
 * import { PreloopClient } from '@preloop/console-elements/elements/preloop-provider';
 * document.querySelector('preloop-provider')!.client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 * ```
 *
 * @packageDocumentation
 */
import { PreloopProvider } from '../components/preloop-provider/preloop-provider.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopProvider, 'preloop-provider');

export { PreloopProvider };
export { PreloopClient } from '../client/preloop-client.js';
