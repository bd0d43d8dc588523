/**
 * The issue tracker of the browser tests' kernel: the GitHub stub (GitHub's
 * REST wire format, signed webhook deliveries) with a repository of issues, a
 * `github()` connection to it whose webhooks come back to the kernel's intake,
 * and the repository imported into the issue store. Node side only.
 */
import type { Preloop } from '@preloop/core';
import { startGitHubStub, type GitHubStub } from '../../plugins/github/src/test-support/github-stub.js';

/** What the tracker fixture seeded, for the browser tests (`seed.trackers`). */
export interface TrackerSeed {
  /** The GitHub connection (name `github-test`). */
  connectionId: string;
  /** The repository synced (`acme/web`). */
  project: string;
  /** The token the stub accepts (to change issues "at GitHub" from a test). */
  stubToken: string;
  /** A second token the stub accepts, acting as `userLogin` (a user's own token, linked from the console). */
  userToken: string;
  userLogin: string;
}

/**
 * Starts the GitHub stub, connects it, points its webhooks at the kernel
 * (`serverUrl`) and imports its issues.
 *
 * @example
 * ```ts
 * const trackers = await startTrackerFixture(preloop, server.url);
 * ```
 */
export async function startTrackerFixture(
  preloop: Preloop,
  serverUrl: string,
): Promise<{ seed: TrackerSeed; stub: GitHubStub; close(): Promise<void> }> {
  const stub = await startGitHubStub();
  const stubToken = 'ghp_console_tests';
  stub.addToken(stubToken, 'console-bot');
  const userToken = 'ghp_console_user';
  const userLogin = 'console-user';
  stub.addToken(userToken, userLogin);
  stub.state.addRepository('acme/web');
  stub.state.addIssue('acme/web', {
    title: 'Checkout button does nothing on Safari',
    body: 'Clicking "Pay" on Safari 17 does nothing; the console shows a CSP error.',
    labels: ['bug', 'checkout'],
    assignees: ['alice'],
    user: 'alice',
  });
  stub.state.addIssue('acme/web', { title: 'Dark mode for the settings page', body: 'Users ask for a dark theme.', labels: ['feature'] });
  stub.state.addIssue('acme/web', { title: 'Old crash on login', body: 'Fixed long ago.', state: 'closed', closedAt: Date.now() });
  const connection = await preloop.trackers.create(preloop.accountId, {
    tracker: 'github',
    name: 'github-test',
    settings: { baseUrl: stub.url },
    secrets: { token: stubToken },
  });
  stub.addHook({
    url: `${serverUrl}/api/v1/trackers/webhooks/${connection.id}`,
    secret: connection.webhookSecret,
    events: ['issues', 'issue_comment', 'pull_request'],
  });
  await preloop.issues.sync.run(preloop.accountId, connection.id, ['acme/web']);
  return {
    seed: { connectionId: connection.id, project: 'acme/web', stubToken, userToken, userLogin },
    stub,
    close: () => stub.close(),
  };
}
