import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type PreloopDatabase } from '../../storage/database.js';
import { runMigrations } from '../../storage/migrations.js';
import { testDialects, type TestDatabase } from '../../testing/test-databases.js';
import { toFts5Query } from './full-text-query.js';
import { trackerIssuesMigration } from '../../storage/migrations/0011-tracker-issues.js';
import { createIssueStore, type IssueStore } from './issue-store.js';
import { issueTables } from './issue-tables.js';
import { sampleIssue } from './test-support/sample-issue.js';

const source = { accountId: 'acc_default', connectionId: 'trc_1', tracker: 'github' };

describe('toFts5Query', () => {
  it('quotes every word, keeps phrases, ORs and exclusions, and drops stop words outside phrases', () => {
    expect(toFts5Query('crash "login page" -android')).toEqual({ include: '"crash" AND "login page"', exclude: '"android"' });
    expect(toFts5Query('the crash on ios or android')).toEqual({ include: '"crash" AND ("ios" OR "android")', exclude: null });
    expect(toFts5Query('NEAR(a b) ^col: *')).toEqual({ include: '"near a" AND "b" AND "col"', exclude: null });
    expect(toFts5Query('the')).toEqual({ include: null, exclude: null });
  });
});

describe.each(testDialects())('issue search on $name', (dialect) => {
  let database: TestDatabase;
  let opened: PreloopDatabase;
  let store: IssueStore;

  beforeAll(async () => {
    database = await dialect.create();
    opened = await openDatabase(database.url);
    await runMigrations({ db: opened.db, dialect: opened.dialect }, 'core', [trackerIssuesMigration]);
    store = createIssueStore({ db: issueTables(opened.db), dialect: opened.dialect });
    await store.upsert(
      source,
      sampleIssue(1, {
        title: 'Login page crashes on Safari',
        body: 'Steps: open the login page',
        labels: ['bug', 'UI'],
        assignees: ['alice'],
      }),
    );
    await store.upsert(
      source,
      sampleIssue(2, { title: 'Add dark mode', body: 'The settings page needs a dark theme', labels: ['feature'] }),
    );
    await store.upsert(
      source,
      sampleIssue(3, {
        title: 'Crash when saving drafts',
        body: 'It crashed twice on Android',
        state: 'closed',
        closedAt: 5_000,
        assignees: ['bob'],
      }),
    );
    await store.upsert(source, sampleIssue(4, { title: 'Page title is wrong', body: 'The login of page is shown', labels: ['bug_fix'] }));
    await store.upsert(
      { ...source, connectionId: 'trc_2', tracker: 'jira' },
      sampleIssue(5, { project: 'OPS', key: 'OPS-5', number: 'OPS-5', title: 'Login outage', labels: ['bug'] }),
    );
  });
  afterAll(async () => {
    await opened.close();
    await database.drop();
  });

  const numbers = async (query: Parameters<IssueStore['search']>[1]) =>
    (await store.search('acc_default', { state: 'all', ...query })).items.map((issue) => issue.number).sort();

  it('matches stemmed words, phrases, OR and exclusions the same way on both dialects', async () => {
    // Stemming: "crashing" finds "crashes" and "crashed".
    expect(await numbers({ text: 'crashing' })).toEqual(['1', '3']);
    expect(await numbers({ text: 'login page' })).toEqual(['1', '4']);
    expect(await numbers({ text: '"login page"' })).toEqual(['1']);
    expect(await numbers({ text: 'dark or drafts' })).toEqual(['2', '3']);
    expect(await numbers({ text: 'crash -android' })).toEqual(['1']);
    expect(await numbers({ text: 'the' })).toEqual([]);
    expect(await numbers({ text: 'NEAR(login' })).toEqual([]);
  });

  it('ranks title matches first with relevance', async () => {
    const page = await store.search('acc_default', { text: 'login', state: 'all' });
    expect(page.items[0]!.number === '1' || page.items[0]!.number === 'OPS-5').toBe(true);
    expect(page.items.at(-1)!.number).toBe('4');
  });

  it('filters by tracker, connection, project, state, label and assignee', async () => {
    expect(await numbers({ tracker: 'jira' })).toEqual(['OPS-5']);
    expect(await numbers({ connectionId: 'trc_1', state: 'open' })).toEqual(['1', '2', '4']);
    expect(await numbers({ project: 'OPS' })).toEqual(['OPS-5']);
    expect(await numbers({ state: 'closed' })).toEqual(['3']);
    expect(await numbers({ label: 'ui' })).toEqual(['1']);
    // `_` in a label is not a wildcard.
    expect(await numbers({ label: 'bug_' })).toEqual([]);
    expect(await numbers({ label: 'bug' })).toEqual(['1', 'OPS-5']);
    expect(await numbers({ assignee: 'BOB' })).toEqual(['3']);
  });

  it('pages with a cursor in each sort', async () => {
    for (const sort of ['updated', 'created', 'relevance'] as const) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await store.search('acc_default', {
          state: 'all',
          sort,
          limit: 2,
          cursor,
          ...(sort === 'relevance' ? { text: 'login or crash or dark' } : {}),
        });
        seen.push(...page.items.map((issue) => issue.number));
        cursor = page.nextCursor;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBe(sort === 'relevance' ? 5 : 5);
    }
    const first = await store.search('acc_default', { state: 'all', sort: 'updated', limit: 2 });
    expect(first.items.map((issue) => issue.number)).toEqual(['OPS-5', '4']);
    await expect(store.search('acc_default', { cursor: 'not a cursor' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('keeps the newer copy and re-indexes an edited title', async () => {
    await store.upsert(source, sampleIssue(2, { title: 'Add dark mode', updatedAt: 1 }));
    await store.upsert(source, sampleIssue(2, { title: 'Support high contrast theme', updatedAt: 9_000 }));
    expect(await numbers({ text: 'contrast' })).toEqual(['2']);
    expect(await numbers({ text: 'dark' })).toEqual([]);
    await store.upsert(source, sampleIssue(2, { title: 'stale copy', updatedAt: 3_000 }));
    expect((await store.find('trc_1', 'issue', 'acme/web', '2'))!.title).toBe('Support high contrast theme');
  });
});
