import type { AuditRecordInput, Preloop } from '@preloop/core';
import type { McpServerRecord } from '../store/server-schema.js';
import type { ScanToolOutcome } from '../store/tool-store.js';

/**
 * Audits a scan of an upstream server: what it found, pinned, quarantined and
 * removed, or why it failed. (Each quarantine is audited on its own too, with
 * its diff.)
 *
 * @example
 * ```ts
 * await auditScan(preloop.audit, server, principal, { trigger: 'admin', outcomes });
 * ```
 */
export async function auditScan(
  audit: Preloop['audit'],
  server: McpServerRecord,
  actor: AuditRecordInput['actor'],
  result: { trigger: 'admin' | 'automatic'; outcomes?: ScanToolOutcome[]; error?: string },
): Promise<void> {
  const outcomes = result.outcomes ?? [];
  const names = (predicate: (outcome: ScanToolOutcome) => boolean) => outcomes.filter(predicate).map((outcome) => outcome.exposedName);
  await audit.record({
    accountId: server.accountId,
    actor,
    action: 'mcp.server.scan',
    target: { type: 'mcp_server', id: server.id },
    outcome: result.error === undefined ? 'success' : 'failure',
    data: {
      server: server.name,
      trigger: result.trigger,
      ...(result.error === undefined
        ? {
            tools: outcomes.length,
            added: names((outcome) => outcome.change === 'new'),
            pinned: names((outcome) => outcome.status === 'pinned' && outcome.change !== 'unchanged'),
            pending: names((outcome) => outcome.status === 'pending'),
            quarantined: names((outcome) => outcome.status === 'quarantined'),
            removed: names((outcome) => outcome.change === 'removed'),
            invalid: names((outcome) => outcome.status === 'invalid'),
            flagged: outcomes
              .filter((outcome) => outcome.flags.length > 0)
              .map((outcome) => ({ tool: outcome.exposedName, flags: outcome.flags })),
          }
        : { error: result.error }),
    },
  });
}
