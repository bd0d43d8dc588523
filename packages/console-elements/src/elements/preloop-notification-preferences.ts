/**
 * `<preloop-notification-preferences>` alone: registers it (under its default tag, unless the page
 * registered the class already) without the other elements, for a portal
 * that uses only this one. Also exports the class and `PreloopClient`.
 *
 * @example
 * ```ts
 * import { PreloopClient } from '@preloop/console-elements/elements/preloop-notification-preferences';
 * document.querySelector('preloop-notification-preferences')!.client = new PreloopClient({ baseUrl: 'https://preloop.internal' });
 * ```
 *
 * @packageDocumentation
 */
import { PreloopNotificationPreferences } from '../components/preloop-notification-preferences/preloop-notification-preferences.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopNotificationPreferences, 'preloop-notification-preferences');

export { PreloopNotificationPreferences };
export { PreloopClient } from '../client/preloop-client.js';
