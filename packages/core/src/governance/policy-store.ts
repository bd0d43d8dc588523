import type { Kysely } from 'kysely';
import type { KernelTables } from '../storage/schema.js';
import type { AuditRecordInput } from '../audit/audit-types.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { Bus } from '../bus/bus.js';
import { PreloopError } from '../errors.js';
import { createId } from '../ids.js';
import {
  compilePolicy,
  defaultPolicy,
  diffPolicies,
  parsePolicyDocument,
  runPolicyTests,
  toPolicyJson,
  toPolicyYaml,
  type CompiledPolicy,
  type PolicyDocument,
  type PolicyTestReport,
} from '../policy/index.js';
import { completePolicy } from '../policy/complete-policy.js';
import type { PolicyDocumentInput } from '../policy/policy-schema.js';
import { createAccountCache } from '../bus/account-cache.js';
import { governanceBusChannel } from './governance-signals.js';

/** One stored version of an account's policy. */
export interface PolicyVersion {
  version: number;
  /** The document as written (YAML or JSON text). */
  source: string;
  document: PolicyDocument;
  comment: string | null;
  createdBy: string | null;
  createdAt: number;
  /** True for the version in force. */
  active: boolean;
}

/** The policy in force for an account, compiled. */
export interface ActivePolicy {
  version: number;
  document: PolicyDocument;
  compiled: CompiledPolicy;
}

/** The result of validating a document without applying it. */
export interface PolicyValidation {
  valid: boolean;
  /** Each problem with its path, message and (for text) line. */
  issues: { path: string; message: string; line?: number }[];
  /** The embedded `tests:` results, when the document is valid. */
  tests: PolicyTestReport | null;
}

type Actor = AuditRecordInput['actor'];
const activeKey = 'policy.active';

/**
 * Versioned policy storage: validate, apply, list, diff, roll back and export,
 * with the active version compiled once and cached on every instance (the Bus
 * announces changes). A failed apply never changes the active version.
 *
 * @example
 * ```ts
 * const store = createPolicyStore({ db, bus, audit, initialPolicy: undefined });
 * await store.apply('acc_default', yamlText, actor, 'allow reads');
 * ```
 */
