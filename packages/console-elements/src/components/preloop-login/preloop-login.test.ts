import { afterEach, describe, expect, it } from 'vitest';
import { PreloopClient } from '../../client/preloop-client.js';
import type { PreloopUserLoggedInEvent } from '../../events/preloop-events.js';
import { mount, query, seed, textOf, type, unmountAll, waitFor } from '../../../test/browser-helpers.js';

afterEach(unmountAll);

async function submit(element: HTMLElement, email: string, password: string) {
  type(query<HTMLInputElement>(element, 'input[name="email"]')!, email);
  type(query<HTMLInputElement>(element, 'input[name="password"]')!, password);
  query<HTMLButtonElement>(element, 'button[type="submit"]')!.click();
}

describe('<preloop-login>', () => {
  it('shows the server’s error when the login fails', async () => {
    const login = await mount('preloop-login', { client: new PreloopClient() });
    await submit(login, seed.owner.email, 'not the password');
    const alert = await waitFor(() => query(login, '[role="alert"]'));
    expect(textOf(alert)).toBe('Invalid email or password.');
    expect(query<HTMLButtonElement>(login, 'button[type="submit"]')!.disabled).toBe(false);
  });

  it('asks for both fields before calling the server', async () => {
    const login = await mount('preloop-login', { client: new PreloopClient() });
    await submit(login, '', '');
    expect(textOf(query(login, '[role="alert"]'))).toBe('Enter your email and password.');
  });

  it('logs in with the session cookie and announces the user', async () => {
    const client = new PreloopClient();
    const login = await mount('preloop-login', { client });
    const announced = new Promise<PreloopUserLoggedInEvent>((resolve) =>
      document.addEventListener('preloop-user-logged-in', resolve, { once: true }),
    );
    await submit(login, seed.approver.email, seed.approver.password);
    const event = await announced;
    expect(event.user.email).toBe(seed.approver.email);
    expect(event.composed && event.bubbles).toBe(true);
    const me = await client.auth.me();
    expect(me.user?.role).toBe('approver');
    await client.auth.logout();
    await expect(client.auth.me()).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });
});
