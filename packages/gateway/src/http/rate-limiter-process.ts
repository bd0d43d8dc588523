/**
 * A rate limiter in its own process, for the two-process test of
 * `rate-limiter.test.ts`: opens a kernel on `argv[2]`, takes `argv[3]` requests
 * for one API key at the fixed time `argv[4]` under a limit of 10 per minute,
 * starting at the wall-clock time `argv[5]` (so two processes overlap), and
 * prints how many were admitted. Run with tsx, never imported.
 *
 * @module
 */

import { createLogger, createPreloop, isPreloopError, type Principal } from '@preloop/core';
import { createRateLimiter } from './rate-limiter.js';

const [database, count, at, startAt] = process.argv.slice(2);
const preloop = await createPreloop({
  database: database!,
  secretKey: process.env.PRELOOP_SECRET_KEY!,
  logger: createLogger({ level: 'silent' }),
});
const limiter = createRateLimiter(preloop.rateLimits, { apiKey: { requestsPerMinute: 10, burst: 10 } });
const principal = {
  type: 'api_key',
  id: 'key_shared',
  accountId: preloop.accountId,
  name: 'shared',
  role: null,
  userId: null,
  apiKeyId: 'key_shared',
  agentId: null,
  runtimeSessionId: null,
  teamIds: [],
  scopes: ['gateway'],
} as Principal;
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
let admitted = 0;
for (let index = 0; index < Number(count); index++) {
  try {
    await limiter.take(principal, Number(at));
    admitted += 1;
  } catch (error) {
    if (!isPreloopError(error, 'RATE_LIMITED')) throw error;
  }
}
process.stdout.write(`${JSON.stringify({ admitted })}\n`);
await preloop.close();
