import type { Kysely } from 'kysely';
import { isPreloopError } from '../../errors.js';
import type { Identity } from '../../identity/create-identity.js';
import { sha256Hex } from '../../json/canonical-json.js';
import type { Logger } from '../../logger.js';
import type { IssueStore } from './issue-store.js';
import { toStoredIssue, type IssueStoreTables, type StoredIssue } from './issue-tables.js';

/** How duplicate detection computes embeddings: a model alias of our own gateway. */
export interface IssueSimilarityOptions {
  /** The gateway model alias for embeddings (its `/openai/v1/embeddings`). */
  model: string;
  /**
   * The gateway: the base URL it is served at (the one in front of
   * `/openai/v1`), or its web-standard handler (`gateway.handler`), called in
   * process. Either way the call is authenticated, budgeted and audited like any.
   */
  gateway: string | ((request: Request) => Promise<Response>);
  /** Most issues of the project embedded by one `similar` call that finds them missing. @default 200 */
  backfillLimit?: number;
}

/** `GET /issues/:id/similar`: similar issues, or why there are none. */
export type SimilarIssues =
  | { available: true; model: string; items: Array<{ issue: StoredIssue; score: number }> }
  | { available: false; reason: string; items: [] };

/** Duplicate detection over stored issues. */
export interface IssueSimilarity {
  /** Sets (or, with null, removes) the embeddings model. */
  configure(options: IssueSimilarityOptions | null): void;
  /** The issues of the same project most similar to issue `id` (cosine similarity of title + body embeddings). */
  similar(accountId: string, id: string, options?: { limit?: number; minScore?: number }): Promise<SimilarIssues>;
}

const textOf = (issue: { title: string; body: string }) => `${issue.title}\n\n${issue.body}`.slice(0, 8000);

function toVector(bytes: Uint8Array): Float32Array {
  return new Float32Array(Uint8Array.from(bytes).buffer);
}

