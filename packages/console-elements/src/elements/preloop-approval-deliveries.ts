/**
 * `<preloop-approval-deliveries>` alone: registers it (under its default tag, unless the page
 * registered the class already) without the other elements, for a portal
 * that uses only this one. Also exports the class and `PreloopClient`.
 *
 * @example
 * ```ts
 * import { PreloopClient } from '@preloop/console-elements/elements/preloop-approval-deliveries';
 * document.querySelector('preloop-approval-deliveries')!.client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 * ```
 *
 * @packageDocumentation
 */
import { PreloopApprovalDeliveries } from '../components/preloop-approval-deliveries/preloop-approval-deliveries.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopApprovalDeliveries, 'preloop-approval-deliveries');

export { PreloopApprovalDeliveries };
export { PreloopClient } from '../client/preloop-client.js';
