/**
 * `<preloop-audit-log>` alone: registers it (under its default tag, unless the page
 * registered the class already) without the other elements, for a portal
 * that uses only this one. Also exports the class and `PreloopClient`.
 *
 * @example
 * ```ts
 * import { PreloopClient } from '@preloop/console-elements/elements/preloop-audit-log';
 * document.querySelector('preloop-audit-log')!.client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 * ```
 *
 * @packageDocumentation
 */
import { PreloopAuditLog } from '../components/preloop-audit-log/preloop-audit-log.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopAuditLog, 'preloop-audit-log');

export { PreloopAuditLog };
export { PreloopClient } from '../client/preloop-client.js';
