import type { Preloop } from '../kernel/preloop.js';

/**
 * Resolves when the kernel's issue store next writes an issue (the next
 * `tracker-issue-synced` event): call it before the action whose webhook the
 * store is to write, then await it.
 *
 * @example
 * ```ts
 * const written = nextIssueSynced(preloop);
 * await client.addComment({ project: 'acme/web', number: '1' }, 'Reproduced.');
 * await written;
 * ```
 */
export function nextIssueSynced(preloop: Preloop): Promise<void> {
  return new Promise<void>((resolve) => {
    const listener = () => {
      preloop.events.off('tracker-issue-synced', listener);
      resolve();
    };
    preloop.events.on('tracker-issue-synced', listener);
  });
}

/**
 * Reads the detail of the first issue the store holds for a connection (any
 * state): the one issue of a test that stores a single issue.
 *
 * @example
 * ```ts
 * expect(await firstStoredIssue(preloop, connectionId)).toMatchObject({ title: 'Login crash' });
 * ```
 */
export async function firstStoredIssue(preloop: Preloop, connectionId: string) {
  const [issue] = (await preloop.issues.store.search(preloop.accountId, { connectionId, state: 'all' })).items;
  return preloop.issues.store.get(preloop.accountId, issue!.id);
}
