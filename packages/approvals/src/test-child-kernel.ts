/**
 * A kernel run as a child process by `restart.test.ts`: it creates pending
 * approval requests, prints them as one JSON line, and stays up until killed.
 * Usage: node --conditions=@preloop/source --import tsx test-child-kernel.ts <database> <count> <timeoutSeconds>
 */
import { createLogger, createPreloop, type Principal } from '@preloop/core';
import { approvals } from './approvals-plugin.js';

const [database, countText, timeoutText] = process.argv.slice(2);
const preloop = await createPreloop({
  database: database!,
  secretKey: process.env.PRELOOP_SECRET_KEY!,
  logger: createLogger({ level: 'silent' }),
  plugins: [approvals({ workflows: { restart: { approvers: { roles: ['approver'] }, timeoutSeconds: Number(timeoutText) } } })],
});
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
const tickets = [];
for (let index = 0; index < Number(countText); index += 1) {
  tickets.push(
    await engine.request({ principal: requester, tool: { name: 'deploy', definitionHash: null }, args: { index }, workflow: 'restart' }),
  );
}
process.stdout.write(
  `${JSON.stringify(tickets.map((ticket) => ({ id: ticket.id, status: ticket.status, expiresAt: ticket.expiresAt })))}\n`,
);
setInterval(() => {}, 60_000);
