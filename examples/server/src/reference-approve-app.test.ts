import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@preloop/core';
import { startReferenceServer, type ReferenceServer } from './reference-server.js';

// The approval app as `npm start` serves it, in real Chromium: installable (Chromium's own
// installability audit over the DevTools protocol), and its shell opens offline.

const dir = mkdtempSync(path.join(tmpdir(), 'preloop-approve-app-'));
let server: ReferenceServer;
let context: BrowserContext;

beforeAll(async () => {
  // A persistent profile: Chromium does not offer to install apps in an incognito context (Playwright's newContext()).
  [server, context] = await Promise.all([
    startReferenceServer({ env: { PRELOOP_DATA_DIR: path.join(dir, 'data') }, port: 0, logger: createLogger({ level: 'silent' }) }),
    chromium.launchPersistentContext(path.join(dir, 'profile'), {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
      viewport: { width: 390, height: 844 },
    }),
  ]);
});
afterAll(async () => {
  await context?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the approval app at /approve/', () => {
  it('is installable (no installability errors, a valid manifest) and opens offline once visited', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const response = await page.goto(`${server.url}/approve`);
    expect(new URL(page.url()).pathname).toBe('/approve/');
    expect(response?.headers()['content-security-policy']).toContain("worker-src 'self'");
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.locator('preloop-approve-app preloop-login').waitFor();

    const cdp = await context.newCDPSession(page);
    const manifest = (await cdp.send('Page.getAppManifest')) as { url: string; errors: unknown[] };
    expect(manifest.url).toBe(`${server.url}/approve/manifest.webmanifest`);
    expect(manifest.errors).toEqual([]);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: unknown[] };
    expect(installabilityErrors).toEqual([]);
    const parsed = await (await fetch(manifest.url)).json();
    expect(parsed).toMatchObject({ display: 'standalone', start_url: '/approve/', scope: '/approve/' });

    // Offline: the service worker answers the page and its script from its cache.
    await page.reload();
    await page.locator('preloop-approve-app').waitFor();
    await context.setOffline(true);
    await page.reload();
    await page.locator('preloop-approve-app .banner.error').filter({ hasText: 'Could not reach Preloop' }).waitFor({ timeout: 5000 });
    expect(errors).toEqual([]);
  });
});
