import { z } from 'zod';
import { PreloopError } from '../../errors.js';
import type { Principal } from '../../identity/principal.js';
import type { AuditRecord } from '../../audit/audit-types.js';
import type { AuditVerifyReport } from '../../audit/audit-verify.js';
import type { CheckpointPublicKey } from '../../audit/checkpoints.js';
import { defineRoute, type AdminRoute, type SchemaAgrees } from '../define-route.js';
import { pageQueryShape } from '../../pagination/cursor-pagination.js';

const text = (max: number) => z.string().trim().min(1).max(max);
const epochMilliseconds = z.coerce.number().int().min(0).max(8_640_000_000_000_000);

/** Query of `GET /audit`. */
export const auditQuery = z.strictObject({
  action: text(200).optional().describe('An exact action, or a prefix ending in * (for example tool.*)'),
  actorId: text(500).optional(),
  targetType: text(200).optional(),
  targetId: text(500).optional(),
  outcome: text(64).optional(),
  runtimeSessionId: text(500).optional(),
  from: epochMilliseconds.optional().describe('Earliest time (epoch ms), inclusive'),
  to: epochMilliseconds.optional().describe('Latest time (epoch ms), exclusive'),
  ...pageQueryShape,
});

/** One audit record. */
export const auditRecordSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  seq: z.number(),
  time: z.number(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  principal: z.record(z.string(), z.unknown()).nullable(),
  runtimeSessionId: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  outcome: z.string(),
  data: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});

/** `POST /audit/verify`: the chain's verification report. */
export const verifyReportSchema = z.object({
  ok: z.boolean(),
  accountId: z.string(),
  records: z.number(),
  checkpoints: z.number(),
  anchored: z.number().optional(),
  headSeq: z.number(),
  /** Where archived records end: verification started after this position. */
  boundary: z.object({ seq: z.number(), hash: z.string() }).optional(),
  firstBroken: z
    .object({
      seq: z.number(),
      id: z.string().nullable(),
      reason: z.enum([
        'hash_mismatch',
        'broken_link',
        'missing',
        'reordered',
        'bad_checkpoint',
        'missing_checkpoint',
        'anchor_mismatch',
        'anchored_checkpoint_missing',
        'truncated',
      ]),
      message: z.string(),
    })
    .optional(),
  durationMs: z.number(),
});

/** The Ed25519 public key that verifies audit checkpoints. */
export const publicKeySchema = z.object({ algorithm: z.literal('Ed25519'), keyId: z.string(), pem: z.string(), raw: z.string() });

true satisfies SchemaAgrees<typeof auditRecordSchema, AuditRecord>;
true satisfies SchemaAgrees<typeof verifyReportSchema, AuditVerifyReport>;
true satisfies SchemaAgrees<typeof publicKeySchema, CheckpointPublicKey>;

/** `GET /audit`: a page of audit records, newest first. */
export const auditPageSchema = z.object({ items: z.array(auditRecordSchema), nextCursor: z.string().nullable() });

function requirePrincipal(principal: Principal | null): Principal {
  if (!principal) throw new PreloopError('UNAUTHENTICATED', 'Authentication required.');
  return principal;
}

/**
 * The audit routes of the admin API: query (filters and cursor pagination),
 * read one record, verify the chain (admin and up; the verification itself is
 * audited), and the public key that verifies checkpoints.
 */
export const auditRoutes: AdminRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/audit',
    summary: 'List audit records, newest first, with filters and a cursor',
    tag: 'audit',
    access: { role: 'viewer' },
    query: auditQuery,
    response: auditPageSchema,
    handler: ({ preloop, principal, query }) => preloop.audit.query({ ...query, accountId: requirePrincipal(principal).accountId }),
  }),
  defineRoute({
    method: 'GET',
    path: '/audit/public-key',
    summary: 'The Ed25519 public key that verifies audit checkpoints',
    tag: 'audit',
    access: { role: 'viewer' },
    response: publicKeySchema,
    handler: ({ preloop }) => preloop.audit.publicKey(),
  }),
  defineRoute({
    method: 'GET',
    path: '/audit/:id',
    summary: 'Get one audit record',
    tag: 'audit',
    access: { role: 'viewer' },
    response: auditRecordSchema,
    errors: [404],
    handler: ({ preloop, principal, params }) => preloop.audit.get(requirePrincipal(principal).accountId, params.id!),
  }),
  defineRoute({
    method: 'POST',
    path: '/audit/verify',
    summary: 'Verify the account’s audit chain and name the first broken record',
    tag: 'audit',
    access: { role: 'admin' },
    response: verifyReportSchema,
    async handler({ preloop, principal }) {
      const self = requirePrincipal(principal);
      const report = await preloop.audit.verify(self.accountId);
      await preloop.audit.record({
        actor: self,
        action: 'audit.verify',
        target: { type: 'audit_chain', id: self.accountId },
        outcome: report.ok ? 'success' : 'failure',
        data: {
          records: report.records,
          checkpoints: report.checkpoints,
          headSeq: report.headSeq,
          ...(report.firstBroken ? { firstBroken: report.firstBroken } : {}),
        },
      });
      return report;
    },
  }),
];
