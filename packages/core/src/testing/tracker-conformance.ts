import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findTrackerProblems,
  type Tracker,
  type TrackerClient,
  type TrackerEventType,
  type TrackerIssue,
  type TrackerWebhookDelivery,
} from '../contracts/tracker.js';

/** A failure the tracker's local server can be told to answer the next request with, in its own wire format. */
export type TrackerConformanceFailure =
  /** The tracker's "you may not" (HTTP 403 without a rate limit): `TRACKER_FORBIDDEN`. */
  | 'forbidden'
  /** A rate limit asking to wait (GitHub: 403/429 with `x-ratelimit-reset` or `retry-after`): `TRACKER_RATE_LIMITED` with `details.retryAfterMs`. */
  | 'rate-limited'
  /** A server failure (HTTP 502/503): `TRACKER_UNAVAILABLE`. */
  | 'unavailable';

/** A documented example delivery, signed by the server, and the events it must parse into. */
export interface TrackerConformanceDelivery {
  /** Names the example (`issues.opened`…). */
  name: string;
  delivery: TrackerWebhookDelivery;
  /** The events, in order: their type, project and (for issue/PR events) the number. */
  events: { type: TrackerEventType; project: string; number?: string }[];
}

/** The tracker's local server, speaking the tracker's real API. */
export interface TrackerTestServer {
  /** Settings that point the tracker at this server (base URL…). */
  settings: Record<string, unknown>;
  /** Secrets the server accepts (a token, an app key…). */
  secrets: Record<string, string>;
  /** The key of a project the credential can read and write, empty at the start. */
  project: string;
  /** Makes the server answer the next API request with this failure (once). */
  failNext(failure: TrackerConformanceFailure): void;
  /** The documented example deliveries (including one the tracker maps to no event, such as a ping), signed with `secret`. */
  webhookExamples(secret: string): Promise<TrackerConformanceDelivery[]> | TrackerConformanceDelivery[];
  /** `delivery` without its signature (or token) header. */
  withoutSignature(delivery: TrackerWebhookDelivery): TrackerWebhookDelivery;
  close(): Promise<void>;
}

/** Options of {@link trackerConformance}. */
export interface TrackerConformanceOptions<S extends TrackerTestServer> {
  /** Names the suite. @default the tracker's id */
  name?: string;
  tracker: () => Tracker<any>;
  /** Starts the tracker's local server (once per suite). */
  server: () => Promise<S>;
  /**
   * Whether the client's `pullRequests` has `list` (a tracker may leave pull
   * requests to webhooks). The listing test is registered only when it does;
   * the contract test checks the client agrees.
   * @default true when the tracker has pull requests
   */
  pullRequestList?: boolean;
  /** More checks of the tracker, declared inside the suite. */
  additionalTests?: (context: TrackerConformanceContext<S>) => void;
}

/** What {@link TrackerConformanceOptions.additionalTests} can use (filled in `beforeAll`). */
export interface TrackerConformanceContext<S extends TrackerTestServer> {
  server: S;
  tracker: Tracker<any>;
  client: TrackerClient;
}

const unique = () => `conformance${Math.random().toString(36).slice(2, 10)}`;

/**
 * The shared conformance suite of the tracker contract (version 1), run by
 * every tracker against a local server speaking its real API: the contract's
 * shape, every client method with the normalized shapes, pagination, error
 * mapping (404 → `TRACKER_NOT_FOUND`, 403 → `TRACKER_FORBIDDEN`, rate limits →
 * `TRACKER_RATE_LIMITED` with `retryAfterMs`, 5xx → `TRACKER_UNAVAILABLE`,
 * refused input → `TRACKER_INVALID_INPUT`) without the credential in any
 * error, and webhooks (a good signature, a forged body, a wrong secret, a
 * missing signature, and the documented examples parsed into events). Call it
 * at the top level of the tracker's test file.
 *
 * @example
 * ```ts
 * trackerConformance({ tracker: githubTracker, server: () => startConformanceGitHub() });
 * ```
 */
