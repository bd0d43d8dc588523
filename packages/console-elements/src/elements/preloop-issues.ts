/**
 * `<preloop-issues>` alone: registers it (under its default tag, unless the page
 * registered the class already) without the other elements, for a portal
 * that uses only this one. Also exports the class and `PreloopClient`.
 *
 * @example
 * ```ts
 * import { PreloopClient } from '@preloop/console-elements/elements/preloop-issues';
 * document.querySelector('preloop-issues')!.client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 * ```
 *
 * @packageDocumentation
 */
import { PreloopIssues } from '../components/preloop-issues/preloop-issues.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopIssues, 'preloop-issues');

export { PreloopIssues };
export { PreloopClient } from '../client/preloop-client.js';
