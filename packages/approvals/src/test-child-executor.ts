/**
 * A kernel run as a child process by `execution-lease.test.ts`: it claims the
 * execution of an approved request, prints `claimed` and then "runs" the call
 * forever, until the test kills it with SIGKILL mid-execution.
 * Usage: node --conditions=@preloop/source --import tsx test-child-executor.ts <database> <requestId> <leaseSeconds> <idempotent>
 */
import { createLogger, createPreloop } from '@preloop/core';
import { approvals } from './approvals-plugin.js';

const [database, requestId, leaseText, idempotentText] = process.argv.slice(2);
const preloop = await createPreloop({
  database: database!,
  secretKey: process.env.PRELOOP_SECRET_KEY!,
  logger: createLogger({ level: 'silent' }),
  plugins: [approvals({ executionLeaseSeconds: Number(leaseText) })],
});
const claimed = await preloop.service('approvals').claimExecution(requestId!, { idempotent: idempotentText === 'true' });
process.stdout.write(`${claimed ? 'claimed' : 'not claimed'}\n`);
// The tool "runs" (and the lease is renewed) until the process is killed.
setInterval(() => {}, 60_000);
