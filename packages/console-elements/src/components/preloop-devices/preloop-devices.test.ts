import { commands } from 'vitest/browser';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import '../../elements/preloop-approve-app.js';
import { forgetDevice, loadDevice } from '../../approve-app/device-key.js';
import { PreloopClient } from '../../client/preloop-client.js';
import { axeViolations } from '../../../test/axe-check.js';
import { clickButton, mount, query, queryAll, seed, textOf, type, unmountAll, waitFor } from '../../../test/browser-helpers.js';

afterEach(unmountAll);
afterAll(async () => {
  await forgetDevice();
  await new PreloopClient().auth.logout().catch(() => {});
});

describe('<preloop-devices> and pairing in <preloop-approve-app>', () => {
  it('shows a QR code of a single-use pairing link; the app pairs with it, signs its requests with its own key, and a revoked device is told so', async () => {
    const session = new PreloopClient();
    await session.auth.login(seed.owner.email, seed.owner.password);
    const devices = await mount('preloop-devices', { client: session });
    await waitFor(() => query(devices, 'table[part="devices"], .empty'));
    clickButton(devices, /Pair a phone/);
    const qr = await waitFor(() => query<HTMLImageElement>(devices, 'img[part="qr"]'));
    expect(qr.src).toMatch(/^data:image\/svg\+xml;charset=utf-8,%3Csvg/);
    await waitFor(() => qr.complete && qr.naturalWidth > 0);
    const url = new URL(textOf(query(devices, '[data-url]')));
    expect(url.pathname).toBe('/approve/');
    const token = url.hash.replace(/^#pair=/, '');
    expect(token.length).toBeGreaterThan(20);
    expect(textOf(query(devices, '[data-expires]'))).toMatch(/^Expires in (10:00|9:5\d)$/);
    expect(await axeViolations(devices)).toEqual([]);

    // The phone: notifications allowed; headless Chromium has no push service, so PushManager.subscribe answers
    // with a subscription on the local push service the server sends to.
    await commands.grantNotifications();
    const subscription = await commands.pushSubscription();
    const subscribe = PushManager.prototype.subscribe;
    PushManager.prototype.subscribe = async () =>
      ({
        endpoint: subscription.endpoint,
        toJSON: () => ({ endpoint: subscription.endpoint, expirationTime: null, keys: subscription.keys }),
      }) as unknown as PushSubscription;
    try {
      const app = await mount('preloop-approve-app', {}, { 'base-url': '', 'pair-token': token, 'service-worker': '/approve/sw.js' });
      const pairing = await waitFor(() => query(app, '[part="pairing"]'));
      type(query<HTMLInputElement>(pairing, 'input[name="device-name"]')!, 'Test phone');
      query(pairing, 'button[part="pair"]')!.click();
      await waitFor(() => textOf(query(pairing, 'strong')) === 'This device is paired', { timeout: 15_000 });
      expect(queryAll(pairing, 'li').map((step) => step.dataset.state)).toEqual(['done', 'done', 'done', 'done', 'done']);
      const stored = await loadDevice();
      expect(stored?.name).toBe('Test phone');
      expect(stored?.privateKey.extractable).toBe(false);
      // The list now loads with the device's own credential (no cookie is sent).
      await waitFor(() => query(app, 'ul[part="list"], .empty'));
      expect(textOf(query(app, '[part="device"]'))).toBe('Test phone');
      // A device's credential does not open the live stream: no "Signed out" pill; it refreshes on pushes instead.
      expect(query(app, '.live')).toBeNull();
      expect(await axeViolations(app)).toEqual([]);

      // The console sees the new phone, and the code is gone.
      await waitFor(() => textOf(query(devices, '.banner.success')) === '“Test phone” is paired.', { timeout: 8000 });
      const row = query(devices, `tr[data-id="${stored!.id}"]`)!;
      expect(textOf(row)).toMatch(/^Test phone web (just now|\d+ s ago)/);
      // A second use of the token is refused.
      const again = await fetch('/api/v1/devices', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          pairingToken: token,
          name: 'Replay',
          platform: 'web',
          publicKeyJwk: stored!.publicKeyJwk,
          push: { kind: 'web-push', subscription: await commands.pushSubscription() },
        }),
      });
      expect([401, 409]).toContain(again.status);

      // Revoke (two clicks): the device's next request is refused, and the app says so.
      clickButton(row, 'Revoke');
      await devices.updateComplete;
      clickButton(row, 'Confirm revoke');
      await waitFor(() => !query(devices, `tr[data-id="${stored!.id}"]`));
      await app.refresh();
      await waitFor(() => textOf(app).includes('This device is no longer paired'));
      clickButton(app, 'Forget this device');
      await waitFor(async () => (await loadDevice()) === null);
    } finally {
      PushManager.prototype.subscribe = subscribe;
    }
  });
});
