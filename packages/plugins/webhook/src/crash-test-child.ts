/**
 * A kernel run as a child process by `delivery-crash.test.ts` (not published):
 * approvals with the webhook notifier posting to the test's receiver.
 * `create <count>` makes pending requests and prints their ids as one JSON
 * line; `serve` prints `"ready"`. Either way it stays up, delivering, until killed.
 * Usage: node --conditions=@preloop/source --import tsx crash-test-child.ts <database> <receiverUrl> create|serve [count]
 */
import { approvals } from '@preloop/approvals';
import { createLogger, createPreloop, type Principal } from '@preloop/core';
import { crashTestApprovals } from './crash-test-support.js';
import { webhook } from './webhook-plugin.js';

const [database, receiverUrl, mode, countText] = process.argv.slice(2);
const preloop = await createPreloop({
  database: database!,
  secretKey: process.env.PRELOOP_SECRET_KEY!,
  logger: createLogger({ level: 'silent' }),
  plugins: [approvals(crashTestApprovals), webhook({ url: receiverUrl!, secret: process.env.PRELOOP_WEBHOOK_SECRET!, timeoutMs: 60_000 })],
});
if (mode === 'create') {
  const requester: Principal = {
    type: 'user',
    id: 'usr_child_requester',
    accountId: preloop.accountId,
    name: 'child requester',
    role: 'viewer',
    userId: 'usr_child_requester',
    apiKeyId: null,
    agentId: null,
    runtimeSessionId: null,
    teamIds: [],
    scopes: [],
  };
  const engine = preloop.service('approvals');
  const ids: string[] = [];
  for (let index = 0; index < Number(countText); index += 1) {
    ids.push(
      (await engine.request({ principal: requester, tool: { name: 'deploy', definitionHash: null }, args: { index }, workflow: 'crash' }))
        .id,
    );
  }
  process.stdout.write(`${JSON.stringify(ids)}\n`);
} else {
  process.stdout.write('"ready"\n');
}
setInterval(() => {}, 60_000);
