/**
 * Flows on one kernel (SQLite in memory): CRUD with validation, manual runs
 * with inputs, event triggers with filters and a CEL condition, signed
 * webhooks (good, bad, stale, replayed), the prompt preview, retries, cancel,
 * the kill switch and the log stream.
 */
import { testDialects } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from './index.js';
import { createFlowsFixture, type FlowsFixture } from './test-support/flows-fixture.js';

declare module '@preloop/core' {
  interface PreloopEventMap {
    'widget-event': { accountId: string; type: string; project: string; label: string | null; size: number; deliveryId?: string };
  }
}

const sqlite = testDialects()[0]!;
const admin = { type: 'system' as const, name: 'test' };

describe('flows: triggers, templates and executions (SQLite)', () => {
  let fixture: FlowsFixture;
  beforeAll(async () => {
    fixture = await createFlowsFixture(sqlite);
  });
  afterAll(async () => {
    await fixture?.cleanup();
  });

  const create = async (body: Record<string, unknown>) => {
    const created = await fixture.api('POST', '/flows', { runtime: { id: 'echo' }, ...body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body as { flow: { id: string; webhookUrl: string | null; agentId: string }; webhookSecret: string | null };
  };
  const executions = async (flowId: string) => (await fixture.api('GET', `/flows/${flowId}/executions`)).body.items as any[];

  it('refuses a bad flow with a 400 naming the field, and stores nothing', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'x', prompt: 'Hi {{ event.a | nosuchfilter }}' }, 'prompt'],
      [{ name: 'x', prompt: 'hi', triggers: [{ type: 'schedule', cron: '61 * * * *' }] }, 'cron'],
      [{ name: 'x', prompt: 'hi', triggers: [{ type: 'schedule', cron: '* * * * *', timezone: 'Mars/Olympus' }] }, 'timezone'],
      [{ name: 'x', prompt: 'hi', triggers: [{ type: 'event', condition: 'event.size >' }] }, 'condition'],
      [{ name: 'x', prompt: 'hi', runtime: { id: 'nope' } }, 'no runtime "nope"'],
      [{ name: 'x', prompt: 'hi', runtime: { id: 'command', options: {} } }, 'options.command'],
    ];
    for (const [body, field] of cases) {
      const answer = await fixture.api('POST', '/flows', { runtime: { id: 'echo' }, ...body });
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(answer.body.error.message).toContain(field);
    }
    expect((await fixture.api('GET', '/flows')).body.items).toEqual([]);
  });

  it('runs a flow by hand with inputs validated against its declared inputs, and renders the prompt', async () => {
    const { flow } = await create({
      name: 'manual',
      prompt: 'Deploy {{ inputs.service }} x{{ inputs.count }} dry={{ inputs.dryRun }} for {{ flow.name }}',
      inputs: { service: { required: true }, count: { type: 'number', default: 1 }, dryRun: { type: 'boolean' } },
    });
    expect((await fixture.api('POST', `/flows/${flow.id}/run`, { inputs: {} })).body.error.message).toContain(
      'inputs.service: is required',
    );
    const unknown = await fixture.api('POST', `/flows/${flow.id}/run`, { inputs: { service: 'api', colour: 'red' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('inputs.colour: is not an input of this flow');
    expect(
      (await fixture.api('POST', `/flows/${flow.id}/run`, { inputs: { service: 'api', count: 'many' } })).body.error.message,
    ).toContain('inputs.count: must be a number');
    expect(await executions(flow.id)).toEqual([]);

    const started = await fixture.api('POST', `/flows/${flow.id}/run`, { inputs: { service: 'api', count: '3', dryRun: 'true' } });
    expect(started.status).toBe(202);
    const done = await fixture.waitFor(started.body.id, 'succeeded');
    expect(done.renderedPrompt).toBe('Deploy api x3 dry=true for manual');
    expect(done.result).toBe('Deploy api x3 dry=true for manual');
    expect(done.trigger).toMatchObject({ type: 'manual' });
    expect(done.runtimeSessionId).toMatch(/.+/);
    const session = await fixture.preloop.identity.runtimeSessions.get(fixture.preloop.accountId, done.runtimeSessionId);
    expect(session).toMatchObject({
      state: 'ended',
      agentId: (await fixture.api('GET', `/flows/${flow.id}`)).body.agentId,
      source: 'flow',
    });
  });

  it('starts on a kernel event that passes the type, project, label and CEL filters, once per delivery', async () => {
    const { flow } = await create({
      name: 'events',
      prompt: 'Widget {{ event.project }} size {{ event.size }}{{ event.missing | default: "" }}',
      triggers: [
        {
          type: 'event',
          event: 'widget-event',
          types: ['widget.labeled'],
          projects: ['acme/api'],
          labels: ['triage'],
          condition: 'event.size > 10',
        },
      ],
    });
    const base = { accountId: fixture.preloop.accountId, type: 'widget.labeled', project: 'acme/api', label: 'triage', size: 11 };
    fixture.preloop.events.emit('widget-event', { ...base, size: 5 }); // condition false
    fixture.preloop.events.emit('widget-event', { ...base, type: 'widget.opened' }); // type
    fixture.preloop.events.emit('widget-event', { ...base, project: 'acme/web' }); // project
    fixture.preloop.events.emit('widget-event', { ...base, label: 'bug' }); // label
    fixture.preloop.events.emit('widget-event', { ...base, accountId: 'acc_other' }); // another account
    fixture.preloop.events.emit('widget-event', { ...base, deliveryId: 'd-1' });
    fixture.preloop.events.emit('widget-event', { ...base, deliveryId: 'd-1' }); // the same delivery again
    await expect.poll(async () => (await executions(flow.id)).length).toBe(1);
    const [execution] = await executions(flow.id);
    const done = await fixture.waitFor(execution.id, 'succeeded');
    expect(done.renderedPrompt).toBe('Widget acme/api size 11');
    expect(done.input.event).toMatchObject({ project: 'acme/api', size: 11 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await executions(flow.id)).toHaveLength(1);
  });

  it('accepts a signed webhook once; refuses a bad signature, a stale timestamp and a replay without starting anything', async () => {
    const { flow, webhookSecret } = await create({ name: 'hook', prompt: 'Ticket {{ event.ticket.id }}', triggers: [{ type: 'webhook' }] });
    expect(webhookSecret).toMatch(/^whsec_/);
    expect(flow.webhookUrl).toBe(`http://127.0.0.1:9/api/v1/flows/hooks/${flow.id}`);
    const body = JSON.stringify({ ticket: { id: 'T-7' } });
    const send = (headers: Record<string, string>, payload = body) =>
      fixture.preloop.api(new Request(`http://localhost/api/v1/flows/hooks/${flow.id}`, { method: 'POST', headers, body: payload }));
    const now = Math.floor(Date.now() / 1000);
    const signed = (delivery: string, timestamp = now, payload = body, secret = webhookSecret!) => ({
      'x-preloop-timestamp': String(timestamp),
      'x-preloop-signature': signWebhook(secret, timestamp, payload),
      'x-preloop-delivery': delivery,
    });

    const wrongSecret = await send(signed('a', now, body, 'whsec_wrong'));
    expect(wrongSecret.status).toBe(401);
    expect((await wrongSecret.json()).error.message).toContain('the signature does not match');
    const tampered = await send(signed('b'), JSON.stringify({ ticket: { id: 'T-8' } }));
    expect(tampered.status).toBe(401);
    const stale = await send(signed('c', now - 3600));
    expect(stale.status).toBe(401);
    expect((await stale.json()).error.message).toContain('timestamp');
    expect((await send({ 'x-preloop-delivery': 'd' })).status).toBe(401);
    expect(await executions(flow.id)).toEqual([]);

    const accepted = await send(signed('delivery-1'));
    expect(accepted.status).toBe(202);
    const { executionId } = await accepted.json();
    const replay = await send(signed('delivery-1'));
    expect(replay.status).toBe(409);
    expect((await replay.json()).error.message).toContain('already received');
    const done = await fixture.waitFor(executionId, 'succeeded');
    expect(done.renderedPrompt).toBe('Ticket T-7');
    expect(await executions(flow.id)).toHaveLength(1);

    const rotated = await fixture.api('POST', `/flows/${flow.id}/webhook-secret`);
    expect(rotated.body.webhookSecret).not.toBe(webhookSecret);
    expect((await send(signed('delivery-2'))).status).toBe(401);
    expect((await send(signed('delivery-3', now, body, rotated.body.webhookSecret))).status).toBe(202);
  });

  it('previews a template against a sample event; a broken template is a 400', async () => {
    const preview = await fixture.api('POST', '/flows/preview', {
      prompt:
        'Triage {{ event.issue.title | upcase }} ({{ event.issue.labels | join: ", " }}) {{ event.nothing }}{% for l in event.issue.labels %}[{{ l }}]{% endfor %}',
      event: { issue: { title: 'App crash', labels: ['triage', 'bug'] } },
    });
    expect(preview.status).toBe(200);
    expect(preview.body.rendered).toBe('Triage APP CRASH (triage, bug) [triage][bug]');
    const broken = await fixture.api('POST', '/flows/preview', { prompt: '{% if %}' });
    expect(broken.status).toBe(400);
    expect(broken.body.error.message).toContain('prompt: the template cannot be rendered');
    const include = await fixture.api('POST', '/flows/preview', { prompt: "{% include '/etc/passwd' %}" });
    expect(include.status).toBe(400);
  });

  it('retries a failed attempt per the retry policy, then fails; a failed execution can be retried by hand', async () => {
    const { flow } = await create({ name: 'flaky', prompt: 'please fail', retries: { count: 1, backoffSeconds: 0 } });
    const started = await fixture.api('POST', `/flows/${flow.id}/run`, {});
    const failed = await fixture.waitFor(started.body.id, 'failed');
    expect(failed).toMatchObject({ attempt: 2, failures: 2, error: 'asked to fail' });
    const retried = await fixture.api('POST', `/executions/${started.body.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body.trigger).toMatchObject({ type: 'retry', of: started.body.id });
    await fixture.waitFor(retried.body.id, 'failed');
    expect((await fixture.api('POST', `/executions/${retried.body.id}/cancel`, {})).status).toBe(409);
  });

  it('the kill switch stops starts; a disabled flow does not start', async () => {
    const { flow } = await create({ name: 'stoppable', prompt: 'hi' });
    await fixture.preloop.governance.killSwitch.activate(fixture.preloop.accountId, ['flows'], 'incident 7', admin);
    try {
      const refused = await fixture.api('POST', `/flows/${flow.id}/run`, {});
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toContain('incident 7');
    } finally {
      await fixture.preloop.governance.killSwitch.deactivate(fixture.preloop.accountId, ['flows'], admin);
    }
    await fixture.api('POST', `/flows/${flow.id}/enabled`, { enabled: false });
    expect((await fixture.api('POST', `/flows/${flow.id}/run`, {})).status).toBe(409);
    expect(await executions(flow.id)).toEqual([]);
  });

  it('streams an execution log over SSE and ends with the final status', async () => {
    const { flow } = await create({ name: 'logged', prompt: 'stream me' });
    const started = await fixture.api('POST', `/flows/${flow.id}/run`, {});
    await fixture.waitFor(started.body.id, 'succeeded');
    const response = await fixture.preloop.api(
      new Request(`http://localhost/api/v1/executions/${started.body.id}/logs`, {
        headers: { authorization: `Bearer ${fixture.adminKey}` },
      }),
    );
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    expect(text).toContain('event: log');
    expect(text).toContain('echo: stream me');
    expect(text).toContain('event: end\ndata: {"status":"succeeded"}');
  });

  it('lists the installed runtimes and every execution, and counts executions in the metrics', async () => {
    const runtimes = (await fixture.api('GET', '/flows/runtimes')).body.items.map((runtime: { id: string }) => runtime.id);
    expect(runtimes).toEqual(['agent-loop', 'command', 'echo']);
    const { flow } = await create({ name: 'counted', prompt: 'count me' });
    const started = await fixture.api('POST', `/flows/${flow.id}/run`, {});
    await fixture.waitFor(started.body.id, 'succeeded');
    const all = (await fixture.api('GET', '/executions?limit=200')).body.items.map((execution: { id: string }) => execution.id);
    expect(all).toContain(started.body.id);
    expect(all.length).toBeGreaterThan(1);
    expect((await fixture.api('GET', `/executions?flowId=${flow.id}`)).body.items.map((execution: { id: string }) => execution.id)).toEqual(
      [started.body.id],
    );
    const scrape = await fixture.preloop.metrics.scrape();
    expect(scrape).toContain(`preloop_flow_executions_started_total{flow="${flow.id}",trigger="manual"} 1`);
    expect(scrape).toContain(`preloop_flow_attempts_finished_total{flow="${flow.id}",outcome="succeeded"} 1`);
  });
});
