/**
 * `<preloop-flows>` alone: registers it (under its default tag, unless the page
 * registered the class already) without the other elements, for a portal
 * that uses only this one. Also exports the class and `PreloopClient`.
 *
 * @example
 * ```ts
 * import { PreloopClient } from '@preloop/console-elements/elements/preloop-flows';
 * document.querySelector('preloop-flows')!.client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 * ```
 *
 * @packageDocumentation
 */
import { PreloopFlows } from '../components/preloop-flows/preloop-flows.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopFlows, 'preloop-flows');

export { PreloopFlows };
export { PreloopClient } from '../client/preloop-client.js';
