/**
 * `<preloop-agents>` alone: registers it (under its default tag, unless the page
 * registered the class already) without the other elements, for a portal
 * that uses only this one. Also exports the class and `PreloopClient`.
 *
 * @example
 * ```ts
 * import { PreloopClient } from '@preloop/console-elements/elements/preloop-agents';
 * document.querySelector('preloop-agents')!.client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 * ```
 *
 * @packageDocumentation
 */
import { PreloopAgents } from '../components/preloop-agents/preloop-agents.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopAgents, 'preloop-agents');

export { PreloopAgents };
export { PreloopClient } from '../client/preloop-client.js';
