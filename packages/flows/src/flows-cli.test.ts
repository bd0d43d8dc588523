/**
 * `preloop flows` against a server on a loopback port: run a flow with
 * `--input` and `--follow` (its log streamed until it ends), list, and an
 * input the flow does not declare refused by the server.
 */
import { runCli } from '@preloop/core/cli';
import { serve, type RunningServer } from '@preloop/core/node';
import { testDialects } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlowsFixture, type FlowsFixture } from './test-support/flows-fixture.js';

describe('preloop flows (CLI)', () => {
  let fixture: FlowsFixture;
  let server: RunningServer;
  let flowId = '';
  const previousKey = process.env.PRELOOP_ADMIN_KEY;
  const cli = async (...argv: string[]) => {
    const lines: string[] = [];
    const code = await runCli([...argv, '--url', server.url], {
      out: (line) => void lines.push(line),
      err: (line) => void lines.push(line),
    });
    return { code, lines };
  };
  beforeAll(async () => {
    fixture = await createFlowsFixture(testDialects()[0]!);
    server = await serve({ handler: fixture.preloop.api, port: 0, host: '127.0.0.1' });
    process.env.PRELOOP_ADMIN_KEY = fixture.adminKey;
    const created = await fixture.api('POST', '/flows', {
      name: 'cli-flow',
      prompt: 'Triage {{ inputs.issue }} in {{ inputs.repo }}',
      inputs: { issue: { type: 'number', required: true }, repo: { default: 'acme/api' } },
      runtime: { id: 'echo' },
    });
    flowId = created.body.flow.id;
  });
  afterAll(async () => {
    if (previousKey === undefined) delete process.env.PRELOOP_ADMIN_KEY;
    else process.env.PRELOOP_ADMIN_KEY = previousKey;
    await server?.close();
    await fixture?.cleanup();
  });

  it('runs a flow with inputs and follows its log to the end', async () => {
    const { code, lines } = await cli('flows', 'run', flowId, '--input', 'issue=7', '--input', 'repo=acme/web', '--follow');
    expect(lines.join('\n')).toContain('[stdout] echo: Triage 7 in acme/web');
    expect(lines.at(-1)).toMatch(/^Execution fex_\S+ succeeded\.$/);
    expect(code).toBe(0);
    const listed = await cli('flows', 'executions', flowId);
    expect(listed.lines[0]).toMatch(/succeeded {2}attempt 1$/);
    expect((await cli('flows', 'list')).lines).toEqual([`${flowId}  cli-flow  enabled  echo`]);
  });

  it('refuses an input the flow does not declare, and a malformed one', async () => {
    const unknown = await cli('flows', 'run', flowId, '--input', 'issue=7', '--input', 'colour=red');
    expect(unknown.code).toBe(1);
    expect(unknown.lines.join('\n')).toContain('400: inputs.colour: is not an input of this flow');
    const malformed = await cli('flows', 'run', flowId, '--input', 'issue');
    expect(malformed.code).toBe(1);
    expect(malformed.lines.join('\n')).toContain('--input must be name=value');
  });
});
