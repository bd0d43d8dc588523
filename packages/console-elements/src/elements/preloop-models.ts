/**
 * `<preloop-models>` alone: registers it (under its default tag, unless the page
 * registered the class already) without the other elements, for a portal
 * that uses only this one. Also exports the class and `PreloopClient`.
 *
 * @example
 * ```ts
 * import { PreloopClient } from '@preloop/console-elements/elements/preloop-models';
 * document.querySelector('preloop-models')!.client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 * ```
 *
 * @packageDocumentation
 */
import { PreloopModels } from '../components/preloop-models/preloop-models.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopModels, 'preloop-models');

export { PreloopModels };
export { PreloopClient } from '../client/preloop-client.js';