export function createPolicyStore(options: {
  db: Kysely<KernelTables>;
  bus: Bus;
  audit: AuditTrail;
  initialPolicy?: string | Record<string, unknown>;
  cacheTtlMs?: number;
}) {
  const { db, audit } = options;

  const loadActive = async (accountId: string): Promise<ActivePolicy> => {
    const state = await db
      .selectFrom('kernel_state')
      .select('value')
      .where('account_id', '=', accountId)
      .where('key', '=', activeKey)
      .executeTakeFirst();
    if (!state) {
      await ensureInitialPolicy(accountId);
      return loadActive(accountId);
    }
    const version = Number(JSON.parse(state.value as string));
    const row = await db
      .selectFrom('policy_versions')
      .select(['document'])
      .where('account_id', '=', accountId)
      .where('version', '=', version)
      .executeTakeFirstOrThrow();
    const document = parsePolicyDocument(JSON.parse(row.document as string), 'json');
    return { version, document, compiled: compilePolicy(document) };
  };
  const cache = createAccountCache({
    bus: options.bus,
    channel: governanceBusChannel,
    kind: 'policy',
    ttlMs: options.cacheTtlMs ?? 5000,
    load: loadActive,
  });

  const parse = (text: string | Record<string, unknown>): PolicyDocument =>
    typeof text === 'string'
      ? parsePolicyDocument(text, text.trimStart().startsWith('{') ? 'json' : 'yaml')
      : parsePolicyDocument(text, 'json');

  const insertVersion = async (
    accountId: string,
    document: PolicyDocument,
    source: string,
    comment: string | null,
    createdBy: string | null,
  ) =>
    db.transaction().execute(async (trx) => {
      const last = await trx
        .selectFrom('policy_versions')
        .select((eb) => eb.fn.max('version').as('version'))
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      const version = Number(last?.version ?? 0) + 1;
      const now = Date.now();
      await trx
        .insertInto('policy_versions')
        .values({
          id: createId('pol'),
          account_id: accountId,
          version,
          document: JSON.stringify(document),
          source,
          comment,
          created_by: createdBy,
          created_at: now,
        })
        .execute();
      await trx
        .insertInto('kernel_state')
        .values({ account_id: accountId, key: activeKey, value: JSON.stringify(version), updated_at: now })
        .onConflict((conflict) => conflict.columns(['account_id', 'key']).doUpdateSet({ value: JSON.stringify(version), updated_at: now }))
        .execute();
      return version;
    });

  async function ensureInitialPolicy(accountId: string): Promise<void> {
    // A policy object given in code is completed from the shipped default; a text is a whole document, as in files and the API.
    const initial = options.initialPolicy;
    const document = initial
      ? parse(typeof initial === 'string' ? initial : (completePolicy(initial as PolicyDocumentInput) as Record<string, unknown>))
      : defaultPolicy;
    const source = typeof options.initialPolicy === 'string' ? options.initialPolicy : toPolicyYaml(document);
    try {
      await insertVersion(accountId, document, source, options.initialPolicy ? 'initial policy' : 'default policy', null);
    } catch (error) {
      // Another instance created version 1 at the same moment: use theirs.
      const exists = await db
        .selectFrom('kernel_state')
        .select('value')
        .where('account_id', '=', accountId)
        .where('key', '=', activeKey)
        .executeTakeFirst();
      if (!exists) throw error;
    }
  }

  const toVersion = (row: Record<string, unknown>, activeVersion: number): PolicyVersion => ({
    version: Number(row.version),
    source: row.source as string,
    document: JSON.parse(row.document as string) as PolicyDocument,
    comment: (row.comment as string | null) ?? null,
    createdBy: (row.created_by as string | null) ?? null,
    createdAt: Number(row.created_at),
    active: Number(row.version) === activeVersion,
  });

  const store = {
    /** The policy in force, compiled (cached per version). */
    active: (accountId: string): Promise<ActivePolicy> => cache.get(accountId),

    /** Validates a document (text or object) and runs its embedded tests, changing nothing. */
    validate(text: string | Record<string, unknown>): PolicyValidation {
      try {
        const document = parse(text);
        return { valid: true, issues: [], tests: runPolicyTests(compilePolicy(document)) };
      } catch (error) {
        if (error instanceof PreloopError && error.code === 'VALIDATION_ERROR') {
          const details = error.details as PolicyValidation['issues'] | { issues?: PolicyValidation['issues'] } | undefined;
          const issues = (Array.isArray(details) ? details : details?.issues) ?? [{ path: '', message: error.message }];
          return { valid: false, issues, tests: null };
        }
        throw error;
      }
    },

    /**
     * Makes a new version active. Refused (400, nothing changed) when the
     * document is invalid or one of its embedded tests fails.
     */
    async apply(accountId: string, text: string | Record<string, unknown>, actor: Actor, comment?: string): Promise<PolicyVersion> {
      const document = parse(text);
      const report = runPolicyTests(compilePolicy(document));
      if (report.failed.length > 0) {
        throw new PreloopError(
          'VALIDATION_ERROR',
          `Policy not applied: ${report.failed.length} of its tests failed (${report.failed.map((f) => f.name).join(', ')}).`,
          {
            details: { tests: report },
          },
        );
      }
      const source = typeof text === 'string' ? text : toPolicyYaml(document);
      const createdBy = 'id' in actor ? (actor.id ?? null) : null;
      const version = await insertVersion(accountId, document, source, comment ?? null, createdBy);
      await cache.invalidate(accountId);
      await audit.record({
        accountId,
        actor,
        action: 'policy.apply',
        target: { type: 'policy', id: String(version) },
        outcome: 'success',
        data: { version, comment: comment ?? null },
      });
      return (await store.get(accountId, version))!;
    },

    /** Every version, newest first. */
    async versions(accountId: string): Promise<PolicyVersion[]> {
      const active = (await cache.get(accountId)).version;
      const rows = await db
        .selectFrom('policy_versions')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('version', 'desc')
        .execute();
      return rows.map((row) => toVersion(row, active));
    },

    /** One version, or null. */
    async get(accountId: string, version: number): Promise<PolicyVersion | null> {
      const active = (await cache.get(accountId)).version;
      const row = await db
        .selectFrom('policy_versions')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('version', '=', version)
        .executeTakeFirst();
      return row ? toVersion(row, active) : null;
    },

    /** A unified diff between two versions, or between a version and a proposed document. */
    async diff(accountId: string, from: number, to: number | string | Record<string, unknown>): Promise<string> {
      const fromVersion = await store.get(accountId, from);
      if (!fromVersion) throw new PreloopError('NOT_FOUND', `No policy version ${from}.`);
      if (typeof to === 'number') {
        const toVersion = await store.get(accountId, to);
        if (!toVersion) throw new PreloopError('NOT_FOUND', `No policy version ${to}.`);
        return diffPolicies(fromVersion.document, toVersion.document, { fromLabel: `v${from}`, toLabel: `v${to}` });
      }
      return diffPolicies(fromVersion.document, parse(to), { fromLabel: `v${from}`, toLabel: 'proposed' });
    },

    /** Makes an earlier version's document active again, as a new version. */
    async rollback(accountId: string, version: number, actor: Actor): Promise<PolicyVersion> {
      const target = await store.get(accountId, version);
      if (!target) throw new PreloopError('NOT_FOUND', `No policy version ${version}.`);
      return store.apply(accountId, target.source, actor, `rollback to v${version}`);
    },

    /** The active (or given) version as YAML or JSON text. */
    async export(accountId: string, format: 'yaml' | 'json' = 'yaml', version?: number): Promise<string> {
      const document = version === undefined ? (await cache.get(accountId)).document : (await store.get(accountId, version))?.document;
      if (!document) throw new PreloopError('NOT_FOUND', `No policy version ${version}.`);
      return format === 'json' ? toPolicyJson(document) : toPolicyYaml(document);
    },

    close: () => cache.close(),
  };
  return store;
}

/** The policy store's interface. */
export type PolicyStore = ReturnType<typeof createPolicyStore>;
