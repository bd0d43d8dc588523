import { html, LitElement } from 'lit';
import { afterEach, describe, it } from 'vitest';
import { PreloopClient } from '../client/preloop-client.js';
import { ownerClient, query, seed, textOf, unmountAll, waitFor } from '../../test/browser-helpers.js';
import { LiveController } from './live-controller.js';

/** A plain Lit element (not a PreloopElement) using the controller the way a host application would. */
class LiveProbe extends LitElement {
  static override properties = { client: { attribute: false } };
  declare client: PreloopClient | undefined;
  readonly live = new LiveController(this, () => this.client);
  readonly agentIds: string[] = [];

  constructor() {
    super();
    this.live.on(['agent-changed'], (event) => this.agentIds.push(event.agentId));
  }

  override render() {
    return html`${this.live.renderStatus()}`;
  }
}
customElements.define('live-probe', LiveProbe);

const client = () => new PreloopClient({ token: seed.owner.key, live: { lingerMs: 10 } });

async function mountProbe(first: PreloopClient): Promise<LiveProbe> {
  const probe = document.createElement('live-probe') as LiveProbe;
  probe.client = first;
  document.body.append(probe);
  await probe.updateComplete;
  return probe;
}

afterEach(() => {
  unmountAll();
  document.querySelectorAll('live-probe').forEach((probe) => probe.remove());
});

describe('LiveController', () => {
  it('shows the stream’s status and delivers the events the element listens to', async () => {
    const probe = await mountProbe(client());
    await waitFor(() => textOf(query(probe, '[role="status"]')) === 'Live', { message: 'the pill turns Live once the stream is open' });
    const agent = await ownerClient().agents.enroll({ name: 'live-probe-agent', kind: 'custom' });
    await waitFor(() => probe.agentIds.includes(agent.id));
  });

  it('moves its subscriptions to a new client, and lets go of the stream when disconnected', async () => {
    const first = client();
    const second = client();
    const probe = await mountProbe(first);
    await waitFor(() => first.live.status === 'open');
    probe.client = second;
    await waitFor(() => second.live.status === 'open', { message: 'the new client’s stream opens' });
    await waitFor(() => first.live.status === 'idle', { message: 'the old client’s stream closes: nothing listens on it any more' });
    const agent = await ownerClient().agents.enroll({ name: 'live-probe-moved', kind: 'custom' });
    await waitFor(() => probe.agentIds.includes(agent.id));
    probe.remove();
    await waitFor(() => second.live.status === 'idle', { message: 'a disconnected element keeps no stream open' });
  });
});
