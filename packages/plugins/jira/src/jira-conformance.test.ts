import { trackerConformance } from '@preloop/core/testing';
import { expect, it } from 'vitest';
import { jiraTracker } from './jira-tracker.js';
import { startJiraConformanceServer } from './test-support/jira-conformance-server.js';

trackerConformance({
  name: 'jira cloud (REST API v3, email + API token)',
  tracker: jiraTracker,
  server: () => startJiraConformanceServer(),
  additionalTests: (context) => {
    it('authenticates with basic auth and asks only REST API v3 paths', () => {
      const { requests, credentials } = context.server.stub;
      const basic = `Basic ${Buffer.from(`${credentials.email}:${credentials.apiToken}`).toString('base64')}`;
      expect(requests.every((request) => request.authorization === basic)).toBe(true);
      expect(requests.every((request) => request.path.startsWith('/rest/api/3/'))).toBe(true);
      expect(requests.some((request) => request.path === '/rest/api/3/search/jql')).toBe(true);
    });
  },
});

trackerConformance({
  name: 'jira data center (REST API v2 under /jira, personal access token)',
  tracker: jiraTracker,
  server: () => startJiraConformanceServer({ deployment: 'datacenter', pathPrefix: '/jira' }),
  additionalTests: (context) => {
    it('sends the personal access token as bearer and asks only REST API v2 paths', () => {
      const { requests, credentials } = context.server.stub;
      expect(requests.every((request) => request.authorization === `Bearer ${credentials.token}`)).toBe(true);
      expect(requests.every((request) => request.path.startsWith('/jira/rest/api/2/'))).toBe(true);
    });
  },
});
