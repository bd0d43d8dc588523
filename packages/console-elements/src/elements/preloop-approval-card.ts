/**
 * `<preloop-approval-card>` alone: registers it (under its default tag, unless the page
 * registered the class already) without the other elements, for a portal
 * that uses only this one. Also exports the class and `PreloopClient`.
 *
 * @example
 * ```ts
 * import { PreloopClient } from '@preloop/console-elements/elements/preloop-approval-card';
 * document.querySelector('preloop-approval-card')!.client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 * ```
 *
 * @packageDocumentation
 */
import { PreloopApprovalCard } from '../components/preloop-approval-card/preloop-approval-card.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopApprovalCard, 'preloop-approval-card');

export { PreloopApprovalCard };
export { PreloopClient } from '../client/preloop-client.js';
