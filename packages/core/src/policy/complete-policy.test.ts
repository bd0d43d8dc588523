import { describe, expect, it } from 'vitest';
import { createPreloop } from '../kernel/create-preloop.js';
import { createLogger } from '../logger.js';
import { seedUser } from '../identity/identity-test-support.js';
import { completePolicy } from './complete-policy.js';
import { parsePolicyDocument } from './policy-document.js';

const quiet = createLogger({ level: 'silent' });

describe('completePolicy', () => {
  it('turns the gateway guide’s one-line policy into a usable document', () => {
    const document = parsePolicyDocument(completePolicy({ version: 1, defaults: { models: { allow: ['fast', 'smart'] } } }), 'json');
    expect(document.defaults).toEqual({ tools: 'require_approval', workflow: 'admins', models: { allow: ['fast', 'smart'] } });
    expect(Object.keys(document.workflows)).toEqual(['admins']);
    expect(document.rules.map((rule) => rule.name)).toEqual(['read-only-tools']);
    expect(document.tests).toBeUndefined();
  });

  it('keeps what is given: rules, workflows of the same name, a default that needs no workflow', () => {
    const document = parsePolicyDocument(
      completePolicy({
        version: 1,
        defaults: { tools: 'deny' },
        workflows: { admins: { approvers: { roles: ['owner'] }, quorum: 1 } },
        rules: [{ name: 'search', tool: 'web.search', action: 'allow' }],
      }),
      'json',
    );
    expect(document.defaults.tools).toBe('deny');
    expect(document.defaults.workflow).toBeUndefined();
    expect(document.workflows.admins!.approvers).toEqual({ roles: ['owner'] });
    expect(document.rules.map((rule) => rule.name)).toEqual(['search']);
    expect(document.defaults.models.allow).toEqual([]);
  });
});

describe('createPreloop({ policy })', () => {
  it('starts with a partial policy object and governs with the completed document', async () => {
    const preloop = await createPreloop({
      database: ':memory:',
      logger: quiet,
      policy: { version: 1, defaults: { models: { allow: ['fast'] } } },
    });
    try {
      const { key } = await seedUser(preloop, 'admin');
      const subject = (await preloop.authenticate(new Request('http://localhost/', { headers: { authorization: `Bearer ${key}` } })))!;
      expect((await preloop.governance.isModelAllowed(subject, 'fast')).allowed).toBe(true);
      expect((await preloop.governance.isModelAllowed(subject, 'other')).allowed).toBe(false);
      const write = await preloop.governance.evaluateToolCall({ subject, tool: { name: 'github.create_issue' }, args: {} });
      expect(write).toMatchObject({ action: 'require_approval', workflow: 'admins' });
      const read = await preloop.governance.evaluateToolCall({ subject, tool: { name: 'github.list_issues', readOnly: true }, args: {} });
      expect(read.action).toBe('allow');
    } finally {
      await preloop.close();
    }
  });

  it('still takes a YAML text as a whole document and names what is missing', async () => {
    await expect(
      createPreloop({ database: ':memory:', logger: quiet, policy: 'version: 1\ndefaults:\n  tools: require_approval\n' }),
    ).rejects.toThrow(/workflow/);
  });
});
