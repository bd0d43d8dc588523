import { createTestPreloop, testDialects, type TestPreloop } from '@preloop/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { principalKey } from '../http/session-registry.js';
import { mcp } from '../plugin/mcp-plugin.js';
import { createCallStreams } from './call-streams.js';
import type { McpTables } from './mcp-tables.js';

describe.each(testDialects())('calls in flight (mcp_call_streams), on $name', (dialect) => {
  let test: TestPreloop | undefined;
  afterEach(async () => test?.cleanup());

  it('finds a call only with its session and principal, keeps the approval and arguments once bound, and forgets it when removed or swept', async () => {
    test = await createTestPreloop(dialect, { plugins: [mcp({ rescanIntervalMs: 0 })] });
    const streams = createCallStreams(test.preloop);
    // A real principal key holds NUL separators (PostgreSQL text refuses them: the store keeps only hashes).
    const key = principalKey({ accountId: 'acc_default', type: 'api_key', id: 'key_1' } as never);
    const other = principalKey({ accountId: 'acc_default', type: 'api_key', id: 'key_2' } as never);
    await streams.open('session-a', {
      streamId: 'stream-1',
      accountId: 'acc_default',
      principalKey: key,
      requestId: 7,
      tool: 'up.deploy',
      progressToken: 'p-1',
    });
    await streams.open('session-a', {
      streamId: 'stream-2',
      accountId: 'acc_default',
      principalKey: key,
      requestId: 'r-8',
      tool: 'up.sleep',
      progressToken: null,
    });

    expect(await streams.find('stream-1', 'session-a', key)).toMatchObject({
      streamId: 'stream-1',
      requestId: 7,
      tool: 'up.deploy',
      progressToken: 'p-1',
      approvalId: null,
      args: null,
    });
    expect(await streams.find('stream-1', 'session-b', key)).toBeNull();
    expect(await streams.find('stream-1', 'session-a', other)).toBeNull();
    expect(await streams.find('stream-9', 'session-a', key)).toBeNull();
    const stored = await test.preloop.db
      .withTables<McpTables>()
      .selectFrom('mcp_call_streams')
      .select(['session_hash', 'principal_hash'])
      .where('stream_id', '=', 'stream-1')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain('session-a');
    expect(JSON.stringify(stored)).not.toContain('key_1');

    await streams.bindApproval('stream-1', 'apr_1', { service: 'api' });
    expect(await streams.find('stream-1', 'session-a', key)).toMatchObject({ approvalId: 'apr_1', args: { service: 'api' } });
    expect(await streams.find('stream-2', 'session-a', key)).toMatchObject({ requestId: 'r-8', approvalId: null });

    await streams.remove('stream-1');
    expect(await streams.find('stream-1', 'session-a', key)).toBeNull();
    expect(await streams.sweep(Date.now() - 60_000)).toBe(0);
    expect(await streams.sweep(Date.now() + 1)).toBe(1);
    expect(await streams.find('stream-2', 'session-a', key)).toBeNull();
  });
});
