/**
 * Browser commands of the `browser` project: the tests call them through
 * `commands` from `vitest/browser`, and they run in Node against the kernel the
 * global setup started (shared through `globalThis`, because the config and
 * the global setup load this file separately).
 */
import { mkdirSync } from 'node:fs';
import type {} from '@vitest/browser-playwright';
import type { BrowserCommand } from 'vitest/node';
import type { ReferenceFixture } from './reference-fixture.js';
import type { TestKernel } from './test-kernel.js';

/** Where the global setup puts the test kernel. */
export const testKernelKey = Symbol.for('preloop.console-tests.kernel');
/** Where the global setup puts the reference server starter. */
export const referenceServerKey = Symbol.for('preloop.console-tests.reference');

function kernel(): TestKernel {
  const found = (globalThis as Record<symbol, unknown>)[testKernelKey] as TestKernel | undefined;
  if (!found) throw new Error('The console test kernel is not running (global setup did not run).');
  return found;
}

/** What the screenshot command reports. */
export interface ScreenshotReport {
  url: string;
  wired: boolean;
  stats: Record<string, string>;
  activityRows: number;
  errors: string[];
  contentSecurityPolicy: string | null;
  files: string[];
  /** Approval cards the portal example showed. */
  portalCards: number;
}

const screenshotConsole: BrowserCommand<[]> = async (context): Promise<ScreenshotReport> => {
  const start = (globalThis as Record<symbol, unknown>)[referenceServerKey] as (() => Promise<ReferenceFixture>) | undefined;
  if (!start) throw new Error('The reference server starter is missing (global setup did not run).');
  const reference = await start();
  const browser = context.context.browser();
  if (!browser) throw new Error('No browser');
  const pageContext = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
  const errors: string[] = [];
  let portalCards = 0;
  try {
    const page = await pageContext.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    // Expected non-2xx answers (401 before sign-in, 404 for plugins the server lacks) are logged by Chromium as "Failed to load resource"; anything else counts.
    page.on(
      'console',
      (message) => message.type() === 'error' && !message.text().startsWith('Failed to load resource') && errors.push(message.text()),
    );
    const response = await page.goto(`${reference.url}/`);
    const contentSecurityPolicy = response?.headers()['content-security-policy'] ?? null;
    await page.locator('preloop-login input[name="email"]').fill(reference.email);
    await page.locator('preloop-login input[name="password"]').fill(reference.password);
    await page.locator('preloop-login button[type="submit"]').click();
    await page.locator('[data-stat="sessions"] [data-value]').filter({ hasText: /^\d/ }).waitFor({ timeout: 15_000 });
    await page.locator('[data-stat="tool-calls"] [data-value]').filter({ hasText: /^\d/ }).waitFor({ timeout: 15_000 });
    await page.locator('ul.feed li').first().waitFor();
    await page.evaluate(() => document.fonts.ready);
    await page.waitForTimeout(400);
    mkdirSync('test-results', { recursive: true });
    const files = ['test-results/console.png'];
    await page.screenshot({ path: files[0]!, fullPage: true });
    const stats: Record<string, string> = {};
    for (const stat of await page.locator('[data-stat]').all())
      stats[(await stat.getAttribute('data-stat'))!] = (await stat.locator('[data-value]').textContent())?.trim() ?? '';
    const activityRows = await page.locator('ul.feed[part="activity"] li').count();

    // The same console in the dark theme, and the approval card at phone size.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(200);
    await page.screenshot({ path: 'test-results/console-dark.png', fullPage: true });
    files.push('test-results/console-dark.png');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${reference.url}/approvals`);
    await page.locator('preloop-approval-card button[part="approve"]').first().waitFor();
    await page.screenshot({ path: 'test-results/console-mobile-approvals.png', fullPage: false });
    files.push('test-results/console-mobile-approvals.png');

    // Every view once, so a script error or a blocked style anywhere fails the test.
    await page.setViewportSize({ width: 1440, height: 900 });
    for (const view of [
      'sessions',
      'agents',
      'audit',
      'usage',
      'models',
      'mcp',
      'settings/users',
      'settings/api-keys',
      'settings/policy',
      'settings/kill-switch',
    ]) {
      await page.goto(`${reference.url}/${view}`);
      await page.waitForTimeout(250);
    }

    // The portal example, signed in afresh.
    const portalContext = await browser.newContext({ viewport: { width: 1440, height: 1000 }, colorScheme: 'light' });
    try {
      const portal = await portalContext.newPage();
      portal.on('pageerror', (error) => errors.push(`portal: ${error.message}`));
      portal.on(
        'console',
        (message) =>
          message.type() === 'error' && !message.text().startsWith('Failed to load resource') && errors.push(`portal: ${message.text()}`),
      );
      await portal.goto(reference.portalUrl);
      await portal.locator('preloop-login input[name="email"]').fill(reference.email);
      await portal.locator('preloop-login input[name="password"]').fill(reference.password);
      await portal.locator('preloop-login button[type="submit"]').click();
      await portal.locator('preloop-dashboard [data-stat="sessions"] [data-value]').filter({ hasText: /^\d/ }).waitFor({ timeout: 15_000 });
      await portal.locator('preloop-approval-queue preloop-approval-card').first().waitFor();
      await portal.locator('preloop-audit-log .row').first().waitFor();
      await portal.waitForTimeout(400);
      await portal.screenshot({ path: 'test-results/portal.png', fullPage: true });
      files.push('test-results/portal.png');
      portalCards = await portal.locator('preloop-approval-queue preloop-approval-card').count();
    } finally {
      await portalContext.close();
    }
    return { url: reference.url, wired: reference.wired, stats, activityRows, errors, contentSecurityPolicy, files, portalCards };
  } finally {
    await pageContext.close();
    await reference.close();
  }
};

/** A push as the local push service received and decrypted it. */
export interface DeliveredPush {
  /** The push service's subscription it was sent to. */
  subscriptionId: string;
  type: string;
  requestId: string;
  title: string;
  priority: string;
}

/** A notification the approval app's service worker shows. */
export interface ShownNotification {
  title: string;
  tag: string;
  body: string;
  actions: string[];
}

/** The approval app's service worker (scope `/approve/`) on the test page's origin, as Playwright sees it. */
async function approveWorker(context: Parameters<BrowserCommand<[]>>[0]) {
  const scope = `${new URL(context.page.url()).origin}/approve/`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    // The newest: a worker the browser stopped while idle and started again for a push is listed anew.
    const worker = context.page
      .context()
      .serviceWorkers()
      .filter((candidate) => candidate.url().startsWith(scope))
      .at(-1);
    if (worker) return worker;
    if (Date.now() > deadline) throw new Error(`No service worker under ${scope}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Waits until the local push service has received (and decrypted) the push of `type` for `requestId`, then hands
 * that payload to the approval app's service worker the way the browser's push service would: through the DevTools
 * protocol's `ServiceWorker.deliverPushMessage`.
 */
const deliverPush: BrowserCommand<[string, string]> = async (context, requestId, type) => {
  const deadline = Date.now() + 15_000;
  let received: { subscriptionId: string; payload: string } | undefined;
  while (!received) {
    received = kernel().pushService.pushes.find((pushed) => {
      const parsed = JSON.parse(pushed.payload) as { requestId?: string; type?: string };
      return parsed.requestId === requestId && parsed.type === type;
    });
    if (!received && Date.now() > deadline) throw new Error(`The push service received no ${type} push for ${requestId}`);
    if (!received) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const payload = received.payload;
  const origin = new URL(context.page.url()).origin;
  const cdp = await context.page.context().newCDPSession(context.page);
  try {
    const registrations: Array<{ registrationId: string; scopeURL: string; isDeleted: boolean }> = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (event) => registrations.push(...event.registrations));
    await cdp.send('ServiceWorker.enable');
    const until = Date.now() + 5000;
    let registration = registrations.find((candidate) => candidate.scopeURL === `${origin}/approve/` && !candidate.isDeleted);
    while (!registration && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      registration = registrations.find((candidate) => candidate.scopeURL === `${origin}/approve/` && !candidate.isDeleted);
    }
    if (!registration) throw new Error(`No service worker registration for ${origin}/approve/`);
    // Chromium sometimes drops a push handed to a worker it is stopping or starting (seen under load): a push that
    // must show a notification is handed over again until it does (showNotification with the same tag replaces it).
    for (let attempt = 1; ; attempt++) {
      await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId: registration.registrationId, data: payload });
      if (type === 'approval.resolved' || attempt === 3) break;
      const shown = async () =>
        (await approveWorker(context)).evaluate(
          async (tag) =>
            (await (self as unknown as { registration: ServiceWorkerRegistration }).registration.getNotifications({ tag })).length > 0,
          requestId,
        );
      let seen = false;
      for (const until = Date.now() + 4000; !seen && Date.now() < until; ) {
        seen = await shown().catch(() => false);
        if (!seen) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      if (seen) break;
    }
  } finally {
    await cdp.detach();
  }
  return { ...(JSON.parse(payload) as Omit<DeliveredPush, 'subscriptionId'>), subscriptionId: received.subscriptionId };
};

/** The notifications the approval app's service worker shows now. */
const shownNotifications: BrowserCommand<[]> = async (context) =>
  (await approveWorker(context)).evaluate(async () =>
    (await (self as unknown as { registration: ServiceWorkerRegistration }).registration.getNotifications()).map((notification) => ({
      title: notification.title,
      tag: notification.tag,
      body: notification.body,
      actions: ((notification as unknown as { actions: Array<{ action: string }> }).actions ?? []).map((action) => action.action),
    })),
  );

/**
 * Clicks an action of the notification tagged `tag`. Headless Chromium has no way to click a notification (no
 * DevTools command does), so this calls the worker's own `notificationclick` handler, inside the worker, with the
 * real notification it shows and the action, as the event would carry them.
 */
const clickNotification: BrowserCommand<[string, string]> = async (context, tag, action) =>
  (await approveWorker(context)).evaluate(
    async ([tag, action]) => {
      const scope = self as unknown as {
        registration: ServiceWorkerRegistration;
        preloopApproveWorker: { handleNotificationClick(event: { notification: Notification; action: string }): Promise<unknown> };
      };
      // A delivered push shows its notification a moment later (the worker's push handler runs on its own): wait for it.
      let [notification] = await scope.registration.getNotifications({ tag });
      for (let waited = 0; !notification && waited < 10_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        [notification] = await scope.registration.getNotifications({ tag });
      }
      if (!notification) throw new Error(`No notification tagged ${tag}`);
      return scope.preloopApproveWorker.handleNotificationClick({ notification, action });
    },
    [tag, action] as const,
  );

/** Runs the worker's `pushsubscriptionchange` handler, inside the worker, with `subscription` as the event's new one. */
const changeSubscription: BrowserCommand<[{ endpoint: string; keys: { p256dh: string; auth: string } }]> = async (context, subscription) =>
  (await approveWorker(context)).evaluate(async (subscription) => {
    const scope = self as unknown as {
      preloopApproveWorker: {
        handleSubscriptionChange(event: { oldSubscription: null; newSubscription: unknown }): Promise<string | null>;
      };
    };
    return scope.preloopApproveWorker.handleSubscriptionChange({ oldSubscription: null, newSubscription: { toJSON: () => subscription } });
  }, subscription);

/** The commands, by name. */
export const consoleTestCommands = {
  recordToolCall: ((_context, tool: string, outcome: string) => kernel().recordToolCall(tool, outcome)) as BrowserCommand<[string, string]>,
  recordActivity: ((_context, sessionId: string, kind: string, status: string, summary: string) =>
    kernel().recordActivity(sessionId, kind, status, summary)) as BrowserCommand<[string, string, string, string]>,
  callTool: ((_context, name: string, args: Record<string, unknown>) => kernel().callTool(name, args)) as BrowserCommand<
    [string, Record<string, unknown>]
  >,
  toolResult: ((_context, handle: string) => kernel().toolResult(handle)) as BrowserCommand<[string]>,
  modelCall: ((_context, alias: string, prompt: string) => kernel().modelCall(alias, prompt)) as BrowserCommand<[string, string]>,
  changeUpstreamTool: ((_context, name: string, description: string) => kernel().changeUpstreamTool(name, description)) as BrowserCommand<
    [string, string]
  >,
  strandExecution: ((_context, tool: string, args: Record<string, unknown>) => kernel().strandExecution(tool, args)) as BrowserCommand<
    [string, Record<string, unknown>]
  >,
  screenshotConsole,
  /** Lets the test page's origin show notifications (headless Chromium asks nobody). */
  grantNotifications: (async (context) => {
    await context.page.context().grantPermissions(['notifications'], { origin: new URL(context.page.url()).origin });
  }) as BrowserCommand<[]>,
  /** A subscription on the local push service (what `PushManager.subscribe` would return). */
  pushSubscription: (() => kernel().pushService.subscribe()) as BrowserCommand<[]>,
  deliverPush,
  shownNotifications,
  clickNotification,
  changeSubscription,
};

declare module 'vitest/browser' {
  interface BrowserCommands {
    recordToolCall(tool: string, outcome: string): Promise<number>;
    recordActivity(sessionId: string, kind: string, status: string, summary: string): Promise<void>;
    callTool(name: string, args: Record<string, unknown>): Promise<string>;
    toolResult(handle: string): Promise<{ isError: boolean; text: string }>;
    modelCall(alias: string, prompt: string): Promise<number>;
    changeUpstreamTool(name: string, description: string): Promise<void>;
    strandExecution(tool: string, args: Record<string, unknown>): Promise<string>;
    screenshotConsole(): Promise<ScreenshotReport>;
    grantNotifications(): Promise<void>;
    pushSubscription(): Promise<{ endpoint: string; keys: { p256dh: string; auth: string } }>;
    deliverPush(requestId: string, type: string): Promise<DeliveredPush>;
    shownNotifications(): Promise<ShownNotification[]>;
    clickNotification(tag: string, action: string): Promise<{ decided: string } | { opened: string; reason: string }>;
    changeSubscription(subscription: { endpoint: string; keys: { p256dh: string; auth: string } }): Promise<string | null>;
  }
}
