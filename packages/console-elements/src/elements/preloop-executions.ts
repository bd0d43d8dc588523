/**
 * `<preloop-executions>` alone: registers it (under its default tag, unless the page
 * registered the class already) without the other elements, for a portal
 * that uses only this one. Also exports the class and `PreloopClient`.
 *
 * @example
 * ```ts
 * import { PreloopClient } from '@preloop/console-elements/elements/preloop-executions';
 * document.querySelector('preloop-executions')!.client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 * ```
 *
 * @packageDocumentation
 */
import { PreloopExecutions } from '../components/preloop-executions/preloop-executions.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopExecutions, 'preloop-executions');

export { PreloopExecutions };
export { PreloopClient } from '../client/preloop-client.js';