/** Cosine similarity of two vectors (0 when either is all zeros or they differ in length). */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index++) {
    dot += a[index]! * b[index]!;
    normA += a[index]! * a[index]!;
    normB += b[index]! * b[index]!;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

/**
 * Creates duplicate detection. Embeddings are computed lazily, when similar
 * issues are asked for: the issue's own and those missing in its project (up
 * to `backfillLimit`), through the gateway with a runtime credential of a
 * kernel-started runtime session (audience `gateway`, source `trackers`), so
 * the spend shows under that session. Vectors are stored as float32 bytes
 * (BLOB/bytea), keyed by a hash of the text, and compared in JavaScript over
 * the project's issues.
 *
 * @example
 * ```ts
 * const similarity = createIssueSimilarity({ db, store, identity: preloop.identity, logger: preloop.logger });
 * similarity.configure({ model: 'embed', gateway: 'https://preloop.example' });
 * ```
 */
export function createIssueSimilarity(context: {
  db: Kysely<IssueStoreTables>;
  store: IssueStore;
  identity: Identity;
  logger: Logger;
  options?: IssueSimilarityOptions | null;
  now?: () => number;
}): IssueSimilarity {
  const { db, store, identity } = context;
  const now = context.now ?? Date.now;
  let options = context.options ?? null;
  const credentials = new Map<string, { sessionId: string; token: string; expiresAt: number }>();

  async function credential(accountId: string): Promise<string> {
    const held = credentials.get(accountId);
    if (held && held.expiresAt - 60_000 > now()) return held.token;
    const started = held ? await identity.runtimeSessions.heartbeat(accountId, held.sessionId).catch(() => null) : null;
    const fresh =
      started ?? (await identity.runtimeSessions.start(accountId, { name: 'issue similarity', source: 'trackers', audience: ['gateway'] }));
    credentials.set(accountId, { sessionId: fresh.session.id, token: fresh.credential.token, expiresAt: fresh.credential.expiresAt });
    return fresh.credential.token;
  }

  async function embed(accountId: string, settings: IssueSimilarityOptions, inputs: string[]): Promise<Float32Array[]> {
    const request = new Request(
      new URL('/openai/v1/embeddings', typeof settings.gateway === 'string' ? settings.gateway : 'http://gateway.internal'),
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await credential(accountId)}` },
        body: JSON.stringify({ model: settings.model, input: inputs }),
      },
    );
    const response = typeof settings.gateway === 'string' ? await fetch(request) : await settings.gateway(request);
    const body = (await response.json().catch(() => null)) as {
      data?: Array<{ index: number; embedding: number[] }>;
      error?: { code?: string; message?: string };
    } | null;
    if (!response.ok || !Array.isArray(body?.data)) {
      const code = body?.error?.code ?? `HTTP ${response.status}`;
      throw new Error(
        `the gateway did not compute embeddings with model "${settings.model}" (${code}: ${body?.error?.message ?? 'no data'})`,
      );
    }
    const vectors: Float32Array[] = [];
    for (const item of body.data) vectors[item.index] = Float32Array.from(item.embedding);
    if (vectors.length !== inputs.length || vectors.some((vector) => !vector))
      throw new Error('the gateway answered fewer embeddings than asked');
    return vectors;
  }

  async function ensure(accountId: string, settings: IssueSimilarityOptions, issues: StoredIssue[]): Promise<Map<string, Float32Array>> {
    const found = new Map<string, Float32Array>();
    if (issues.length === 0) return found;
    const rows = await db
      .selectFrom('tracker_issue_embeddings')
      .selectAll()
      .where(
        'issue_id',
        'in',
        issues.map((issue) => issue.id),
      )
      .where('model', '=', settings.model)
      .execute();
    const byId = new Map(rows.map((row) => [row.issue_id, row]));
    const missing = issues.filter((issue) => byId.get(issue.id)?.content_hash !== sha256Hex(textOf(issue)));
    for (const row of rows) if (!missing.some((issue) => issue.id === row.issue_id)) found.set(row.issue_id, toVector(row.vector));
    for (let start = 0; start < missing.length; start += 64) {
      const batch = missing.slice(start, start + 64);
      const vectors = await embed(accountId, settings, batch.map(textOf));
      for (const [index, issue] of batch.entries()) {
        const vector = vectors[index]!;
        found.set(issue.id, vector);
        const values = {
          issue_id: issue.id,
          account_id: accountId,
          connection_id: issue.connectionId,
          project: issue.project,
          model: settings.model,
          content_hash: sha256Hex(textOf(issue)),
          vector: new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength),
          created_at: now(),
        };
        await db
          .insertInto('tracker_issue_embeddings')
          .values(values)
          .onConflict((conflict) =>
            conflict.column('issue_id').doUpdateSet({
              model: values.model,
              content_hash: values.content_hash,
              vector: values.vector,
              created_at: values.created_at,
            }),
          )
          .execute();
      }
    }
    return found;
  }

  return {
    configure(next) {
      options = next;
    },
    async similar(accountId, id, query = {}) {
      const settings = options;
      const issue = await store.get(accountId, id);
      if (!settings)
        return {
          available: false,
          reason: 'No embeddings model is configured for duplicate detection (see "Sync and search" in the trackers guide).',
          items: [],
        };
      const rows = await db
        .selectFrom('tracker_issues')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('connection_id', '=', issue.connectionId)
        .where('project', '=', issue.project)
        .where('kind', '=', 'issue')
        .where('id', '!=', issue.id)
        .orderBy('updated_at', 'desc')
        .limit(settings.backfillLimit ?? 200)
        .execute();
      let vectors: Map<string, Float32Array>;
      try {
        vectors = await ensure(accountId, settings, [issue, ...rows.map(toStoredIssue)]);
      } catch (error) {
        const reason = isPreloopError(error) || error instanceof Error ? error.message : 'the embeddings call failed';
        context.logger.warn('trackers: duplicate detection could not compute embeddings', { error, issueId: id });
        return { available: false, reason: `Embeddings are unavailable: ${reason}`, items: [] };
      }
      const own = vectors.get(issue.id)!;
      const minScore = query.minScore ?? 0.8;
      const items = rows
        .map((row) => ({ issue: toStoredIssue(row), score: cosineSimilarity(own, vectors.get(row.id) ?? new Float32Array()) }))
        .filter((item) => item.score >= minScore)
        .sort((a, b) => b.score - a.score)
        .slice(0, query.limit ?? 5);
      return { available: true, model: settings.model, items };
    },
  };
}
