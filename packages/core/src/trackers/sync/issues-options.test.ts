import { describe, expect, it } from 'vitest';
import { createPreloop } from '../../kernel/create-preloop.js';
import type { Preloop } from '../../kernel/preloop.js';
import { sampleIssue } from './test-support/sample-issue.js';

describe('createPreloop({ issues: { similarity } })', () => {
  it('validates the option and names what is wrong', async () => {
    await expect(
      createPreloop({ database: ':memory:', issues: { similarity: { model: '', gateway: 'http://127.0.0.1:1' } } }),
    ).rejects.toThrow(/option "issues\.similarity\.model" must be a gateway model alias for embeddings/);
    await expect(createPreloop({ database: ':memory:', issues: { similarity: { model: 'embed', gateway: 42 as never } } })).rejects.toThrow(
      /option "issues\.similarity\.gateway" must be the gateway base URL \(http or https\) or a function/,
    );
    await expect(
      createPreloop({ database: ':memory:', issues: { similarity: { model: 'embed', gateway: 'ftp://gateway.example' } } }),
    ).rejects.toThrow(/issues\.similarity\.gateway/);
    await expect(createPreloop({ database: ':memory:', issues: { similarity: { model: 'embed' } } as never })).rejects.toThrow(
      /issues\.similarity\.gateway/,
    );
  });

  it('computes embeddings with the configured model through a gateway built once from the kernel', async () => {
    const built: Preloop[] = [];
    const models: string[] = [];
    const preloop = await createPreloop({
      database: ':memory:',
      issues: {
        similarity: {
          model: 'embed-small',
          // The gateway's /openai/v1/embeddings wire format, answered in process.
          gateway: (kernel) => {
            built.push(kernel);
            return async (request) => {
              const body = (await request.json()) as { model: string; input: string[] };
              models.push(body.model);
              const data = body.input.map((text, index) => ({
                object: 'embedding',
                index,
                embedding: text.includes('Safari') ? [1, 0] : [0, 1],
              }));
              return Response.json({ object: 'list', data, model: body.model });
            };
          },
        },
      },
    });
    try {
      const source = { accountId: preloop.accountId, connectionId: 'trk_test', tracker: 'github' };
      const first = await preloop.issues.store.upsert(source, sampleIssue(1, { title: 'Login crashes on Safari' }));
      await preloop.issues.store.upsert(source, sampleIssue(2, { title: 'Safari crash on login' }));
      await preloop.issues.store.upsert(source, sampleIssue(3, { title: 'Dark mode' }));
      const answer = await preloop.issues.similarity.similar(preloop.accountId, first.id);
      expect(answer).toMatchObject({ available: true, model: 'embed-small' });
      expect(answer.items.map((item) => item.issue.number)).toEqual(['2']);
      await preloop.issues.similarity.similar(preloop.accountId, first.id);
      expect(built).toEqual([preloop]);
      expect(models).toEqual(['embed-small']);
    } finally {
      await preloop.close();
    }
  });
});
