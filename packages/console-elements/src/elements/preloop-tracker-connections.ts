/**
 * `<preloop-tracker-connections>` alone: registers it (under its default tag, unless the page
 * registered the class already) without the other elements, for a portal
 * that uses only this one. Also exports the class and `PreloopClient`.
 *
 * @example
 * ```ts
 * import { PreloopClient } from '@preloop/console-elements/elements/preloop-tracker-connections';
 * document.querySelector('preloop-tracker-connections')!.client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 * ```
 *
 * @packageDocumentation
 */
import { PreloopTrackerConnections } from '../components/preloop-tracker-connections/preloop-tracker-connections.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopTrackerConnections, 'preloop-tracker-connections');

export { PreloopTrackerConnections };
export { PreloopClient } from '../client/preloop-client.js';