export function trackerConformance<S extends TrackerTestServer>(options: TrackerConformanceOptions<S>): void {
  const tracker = options.tracker();
  const pullRequestList = tracker.pullRequests && (options.pullRequestList ?? true);
  describe(`tracker conformance: ${options.name ?? tracker.id}`, () => {
    const context = {} as TrackerConformanceContext<S>;
    beforeAll(async () => {
      context.tracker = tracker;
      context.server = await options.server();
      const settings = tracker.settingsSchema.parse(context.server.settings);
      const secrets = tracker.secretsSchema.parse(context.server.secrets);
      context.client = await tracker.connect({ settings, secrets });
    });
    afterAll(() => context.server?.close());

    const secretValues = () => Object.values(context.server.secrets).filter((value) => value.length >= 8);
    const expectNoSecret = (error: unknown) => {
      const text = `${(error as Error).message} ${JSON.stringify((error as { details?: unknown }).details ?? null)}`;
      for (const secret of secretValues()) expect(text).not.toContain(secret);
    };
    const expectCode = async (promise: Promise<unknown>, code: string, status: number) => {
      const error = await promise.then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error, `expected ${code}`).toMatchObject({ code, status });
      expectNoSecret(error);
      return error as { details?: unknown };
    };
    const expectIssueShape = (issue: TrackerIssue) => {
      expect(issue).toMatchObject({
        id: expect.any(String),
        project: context.server.project,
        number: expect.any(String),
        key: expect.any(String),
        title: expect.any(String),
        body: expect.any(String),
        state: expect.stringMatching(/^(open|closed)$/),
        labels: expect.any(Array),
        assignees: expect.any(Array),
        url: expect.any(String),
        createdAt: expect.any(Number),
        updatedAt: expect.any(Number),
      });
      expect(issue.key).toContain(issue.number);
      expect(issue.raw).toBeTruthy();
    };

    it('implements the contract (version 1) and validates its settings and secrets', () => {
      expect(findTrackerProblems(tracker)).toEqual([]);
      expect(tracker.secretsSchema.safeParse({}).success).toBe(false);
      expect(typeof context.client.pullRequests === 'object').toBe(tracker.pullRequests);
      expect(typeof context.client.pullRequests?.list === 'function', 'pullRequests.list exists (else pass pullRequestList: false)').toBe(
        pullRequestList,
      );
    });

    it('tests the credential and says who it acts as', async () => {
      const { identity } = await context.client.test();
      expect(identity).toEqual(expect.any(String));
      expect(identity.length).toBeGreaterThan(0);
    });

    it('lists projects page by page with an opaque cursor', async () => {
      const keys: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 20; pages++) {
        const page = await context.client.listProjects({ limit: 1, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(1);
        keys.push(...page.items.map((project) => project.key));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(keys).toContain(context.server.project);
      expect(new Set(keys).size).toBe(keys.length);
    });

    it('creates, reads and updates an issue in the normalized shape', async () => {
      const { client, server } = context;
      const title = `Crash on start ${unique()}`;
      const created = await client.createIssue({ project: server.project, title, body: 'Steps: run it.', labels: ['bug'] });
      expectIssueShape(created);
      expect(created).toMatchObject({ title, body: 'Steps: run it.', state: 'open', labels: ['bug'], closedAt: null });
      const read = await client.getIssue({ project: server.project, number: created.number });
      expect(read).toMatchObject({ id: created.id, title, number: created.number });
      const changed = await client.updateIssue(
        { project: server.project, number: created.number },
        { title: `${title} (fixed)`, labels: ['bug', 'p1'], state: 'closed' },
      );
      expect(changed).toMatchObject({ title: `${title} (fixed)`, state: 'closed' });
      expect([...changed.labels].sort()).toEqual(['bug', 'p1']);
      expect(changed.closedAt).toEqual(expect.any(Number));
      const reopened = await client.updateIssue({ project: server.project, number: created.number }, { state: 'open' });
      expect(reopened).toMatchObject({ state: 'open', closedAt: null });
    });

    it('searches issues by text, state and label, page by page', async () => {
      const { client, server } = context;
      const word = unique();
      for (const n of [1, 2, 3]) await client.createIssue({ project: server.project, title: `Search ${word} ${n}`, labels: ['triage'] });
      const closed = await client.createIssue({ project: server.project, title: `Search ${word} closed` });
      await client.updateIssue({ project: server.project, number: closed.number }, { state: 'closed' });

      const first = await client.searchIssues({ project: server.project, text: word, limit: 2 });
      expect(first.items).toHaveLength(2);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await client.searchIssues({ project: server.project, text: word, limit: 2, cursor: first.nextCursor! });
      const titles = [...first.items, ...second.items].map((issue) => issue.title).sort();
      expect(titles).toEqual([1, 2, 3].map((n) => `Search ${word} ${n}`));
      for (const issue of first.items) expectIssueShape(issue);

      const onlyClosed = await client.searchIssues({ project: server.project, text: word, state: 'closed' });
      expect(onlyClosed.items.map((issue) => issue.number)).toEqual([closed.number]);
      const labeled = await client.searchIssues({ project: server.project, text: word, labels: ['triage'], state: 'all' });
      expect(labeled.items).toHaveLength(3);
    });

    it('lists one project’s issues oldest update first, since a time, page by page, without pull requests', async () => {
      const { client, server } = context;
      const seen: TrackerIssue[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 100; pages++) {
        const page = await client.listIssues({ project: server.project, limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items);
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(seen.length).toBeGreaterThanOrEqual(5);
      const times = seen.map((issue) => issue.updatedAt);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(new Set(seen.map((issue) => issue.id)).size).toBe(seen.length);
      const newest = seen.at(-1)!;
      const since = await client.listIssues({ project: server.project, updatedSince: newest.updatedAt });
      expect(since.items.map((issue) => issue.id)).toContain(newest.id);
      expect(since.items.every((issue) => issue.updatedAt >= newest.updatedAt)).toBe(true);
    });

    it('adds, lists (paged) and updates comments', async () => {
      const { client, server } = context;
      const issue = await client.createIssue({ project: server.project, title: `Comments ${unique()}` });
      const ref = { project: server.project, number: issue.number };
      const first = await client.addComment(ref, 'First look: reproducible.');
      expect(first).toMatchObject({ id: expect.any(String), body: 'First look: reproducible.', createdAt: expect.any(Number) });
      await client.addComment(ref, 'Second look.');
      const page = await client.listComments(ref, { limit: 1 });
      expect(page.items).toHaveLength(1);
      expect(page.nextCursor).toEqual(expect.any(String));
      const rest = await client.listComments(ref, { limit: 1, cursor: page.nextCursor! });
      expect([...page.items, ...rest.items].map((comment) => comment.body)).toEqual(['First look: reproducible.', 'Second look.']);
      const edited = await client.updateComment(ref, first.id, 'First look: fixed in main.');
      expect(edited).toMatchObject({ id: first.id, body: 'First look: fixed in main.' });
    });

    if (tracker.pullRequests)
      it('creates, reads and updates a pull request; issue listings leave it out', async () => {
        const { client, server } = context;
        const pulls = client.pullRequests!;
        const created = await pulls.create({
          project: server.project,
          title: `Fix crash ${unique()}`,
          body: 'Fixes the crash.',
          sourceBranch: 'fix-crash',
          targetBranch: 'main',
        });
        expect(created).toMatchObject({ state: 'open', sourceBranch: 'fix-crash', targetBranch: 'main', draft: false, mergedAt: null });
        expect(await pulls.get({ project: server.project, number: created.number })).toMatchObject({
          id: created.id,
          title: created.title,
        });
        const closed = await pulls.update(
          { project: server.project, number: created.number },
          { state: 'closed', title: `${created.title}!` },
        );
        expect(closed).toMatchObject({ state: 'closed', title: `${created.title}!` });
        const all = await client.listIssues({ project: server.project, limit: 100 });
        expect(all.items.map((issue) => issue.id)).not.toContain(created.id);
      });

    if (pullRequestList)
      it('lists one project’s pull requests in every state, page by page, since a time, without issues', async () => {
        const { client, server } = context;
        const pulls = client.pullRequests!;
        if (!pulls.list) throw new Error('pullRequests.list is missing (pass pullRequestList: false)');
        const open = await pulls.create({
          project: server.project,
          title: `List ${unique()}`,
          sourceBranch: 'list-a',
          targetBranch: 'main',
        });
        const closed = await pulls.create({
          project: server.project,
          title: `List ${unique()}`,
          sourceBranch: 'list-b',
          targetBranch: 'main',
        });
        const closedNow = await pulls.update({ project: server.project, number: closed.number }, { state: 'closed' });
        const seen: Array<{ id: string; state: string; updatedAt: number; sourceBranch: string }> = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 100; pages++) {
          const page = await pulls.list({ project: server.project, limit: 1, ...(cursor ? { cursor } : {}) });
          expect(page.items.length).toBeLessThanOrEqual(1);
          seen.push(...page.items);
          if (!page.nextCursor) break;
          cursor = page.nextCursor;
        }
        expect(new Set(seen.map((pull) => pull.id)).size).toBe(seen.length);
        expect(seen.find((pull) => pull.id === open.id)).toMatchObject({ state: 'open', sourceBranch: 'list-a' });
        expect(seen.find((pull) => pull.id === closed.id)).toMatchObject({ state: 'closed', sourceBranch: 'list-b' });
        const issues = await client.listIssues({ project: server.project, limit: 100 });
        for (const issue of issues.items) expect(seen.map((pull) => pull.id)).not.toContain(issue.id);
        const since = await pulls.list({ project: server.project, updatedSince: closedNow.updatedAt });
        expect(since.items.map((pull) => pull.id)).toContain(closed.id);
        expect(since.items.every((pull) => pull.updatedAt >= closedNow.updatedAt)).toBe(true);
      });

    it('maps failures to tracker errors without the credential: not found, forbidden, rate limited, unavailable, invalid input', async () => {
      const { client, server } = context;
      await expectCode(client.getIssue({ project: server.project, number: '987654' }), 'TRACKER_NOT_FOUND', 404);
      server.failNext('forbidden');
      await expectCode(client.getIssue({ project: server.project, number: '1' }), 'TRACKER_FORBIDDEN', 403);
      server.failNext('rate-limited');
      const limited = await expectCode(client.searchIssues({ project: server.project, text: 'x' }), 'TRACKER_RATE_LIMITED', 429);
      expect((limited.details as { retryAfterMs?: unknown }).retryAfterMs).toEqual(expect.any(Number));
      server.failNext('unavailable');
      await expectCode(client.listProjects(), 'TRACKER_UNAVAILABLE', 502);
      await expectCode(client.createIssue({ project: server.project, title: '' }), 'TRACKER_INVALID_INPUT', 400);
    });

    it('verifies webhook deliveries: the right secret only, the exact body only, a signature required', async () => {
      const secret = `whsec-${unique()}`;
      const examples = await context.server.webhookExamples(secret);
      expect(examples.length).toBeGreaterThan(1);
      for (const { name, delivery } of examples) {
        expect(await tracker.webhooks.verify(delivery, secret), `${name}: good`).toBe(true);
        expect(await tracker.webhooks.verify(delivery, `${secret}-other`), `${name}: other secret`).toBe(false);
        const tampered = new Uint8Array([...delivery.rawBody.slice(0, -1), 0x20, ...delivery.rawBody.slice(-1)]);
        expect(await tracker.webhooks.verify({ headers: delivery.headers, rawBody: tampered }, secret), `${name}: forged body`).toBe(false);
        expect(await tracker.webhooks.verify(context.server.withoutSignature(delivery), secret), `${name}: missing`).toBe(false);
        expect(tracker.webhooks.deliveryId(delivery), `${name}: delivery id`).toEqual(expect.any(String));
      }
      const ids = examples.map(({ delivery }) => tracker.webhooks.deliveryId(delivery));
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('parses the documented example deliveries into normalized events', async () => {
      const examples = await context.server.webhookExamples('parse-secret');
      for (const { name, delivery, events } of examples) {
        const parsed = tracker.webhooks.parse(delivery);
        expect(
          parsed.map((event) => ({
            type: event.type,
            project: event.project,
            ...((event.issue ?? event.pullRequest) ? { number: (event.issue ?? event.pullRequest)!.number } : {}),
          })),
          name,
        ).toEqual(events);
        for (const event of parsed) {
          if (event.type.startsWith('comment.'))
            expect(event.comment, name).toMatchObject({ id: expect.any(String), body: expect.any(String) });
          if (event.type.startsWith('pull_request.')) expect(event.pullRequest, name).toMatchObject({ sourceBranch: expect.any(String) });
          if (event.type.startsWith('issue.'))
            expect(event.issue, name).toMatchObject({ title: expect.any(String), project: event.project });
          if (event.type === 'issue.labeled') expect(event.label, name).toEqual(expect.any(String));
        }
      }
    });

    options.additionalTests?.(context);
  });
}
