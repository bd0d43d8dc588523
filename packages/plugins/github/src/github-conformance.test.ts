import { trackerConformance } from '@preloop/core/testing';
import { expect, it } from 'vitest';
import { githubTracker } from './index.js';
import { startGitHubConformanceServer } from './test-support/github-conformance-server.js';

trackerConformance({
  name: 'github (personal access token)',
  tracker: githubTracker,
  server: () => startGitHubConformanceServer(),
  additionalTests: (context) => {
    it('sends the token as GitHub expects and asks only the REST paths it documents', () => {
      const { requests } = context.server.stub;
      expect(requests.every((request) => request.authorization === `token ${context.server.secrets.token}`)).toBe(true);
      expect(requests.some((request) => request.path.startsWith('/search/issues?q='))).toBe(true);
    });
  },
});

trackerConformance({
  name: 'github enterprise server (GitHub App, /api/v3)',
  tracker: githubTracker,
  server: () => startGitHubConformanceServer({ basePath: '/api/v3', app: true }),
  additionalTests: (context) => {
    it('exchanges a signed app JWT for one installation token and uses it', () => {
      const { stub } = context.server;
      expect(stub.installationTokens).toHaveLength(1);
      const calls = stub.requests.filter((request) => !request.path.includes('/access_tokens'));
      expect(calls.every((request) => request.authorization === `token ${stub.installationTokens[0]!.token}`)).toBe(true);
      expect(stub.requests.every((request) => request.path.startsWith('/api/v3/'))).toBe(true);
    });
  },
});
