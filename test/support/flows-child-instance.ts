/**
 * A second Preloop instance with flows, run as a child process by
 * `flows-crash.test.ts` on the database given: it starts an execution of the
 * flow given, prints its id as one line, and runs it until the test kills it
 * with SIGKILL.
 * Usage: node --conditions=@preloop/source --import tsx flows-child-instance.ts <database> <leaseMs> <flowId>
 */
import { createLogger, createPreloop } from '@preloop/core';
import { flows } from '@preloop/flows';

const [database, leaseText, flowId] = process.argv.slice(2);
const preloop = await createPreloop({
  database: database!,
  secretKey: process.env.PRELOOP_SECRET_KEY!,
  logger: createLogger({ level: 'silent' }),
  plugins: [
    flows({ baseUrl: 'http://127.0.0.1:9', instanceId: 'child', leaseMs: Number(leaseText), pollIntervalMs: 50, scheduleIntervalMs: 0 }),
  ],
});
const execution = await preloop.service('flows').run(preloop.accountId, flowId!, {}, null);
process.stdout.write(`${execution.id}\n`);
