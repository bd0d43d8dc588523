import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Execution } from '../../client/api-types.js';
import { axeViolations } from '../../../test/axe-check.js';
import { clickButton, mount, ownerClient, query, queryAll, textOf, unmountAll, waitFor } from '../../../test/browser-helpers.js';

afterEach(unmountAll);

describe('<preloop-executions>', () => {
  const flowIds: string[] = [];
  let succeeded: Execution;

  beforeAll(async () => {
    // An agent-loop flow on the test kernel's model (its in-process upstream answers at once), run by hand.
    const { flow } = await ownerClient().route('POST /flows', {
      body: { name: 'executions-quick', prompt: 'Summarize the failing checkout test.', model: 'fast', tools: [] },
    });
    flowIds.push(flow.id);
    const started = await ownerClient().route('POST /flows/:id/run', { params: { id: flow.id }, body: {} });
    succeeded = await waitFor(
      async () => {
        const execution = await ownerClient().route('GET /executions/:id', { params: { id: started.id } });
        return execution.status === 'succeeded' ? execution : null;
      },
      { timeout: 15_000 },
    );
  });
  afterAll(async () => {
    for (const id of flowIds) await ownerClient().route('DELETE /flows/:id', { params: { id } });
  });

  it('lists a flow’s executions with a status filter, and shows one with its prompt, steps, cost, result and log', async () => {
    const list = await mount('preloop-executions', { client: ownerClient() }, { 'flow-id': flowIds[0]! });
    const item = await waitFor(() => query(list, `tr[data-execution="${succeeded.id}"]`));
    expect(textOf(item)).toContain('executions-quick');
    expect(textOf(item)).toContain('succeeded');
    const filter = query<HTMLSelectElement>(list, '.filters select')!;
    filter.value = 'failed';
    filter.dispatchEvent(new Event('change'));
    await waitFor(() => !query(list, `tr[data-execution="${succeeded.id}"]`) && query(list, '.empty'));
    expect(await axeViolations(list)).toEqual([]);

    const detail = await mount('preloop-executions', { client: ownerClient() }, { 'execution-id': succeeded.id });
    const section = await waitFor(() => query(detail, 'section.detail'));
    expect(textOf(query(section, 'pre.prompt'))).toBe('Summarize the failing checkout test.');
    expect(textOf(query(section, 'pre.result'))).toContain('Done: the flaky test waits for the cart to load.');
    expect(textOf(query(section, 'dd.cost'))).toMatch(/\$\d/);
    // The log is read from the engine's event stream: its lines, then the end.
    await waitFor(() => textOf(query(detail, 'pre.log')).includes('Done: the flaky test'), { timeout: 15_000 });
    await waitFor(() => !query(detail, '.badge.live'));
    expect(queryAll(detail, 'table.steps tr[data-kind]').length).toBeGreaterThan(0);
    expect(await axeViolations(detail)).toEqual([]);
  });

  it('cancels a running execution, then retries it into a new one', async () => {
    const { flow } = await ownerClient().route('POST /flows', {
      body: { name: 'executions-slow', prompt: 'Wait.', runtime: { id: 'command', options: { command: 'sleep', args: ['30'] } } },
    });
    flowIds.push(flow.id);
    const started = await ownerClient().route('POST /flows/:id/run', { params: { id: flow.id }, body: {} });
    const detail = await mount('preloop-executions', { client: ownerClient() }, { 'execution-id': started.id });
    await waitFor(() => query(detail, 'section.detail[data-status="running"]'), { timeout: 10_000 });
    clickButton(detail, 'Cancel');
    await waitFor(() => query(detail, 'section.detail[data-status="cancelled"]'), { timeout: 10_000 });
    clickButton(detail, 'Retry');
    await waitFor(() => detail.executionId !== started.id);
    const retried = detail.executionId!;
    await waitFor(() => query(detail, 'section.detail') && textOf(query(detail, 'h2')).includes(retried));
    await ownerClient().route('POST /executions/:id/cancel', { params: { id: retried }, body: {} });
    await waitFor(() => query(detail, 'section.detail[data-status="cancelled"]'), { timeout: 10_000 });
  });
});
