/**
 * `<preloop-policy-editor>` alone: registers it (under its default tag, unless the page
 * registered the class already) without the other elements, for a portal
 * that uses only this one. Also exports the class and `PreloopClient`.
 *
 * @example
 * ```ts
 * import { PreloopClient } from '@preloop/console-elements/elements/preloop-policy-editor';
 * document.querySelector('preloop-policy-editor')!.client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 * ```
 *
 * @packageDocumentation
 */
import { PreloopPolicyEditor } from '../components/preloop-policy-editor/preloop-policy-editor.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopPolicyEditor, 'preloop-policy-editor');

export { PreloopPolicyEditor };
export { PreloopClient } from '../client/preloop-client.js';
