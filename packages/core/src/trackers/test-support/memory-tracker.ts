/**
 * Test support (not exported): a small tracker kept in memory, implementing
 * the tracker contract for core's own tests (core cannot import a plugin).
 * Webhook deliveries are "signed" with an `x-memory-signature` header holding
 * the HMAC-SHA256 of the body, and carry `{ type, project, number, title }`.
 */

import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Tracker, TrackerClient, TrackerIssue } from '../../contracts/tracker.js';
import { PreloopError } from '../../errors.js';

/** Signs a delivery body as the memory tracker verifies it. */
export function signMemoryDelivery(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * A tracker named `memory` whose client serves the issues of one in-memory
 * project `acme/api`; `secrets.token` must be `good-token` or every call is
 * `TRACKER_FORBIDDEN`.
 *
 * @example
 * ```ts
 * createTestPreloop(dialect, { plugins: [definePlugin({ id: 'memory', contributions: { trackers: [memoryTracker()] } })] });
 * ```
 */
export function memoryTracker(): Tracker<{ owner: string }> {
  const issues: TrackerIssue[] = [];
  return {
    id: 'memory',
    version: 1,
    displayName: 'Memory',
    settingsSchema: z.strictObject({ owner: z.string().min(1) }),
    secretsSchema: z.strictObject({ token: z.string().min(1) }),
    pullRequests: false,
    connect({ settings, secrets }) {
      const check = () => {
        if (secrets.token !== 'good-token') throw new PreloopError('TRACKER_FORBIDDEN', 'The token is refused.', { status: 403 });
      };
      const client: Partial<TrackerClient> = {
        test: async () => {
          check();
          return { identity: `${settings.owner}-bot` };
        },
        listProjects: async () => {
          check();
          return { items: [{ id: '1', key: 'acme/api', name: 'api', url: 'https://memory.example/acme/api', raw: {} }], nextCursor: null };
        },
        searchIssues: async () => {
          check();
          return { items: issues, nextCursor: null };
        },
        createIssue: async (input) => {
          check();
          const now = Date.now();
          const number = String(issues.length + 1);
          const issue: TrackerIssue = {
            id: number,
            project: input.project,
            number,
            key: `${input.project}#${number}`,
            title: input.title,
            body: input.body ?? '',
            state: 'open',
            labels: input.labels ?? [],
            assignees: input.assignees ?? [],
            author: `${settings.owner}-bot`,
            url: `https://memory.example/${input.project}/issues/${number}`,
            createdAt: now,
            updatedAt: now,
            closedAt: null,
            raw: {},
          };
          issues.push(issue);
          return issue;
        },
      };
      return client as TrackerClient;
    },
    webhooks: {
      verify(delivery, secret) {
        const given = Buffer.from(delivery.headers.get('x-memory-signature') ?? '');
        const expected = Buffer.from(signMemoryDelivery(new TextDecoder().decode(delivery.rawBody), secret));
        return given.length === expected.length && timingSafeEqual(given, expected);
      },
      deliveryId: (delivery) => delivery.headers.get('x-memory-delivery'),
      parse(delivery) {
        const body = JSON.parse(new TextDecoder().decode(delivery.rawBody)) as { project: string; number: string; title: string };
        const now = Date.now();
        const issue: TrackerIssue = {
          id: body.number,
          project: body.project,
          number: body.number,
          key: `${body.project}#${body.number}`,
          title: body.title,
          body: '',
          state: 'open',
          labels: [],
          assignees: [],
          author: null,
          url: `https://memory.example/${body.project}/issues/${body.number}`,
          createdAt: now,
          updatedAt: now,
          closedAt: null,
          raw: body,
        };
        return [{ type: 'issue.opened', project: body.project, issue, pullRequest: null, comment: null, label: null, actor: null }];
      },
    },
  };
}
