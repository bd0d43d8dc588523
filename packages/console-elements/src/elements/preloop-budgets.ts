/**
 * `<preloop-budgets>` alone: registers it (under its default tag, unless the page
 * registered the class already) without the other elements, for a portal
 * that uses only this one. Also exports the class and `PreloopClient`.
 *
 * @example
 * ```ts
 * import { PreloopClient } from '@preloop/console-elements/elements/preloop-budgets';
 * document.querySelector('preloop-budgets')!.client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 * ```
 *
 * @packageDocumentation
 */
import { PreloopBudgets } from '../components/preloop-budgets/preloop-budgets.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopBudgets, 'preloop-budgets');

export { PreloopBudgets };
export { PreloopClient } from '../client/preloop-client.js';
