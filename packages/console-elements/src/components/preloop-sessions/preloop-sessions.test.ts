import { commands } from 'vitest/browser';
import { afterEach, describe, expect, it } from 'vitest';
import type { PreloopSessionEndedEvent } from '../../events/preloop-events.js';
import { clickButton, mount, ownerClient, query, queryAll, seed, textOf, unmountAll, waitFor } from '../../../test/browser-helpers.js';

afterEach(unmountAll);

describe('<preloop-sessions>', () => {
  it('lists active sessions and, for the selected one, its activity timeline and gateway interactions', async () => {
    expect(seed.gatewayError, 'the seeded model calls went through the gateway').toBeNull();
    const sessions = await mount('preloop-sessions', { client: ownerClient() }, { selected: seed.sessions.running });
    await waitFor(() => query(sessions, `tr[data-id="${seed.sessions.running}"]`));
    expect(query(sessions, `tr[data-id="${seed.sessions.ended}"]`)).toBeNull();
    const timeline = await waitFor(() => query(sessions, '[part="timeline"]'));
    const entries = queryAll(timeline, 'li');
    expect(entries.length).toBeGreaterThanOrEqual(3);
    expect(textOf(timeline)).toContain('github.list_issues → 3 open issues');
    expect(textOf(timeline)).toContain('github.merge_pull_request denied by policy');
    expect(entries.map((entry) => entry.dataset.kind)).toContain('model_call');
    expect(textOf(query(sessions, '[part="detail"]'))).toContain('job-4821');
    // The model calls the gateway captured in this session, with their bodies on demand.
    const call = await waitFor(() => queryAll(sessions, '.gateway tr[data-id]')[0]);
    expect(queryAll(sessions, '.gateway tr[data-id]').length).toBeGreaterThanOrEqual(5);
    expect(textOf(call)).toMatch(/fast|smart/);
    expect(textOf(call)).toMatch(/\d+ in \/ \d+ out/);
    call.click();
    await waitFor(() => textOf(query(sessions, '.gateway pre.json')).includes('"messages"'));
  });

  it('shows the selected session only: switching never shows the previous one’s activity, and a missing one says why in its pane', async () => {
    const sessions = await mount('preloop-sessions', { client: ownerClient() }, { selected: seed.sessions.running });
    await waitFor(() => textOf(query(sessions, '[part="timeline"]')).includes('github.list_issues'));
    sessions.selected = seed.sessions.ended;
    await sessions.updateComplete;
    expect(query(sessions, '[part="timeline"]'), 'no timeline until the ended session’s own arrives').toBeNull();
    await waitFor(
      () =>
        textOf(query(sessions, '[part="detail"] code')) === seed.sessions.ended &&
        query(sessions, '[part="timeline"], [part="detail"] .muted'),
    );
    sessions.selected = 'rs_missing';
    const alert = await waitFor(() => query(sessions, '[part="detail"] [role="alert"]'));
    expect(textOf(alert)).toMatch(/not found|no runtime session/i);
  });

  it('adds new activity to the timeline live', async () => {
    const sessions = await mount('preloop-sessions', { client: ownerClient() }, { selected: seed.sessions.running });
    const timeline = await waitFor(() => query(sessions, '[part="timeline"]'));
    await waitFor(() => textOf(timeline).includes('github.list_issues'));
    await commands.recordActivity(seed.sessions.running, 'approval', 'pending', 'github.create_issue waits for approval');
    await waitFor(() => textOf(query(sessions, '[part="timeline"]')).includes('github.create_issue waits for approval'));
  });

  it('ends a session (after a confirmation), and filters ended sessions', async () => {
    const client = ownerClient();
    const started = await client.request<{ session: { id: string } }>('POST', '/runtime-sessions', {
      body: { name: 'Session to end', agentId: seed.agents.triage },
    });
    const id = started.session.id;
    const sessions = await mount('preloop-sessions', { client }, { selected: id });
    await waitFor(() => query(sessions, 'button[part="end"]'));
    const ended = new Promise<PreloopSessionEndedEvent>((resolve) =>
      sessions.addEventListener('preloop-session-ended', resolve, { once: true }),
    );
    query<HTMLButtonElement>(sessions, 'button[part="end"]')!.click();
    await sessions.updateComplete;
    expect(textOf(query(sessions, 'button[part="end"]'))).toBe('Confirm: end now');
    query<HTMLButtonElement>(sessions, 'button[part="end"]')!.click();
    expect((await ended).session).toMatchObject({ id, state: 'ended' });
    await waitFor(() => !query(sessions, `tr[data-id="${id}"]`));
    expect((await client.sessions.get(id)).state).toBe('ended');
    clickButton(sessions, 'Ended');
    await waitFor(() => query(sessions, `tr[data-id="${id}"]`) && query(sessions, `tr[data-id="${seed.sessions.ended}"]`));
  });
});
