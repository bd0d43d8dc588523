import { commands } from 'vitest/browser';
import { afterEach, describe, expect, it } from 'vitest';
import type { PreloopRouteRequestedEvent } from '../../events/preloop-events.js';
import { mount, ownerClient, query, queryAll, seed, textOf, unmountAll, waitFor } from '../../../test/browser-helpers.js';

afterEach(unmountAll);

const value = (dashboard: HTMLElement, stat: string) => textOf(query(dashboard, `[data-stat="${stat}"] [data-value]`));
const number = (dashboard: HTMLElement, stat: string) => Number(value(dashboard, stat).replace(/[^\d]/g, ''));

describe('<preloop-dashboard>', () => {
  it('shows active sessions, tool calls over 24 h, spend, pending approvals and system status', async () => {
    expect(seed.gatewayError, 'the seeded model calls went through the gateway').toBeNull();
    const dashboard = await mount('preloop-dashboard', { client: ownerClient() });
    await waitFor(
      () =>
        /^\d/.test(value(dashboard, 'sessions')) && /^\d/.test(value(dashboard, 'tool-calls')) && /^\d/.test(value(dashboard, 'approvals')),
    );
    expect(number(dashboard, 'sessions')).toBeGreaterThanOrEqual(3);
    expect(number(dashboard, 'tool-calls')).toBeGreaterThanOrEqual(5);
    await waitFor(() => /^\$\d/.test(value(dashboard, 'spend')));
    expect(textOf(query(dashboard, '[data-stat="spend"]'))).toMatch(/\d+ model calls today/);
    await waitFor(() => value(dashboard, 'system') === 'Operational');
    expect(textOf(query(dashboard, '[data-stat="system"]'))).toContain('SQLite');
    await waitFor(() => query(dashboard, 'ul.feed[part="activity"] li'));
    expect(query(dashboard, 'svg.spark')).not.toBeNull();
  });

  it('tells the only owner that nobody else can approve their agents’ calls, with the way out, until a second admin exists', async () => {
    const owner = ownerClient();
    const dashboard = await mount('preloop-dashboard', { client: owner });
    const notice = await waitFor(() => query(dashboard, '[part="readiness"]'), { message: 'the first-run notice shows' });
    expect(textOf(notice)).toContain('Only Olivia Owner can approve under workflow "admins"');
    expect(textOf(notice)).toContain('nobody can approve calls from agents or keys owned by Olivia Owner');
    expect(textOf(notice)).toContain('Add a second person who can approve');
    expect(textOf(notice)).toContain('separationOfDuties: false');
    const requested = new Promise<PreloopRouteRequestedEvent>((resolve) =>
      dashboard.addEventListener('preloop-route-requested', resolve, { once: true }),
    );
    query<HTMLButtonElement>(notice, 'button')!.click();
    expect((await requested).route).toBe('settings/users');

    // A second admin is the way out: the notice goes away live (user-changed), and comes back when they leave.
    const second = await owner.users.create({ email: `second-admin-${Date.now()}@example.com`, name: 'Second Admin', role: 'admin' });
    try {
      await waitFor(() => query(dashboard, '[part="readiness"]') === null, { message: 'the notice leaves once someone else can approve' });
    } finally {
      await owner.users.delete(second.id);
    }
    await waitFor(() => query(dashboard, '[part="readiness"]'), { message: 'the notice comes back' });
  });

  it('updates live: a tool call and a new session show up without a reload', async () => {
    const dashboard = await mount('preloop-dashboard', { client: ownerClient() });
    await waitFor(
      () =>
        /^\d/.test(value(dashboard, 'tool-calls')) &&
        /^\d/.test(value(dashboard, 'sessions')) &&
        textOf(query(dashboard, '.live')) === 'Live',
    );
    const calls = number(dashboard, 'tool-calls');
    const sessions = number(dashboard, 'sessions');
    await commands.recordToolCall('github.list_issues', 'success');
    await waitFor(() => number(dashboard, 'tool-calls') === calls + 1, { message: 'the tool call count goes up' });
    const started = await ownerClient().request<{ session: { id: string } }>('POST', '/runtime-sessions', {
      body: { name: 'Dashboard live probe', agentId: seed.agents.triage },
    });
    await waitFor(() => number(dashboard, 'sessions') === sessions + 1, { message: 'the session count goes up' });
    await waitFor(() => textOf(dashboard).includes('Dashboard live probe'));
    await ownerClient().sessions.end(started.session.id);
    await waitFor(() => number(dashboard, 'sessions') === sessions);
  });

  it('shows the kill switch turned on and off elsewhere without a reload (the server announces it as an audit record)', async () => {
    const client = ownerClient();
    const dashboard = await mount('preloop-dashboard', { client });
    await waitFor(() => value(dashboard, 'system') === 'Operational');
    try {
      await client.system.activateKillSwitch('dashboard live test', ['flows']);
      await waitFor(() => value(dashboard, 'system') === 'Kill switch on', { message: 'the system card follows the kill switch live' });
    } finally {
      await client.system.deactivateKillSwitch(['flows']);
    }
    await waitFor(() => value(dashboard, 'system') === 'Operational');
  });

  it('shows today’s spend going up as models are called through the gateway', async () => {
    expect(seed.gatewayError, 'the seeded model calls went through the gateway').toBeNull();
    const dashboard = await mount('preloop-dashboard', { client: ownerClient() });
    await waitFor(() => /^\$\d/.test(value(dashboard, 'spend')) && textOf(query(dashboard, '.live')) === 'Live');
    const before = value(dashboard, 'spend');
    const calls = Number(textOf(query(dashboard, '[data-stat="spend"] .foot')).replace(/[^\d]/g, ''));
    await commands.modelCall('smart', 'Explain the failing test in one paragraph');
    await waitFor(() => value(dashboard, 'spend') !== before, { message: 'spend updates live' });
    expect(textOf(query(dashboard, '[data-stat="spend"] .foot'))).toContain(`${calls + 1} model calls today`);
  });

  it('tells a failed sign-in apart from a successful one in recent activity', async () => {
    const email = `intruder-${Date.now()}@example.com`;
    const refused = await fetch('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'not the password' }),
    });
    expect(refused.status).toBe(401);
    const dashboard = await mount('preloop-dashboard', { client: ownerClient() });
    const entry = await waitFor(() => queryAll(dashboard, 'ul.feed[part="activity"] li').find((item) => textOf(item).includes(email)));
    expect(textOf(entry)).toContain('failed to sign in');
    expect(textOf(entry)).not.toContain('signed in ');
  });

  it('asks its host to open the full view of a card', async () => {
    const dashboard = await mount('preloop-dashboard', { client: ownerClient() });
    const requested = new Promise<PreloopRouteRequestedEvent>((resolve) =>
      document.addEventListener('preloop-route-requested', resolve, { once: true }),
    );
    query<HTMLButtonElement>(dashboard, '[data-stat="approvals"]')!.click();
    expect((await requested).route).toBe('approvals');
  });
});
