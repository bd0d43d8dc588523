import { testDialects } from '@preloop/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMcpFixture, everythingServerPath, type McpFixture } from '../test-support/mcp-fixture.js';

describe('resources, prompts and completions proxied from a stdio upstream (server-everything)', () => {
  let fixture: McpFixture;

  beforeAll(async () => {
    fixture = await createMcpFixture(testDialects()[0]!, { policy: { version: 1, defaults: { tools: 'allow' } } });
    const created = await (
      await fixture.api('POST', '/mcp-servers', {
        name: 'everything',
        transport: 'stdio',
        command: process.execPath,
        args: [everythingServerPath(), 'stdio'],
      })
    ).json();
    expect((await fixture.api('POST', `/mcp-servers/${created.id}/scan`)).status).toBe(200);
  }, 60_000);
  afterAll(async () => fixture?.cleanup());

  it('lists and reads resources and resource templates under their upstream URIs', async () => {
    const client = await fixture.connect();
    const { resources } = await client.listResources();
    expect(resources.length).toBeGreaterThan(0);
    const first = resources[0]!;
    const read = await client.readResource({ uri: first.uri });
    expect(read.contents[0]!.uri).toBe(first.uri);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate)).toContain('demo://resource/dynamic/text/{resourceId}');
    const templated = await client.readResource({ uri: 'demo://resource/dynamic/text/3' });
    expect(templated.contents[0]).toMatchObject({ uri: 'demo://resource/dynamic/text/3' });
    await expect(client.readResource({ uri: 'demo://nothing/here' })).rejects.toThrow(/Resource not found/);
    await expect
      .poll(
        async () => (await fixture.preloop.audit.query({ accountId: fixture.preloop.accountId, action: 'mcp.resource.read' })).items.length,
      )
      .toBeGreaterThanOrEqual(2);
  });

  it('lists prompts namespaced like tools, gets them with arguments, and completes their arguments', async () => {
    const client = await fixture.connect();
    const names = (await client.listPrompts()).prompts.map((prompt) => prompt.name);
    expect(names).toEqual(expect.arrayContaining(['everything.simple-prompt', 'everything.args-prompt', 'everything.completable-prompt']));
    const prompt = await client.getPrompt({ name: 'everything.args-prompt', arguments: { city: 'Lisbon' } });
    expect(JSON.stringify(prompt.messages)).toContain('Lisbon');
    await expect(client.getPrompt({ name: 'args-prompt' })).rejects.toThrow(/Unknown prompt/);
    const completion = await client.complete({
      ref: { type: 'ref/prompt', name: 'everything.completable-prompt' },
      argument: { name: 'department', value: 'E' },
    });
    expect(completion.completion.values).toContain('Engineering');
  });
});
