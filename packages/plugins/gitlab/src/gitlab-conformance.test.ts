import { trackerConformance } from '@preloop/core/testing';
import { expect, it } from 'vitest';
import { gitlabTracker } from './gitlab-tracker.js';
import { gitlabWebhooks } from './gitlab-webhooks.js';
import { startGitLabConformanceServer } from './test-support/gitlab-conformance-server.js';

trackerConformance({
  name: 'gitlab (self-managed under a sub-path, project access token)',
  tracker: gitlabTracker,
  server: () => startGitLabConformanceServer({ pathPrefix: '/gitlab' }),
  additionalTests: (context) => {
    it('sends the token as PRIVATE-TOKEN and asks only GitLab REST v4 paths', () => {
      const { requests } = context.server.stub;
      expect(requests.every((request) => request.token === context.server.secrets.token)).toBe(true);
      expect(requests.every((request) => request.path.startsWith('/gitlab/api/v4/'))).toBe(true);
    });

    it('a signed delivery too old, or an unsigned one for a signing-token secret (whsec_…), is refused', async () => {
      const [example] = await context.server.webhookExamples('whsec_c2lnbmluZy10b2tlbi1vZi0zMi1ieXRlcy0wMTIzNDU2Nzg5');
      expect(gitlabWebhooks.verify(example!.delivery, 'whsec_c2lnbmluZy10b2tlbi1vZi0zMi1ieXRlcy0wMTIzNDU2Nzg5')).toBe(true);
      const unsigned = new Headers(example!.delivery.headers);
      unsigned.delete('webhook-signature');
      expect(
        gitlabWebhooks.verify(
          { headers: unsigned, rawBody: example!.delivery.rawBody },
          'whsec_c2lnbmluZy10b2tlbi1vZi0zMi1ieXRlcy0wMTIzNDU2Nzg5',
        ),
      ).toBe(false);
      const old = new Headers(example!.delivery.headers);
      old.set('webhook-timestamp', String(Math.floor(Date.now() / 1000) - 3600));
      expect(
        gitlabWebhooks.verify(
          { headers: old, rawBody: example!.delivery.rawBody },
          'whsec_c2lnbmluZy10b2tlbi1vZi0zMi1ieXRlcy0wMTIzNDU2Nzg5',
        ),
      ).toBe(false);
    });
  },
});
