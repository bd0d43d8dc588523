import { afterEach, describe, expect, it } from 'vitest';
import type { PreloopAgentChangedEvent } from '../../events/preloop-events.js';
import {
  clickButton,
  mount,
  ownerClient,
  query,
  queryAll,
  seed,
  textOf,
  type,
  unmountAll,
  waitFor,
} from '../../../test/browser-helpers.js';

afterEach(unmountAll);

const row = (element: HTMLElement, id: string) => query(element, `tr[data-id="${id}"]`);

describe('<preloop-agents>', () => {
  it('lists enrolled agents with their state, and filters by state', async () => {
    const agents = await mount('preloop-agents', { client: ownerClient() });
    await waitFor(() => row(agents, seed.agents.ci));
    expect(textOf(row(agents, seed.agents.ci))).toContain('claude-code-ci');
    expect(textOf(row(agents, seed.agents.nightly))).toContain('suspended');
    clickButton(agents, 'Suspended');
    await waitFor(() => !row(agents, seed.agents.ci) && row(agents, seed.agents.nightly));
  });

  it('enrolls, suspends with a reason, resumes and decommissions an agent', async () => {
    const agents = await mount('preloop-agents', { client: ownerClient() });
    await waitFor(() => row(agents, seed.agents.ci));
    clickButton(agents, /Enroll agent/);
    const dialog = query<HTMLDialogElement>(agents, 'dialog.enroll')!;
    expect(dialog.open).toBe(true);
    type(dialog.querySelector<HTMLInputElement>('input[name="name"]')!, 'release-bot');
    type(dialog.querySelector<HTMLInputElement>('input[name="kind"]')!, 'custom');
    type(dialog.querySelector<HTMLInputElement>('input[name="tags"]')!, 'release, prod');
    const enrolled = new Promise<PreloopAgentChangedEvent>((resolve) =>
      agents.addEventListener('preloop-agent-changed', resolve, { once: true }),
    );
    dialog.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    const agent = (await enrolled).agent;
    expect(agent).toMatchObject({ name: 'release-bot', state: 'active', tags: ['release', 'prod'] });
    await waitFor(() => !dialog.open);
    const line = await waitFor(() => row(agents, agent.id));

    queryAll<HTMLButtonElement>(line, 'button')
      .find((button) => textOf(button) === 'Suspend')!
      .click();
    const confirm = await waitFor(() => query<HTMLDialogElement>(agents, 'dialog.confirm[open]'));
    type(confirm.querySelector<HTMLInputElement>('input[name="reason"]')!, 'Rotating its keys');
    confirm.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await waitFor(() => textOf(row(agents, agent.id)).includes('suspended'));
    expect((await ownerClient().agents.get(agent.id)).stateReason).toBe('Rotating its keys');

    queryAll<HTMLButtonElement>(row(agents, agent.id), 'button')
      .find((button) => textOf(button) === 'Resume')!
      .click();
    await waitFor(() => textOf(row(agents, agent.id)).includes('active'));

    queryAll<HTMLButtonElement>(row(agents, agent.id), 'button')
      .find((button) => textOf(button) === 'Decommission')!
      .click();
    const again = await waitFor(() => query<HTMLDialogElement>(agents, 'dialog.confirm[open]'));
    again.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await waitFor(() => textOf(row(agents, agent.id)).includes('decommissioned'));
    expect(queryAll(row(agents, agent.id), 'button')).toHaveLength(0);
  });

  it('shows agents enrolled elsewhere without a reload', async () => {
    const agents = await mount('preloop-agents', { client: ownerClient() });
    await waitFor(() => row(agents, seed.agents.ci));
    const enrolled = await ownerClient().agents.enroll({ name: 'enrolled-elsewhere', kind: 'codex' });
    await waitFor(() => row(agents, enrolled.id));
  });

  it('shows the server’s refusal', async () => {
    const agents = await mount('preloop-agents', { client: ownerClient() });
    await waitFor(() => row(agents, seed.agents.ci));
    clickButton(agents, /Enroll agent/);
    const dialog = query<HTMLDialogElement>(agents, 'dialog.enroll')!;
    type(dialog.querySelector<HTMLInputElement>('input[name="name"]')!, 'x');
    const kind = dialog.querySelector<HTMLInputElement>('input[name="kind"]')!;
    kind.removeAttribute('pattern');
    type(kind, 'Not Valid');
    dialog.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await waitFor(() => textOf(query(agents, 'dialog.enroll [role="alert"]')).includes('kind'));
  });
});
