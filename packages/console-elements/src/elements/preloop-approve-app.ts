/**
 * `<preloop-approve-app>`, the approval app for phones: registers it (under its default tag, unless the page
 * registered the class already) with the approval card and the sign-in form it renders. It is not part of the
 * whole console's bundle (the console never shows it): the approval app's page (`createApproveAppHandler()`)
 * and portals load it from here. Also exports what pairs a browser and signs its requests as a device.
 *
 * @example
 * ```ts
 * import { pairDevice, PreloopClient } from '@preloop/console-elements/elements/preloop-approve-app';
 * const device = await pairDevice({ client: new PreloopClient(), pairingToken, name: 'My phone', serviceWorkerUrl: '/approve/sw.js' });
 * ```
 *
 * @packageDocumentation
 */
import { PreloopApprovalCard } from '../components/preloop-approval-card/preloop-approval-card.js';
import { PreloopApproveApp } from '../components/preloop-approve-app/preloop-approve-app.js';
import { PreloopLogin } from '../components/preloop-login/preloop-login.js';
import { elementTag } from '../define/element-tag.js';

elementTag(PreloopApprovalCard, 'preloop-approval-card');
elementTag(PreloopLogin, 'preloop-login');
elementTag(PreloopApproveApp, 'preloop-approve-app');

export { PreloopApproveApp };
export { PreloopClient } from '../client/preloop-client.js';
export {
  createDeviceKey,
  signDeviceJwt,
  deviceAuthorization,
  fromBase64url,
  loadDevice,
  saveDevice,
  forgetDevice,
} from '../approve-app/device-key.js';
export type { StoredDevice, DeviceKeyPair, DevicePublicKeyJwk } from '../approve-app/device-key.js';
export { pairDevice, deviceClient, activeServiceWorker, defaultDeviceName, PairingError } from '../approve-app/pair-device.js';
export type { PairDeviceOptions, PairingStep } from '../approve-app/pair-device.js';

declare global {
  interface HTMLElementTagNameMap {
    'preloop-approve-app': PreloopApproveApp;
  }
}
