/**
 * `<preloop-approval-queue>` alone: registers it (under its default tag, unless the page
 * registered the class already) without the other elements, for a portal
 * that uses only this one. Also exports the class and `PreloopClient`.
 *
 * @example
 * ```ts
 * import { PreloopClient } from '@preloop/console-elements/elements/preloop-approval-queue';
 * document.querySelector('preloop-approval-queue')!.client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 * ```
 *
 * @packageDocumentation
 */
import { PreloopApprovalQueue } from '../components/preloop-approval-queue/preloop-approval-queue.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopApprovalQueue, 'preloop-approval-queue');

export { PreloopApprovalQueue };
export { PreloopClient } from '../client/preloop-client.js';
