/**
 * A second Preloop instance run as a child process by
 * `mcp-execution-crash.test.ts`: the MCP endpoint with the approval engine on
 * the database given, on a loopback port it prints as one line. The test kills
 * it with SIGKILL while an approved call runs.
 * Usage: node --conditions=@preloop/source --import tsx mcp-child-instance.ts <database> <leaseSeconds> <policy JSON>
 */
import { approvals } from '@preloop/approvals';
import { createLogger, createPreloop } from '@preloop/core';
import { serve } from '@preloop/core/node';
import { createMcpHandler, mcp } from '@preloop/mcp';

const [database, leaseText, policyText] = process.argv.slice(2);
const preloop = await createPreloop({
  database: database!,
  secretKey: process.env.PRELOOP_SECRET_KEY!,
  logger: createLogger({ level: 'silent' }),
  policy: JSON.parse(policyText!),
  plugins: [mcp({ rescanIntervalMs: 0 }), approvals({ executionLeaseSeconds: Number(leaseText) })],
});
const handler = createMcpHandler(preloop);
const server = await serve({ port: 0, handler });
process.stdout.write(`${server.url}/mcp\n`);
