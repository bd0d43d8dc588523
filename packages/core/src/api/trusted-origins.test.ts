/**
 * Cross-origin portals: the admin API answers CORS for trusted origins only,
 * checked with real pages on two origins in headless Chromium.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPreloop } from '../kernel/create-preloop.js';
import type { Preloop } from '../kernel/preloop.js';
import { createLogger } from '../logger.js';
import { serve, type RunningServer } from '../node/serve.js';
import { seedUser } from '../identity/identity-test-support.js';

/** A static page server on one loopback address (its own origin). */
async function pageServer(host: string): Promise<{ origin: string; server: Server }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<!doctype html><title>portal</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { origin: `http://${host}:${(server.address() as AddressInfo).port}`, server };
}

describe('admin API trusted origins (Chromium)', () => {
  let preloop: Preloop;
  let api: RunningServer;
  let browser: Browser;
  let trusted: { origin: string; server: Server };
  let other: { origin: string; server: Server };
  let key: string;

  beforeAll(async () => {
    trusted = await pageServer('127.0.0.2');
    other = await pageServer('127.0.0.3');
    preloop = await createPreloop({ database: ':memory:', logger: createLogger({ level: 'silent' }), trustedOrigins: [trusted.origin] });
    api = await serve({ handler: preloop.api, port: 0 });
    ({ key } = await seedUser(preloop, 'viewer'));
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await preloop?.close();
    trusted?.server.close();
    other?.server.close();
  });

  /** Runs a bearer-authenticated fetch to the API from a page on `origin`; the status, or the error's name. */
  async function fetchFrom(origin: string, path: string): Promise<number | string> {
    const page = await browser.newPage();
    try {
      await page.goto(origin);
      return await page.evaluate(
        async ({ url, bearer }) => {
          try {
            const response = await fetch(url, { headers: { authorization: `Bearer ${bearer}` }, credentials: 'include' });
            return response.status;
          } catch (error) {
            return (error as Error).name;
          }
        },
        { url: `${api.url}${path}`, bearer: key },
      );
    } finally {
      await page.close();
    }
  }

  it('lets a page on a trusted origin call the API with a bearer key (preflight included)', async () => {
    expect(await fetchFrom(trusted.origin, '/api/v1/auth/me')).toBe(200);
  });

  it('gives a page on any other origin no access', async () => {
    expect(await fetchFrom(other.origin, '/api/v1/auth/me')).toBe('TypeError');
  });

  it('answers a preflight with credentials for the trusted origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${api.url}/api/v1/users`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
    const ok = await preflight(trusted.origin);
    expect(ok.headers.get('access-control-allow-origin')).toBe(trusted.origin);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    const refused = await preflight(other.origin);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses an option that is not an exact origin, naming it', async () => {
    await expect(
      createPreloop({ database: ':memory:', logger: createLogger({ level: 'silent' }), trustedOrigins: ['https://portal.example.com/'] }),
    ).rejects.toThrow(/trustedOrigins/);
  });
});
