/**
 * `<preloop-devices>` alone: registers it (under its default tag, unless the page
 * registered the class already) without the other elements. Also exports the class and `PreloopClient`.
 *
 * @example
 * ```ts
 * import '@preloop/console-elements/elements/preloop-devices';
 * ```
 *
 * @packageDocumentation
 */
import { PreloopDevices } from '../components/preloop-devices/preloop-devices.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopDevices, 'preloop-devices');

export { PreloopDevices };
export { PreloopClient } from '../client/preloop-client.js';
