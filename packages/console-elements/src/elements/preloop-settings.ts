/**
 * `<preloop-settings>` alone: registers it (under its default tag, unless the page
 * registered the class already) without the other elements, for a portal
 * that uses only this one. Also exports the class and `PreloopClient`.
 *
 * @example
 * ```ts
 * import { PreloopClient } from '@preloop/console-elements/elements/preloop-settings';
 * document.querySelector('preloop-settings')!.client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 * ```
 *
 * @packageDocumentation
 */
import { PreloopSettings } from '../components/preloop-settings/preloop-settings.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopSettings, 'preloop-settings');

export { PreloopSettings };
export { PreloopClient } from '../client/preloop-client.js';
