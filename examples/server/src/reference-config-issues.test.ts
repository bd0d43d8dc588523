import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, type TrackerIssue } from '@preloop/core';
import type {} from '@preloop/gateway';
import { startMockUpstream, type MockUpstream } from '../../../packages/gateway/test-fixtures/mock-upstream.js';
import type { ConfigFile } from './config/config-schema.js';
import { loadConfigFile } from './config/load-config.js';
import { issuesOption } from './plugins.js';
import { startReferenceServer, type ReferenceServer } from './reference-server.js';

const dir = mkdtempSync(path.join(tmpdir(), 'preloop-reference-issues-'));
let upstream: MockUpstream;
beforeAll(async () => {
  upstream = await startMockUpstream({ credentials: ['sk-embeddings-upstream'] });
});
afterAll(async () => {
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

const issue = (number: number, title: string): TrackerIssue => ({
  id: `src-${number}`,
  project: 'acme/web',
  number: String(number),
  key: `acme/web#${number}`,
  title,
  body: '',
  state: 'open',
  labels: [],
  assignees: [],
  author: null,
  url: `https://tracker.example/acme/web/issues/${number}`,
  createdAt: number,
  updatedAt: number,
  closedAt: null,
  raw: {},
});

const modelsYaml = [
  'models:',
  '  - alias: embed',
  '    provider: openai',
  '    model: text-embedding-3-small',
  '    baseUrl: ${UPSTREAM_URL}/v1',
  '    apiKey: sk-embeddings-upstream',
  `policy: ${JSON.stringify({ version: 1, defaults: { tools: 'deny', models: { allow: ['embed'] } } })}`,
];

/** Starts the server, stores two issues, and asks for the first one's similar issues. */
async function similarWith(name: string, lines: string[]) {
  const config = path.join(dir, `${name}.yaml`);
  writeFileSync(config, [...modelsYaml, ...lines, ''].join('\n'));
  const env = { PRELOOP_DATA_DIR: path.join(dir, name), PRELOOP_CONFIG: config, UPSTREAM_URL: upstream.url };
  const server: ReferenceServer = await startReferenceServer({ env, port: 0, logger: createLogger({ level: 'error', write: () => {} }) });
  try {
    const source = { accountId: server.preloop.accountId, connectionId: 'trk_reference', tracker: 'github' };
    const first = await server.preloop.issues.store.upsert(source, issue(1, 'Login crashes on Safari'));
    await server.preloop.issues.store.upsert(source, issue(2, 'Safari crash on login'));
    return await server.preloop.issues.similarity.similar(server.preloop.accountId, first.id);
  } finally {
    await server.close();
  }
}

describe("the reference server's duplicate detection setting", () => {
  it('issues.similarity.model in the file turns duplicate detection on, through the server’s own gateway', async () => {
    const before = upstream.requests.length;
    const answer = await similarWith('file', ['issues:', '  similarity:', '    model: embed']);
    expect(answer).toMatchObject({ available: true, model: 'embed' });
    expect(answer.items.map((item) => item.issue.key)).toEqual(['acme/web#2']);
    const calls = upstream.requests.slice(before).filter((request) => request.path === '/v1/embeddings');
    expect(calls.length).toBeGreaterThan(0);
    expect(calls[0]!.body.model).toBe('text-embedding-3-small');
  });

  it('PRELOOP_ISSUES_EMBEDDINGS_MODEL says it when the file does not; the file wins; without either it stays off', () => {
    const fromEnv = issuesOption(null, { PRELOOP_ISSUES_EMBEDDINGS_MODEL: ' embed ' });
    expect(fromEnv?.similarity?.model).toBe('embed');
    expect(typeof fromEnv?.similarity?.gateway).toBe('function');
    const file = { issues: { similarity: { model: 'from-file' } } } as unknown as ConfigFile;
    expect(issuesOption(file, { PRELOOP_ISSUES_EMBEDDINGS_MODEL: 'embed' })?.similarity?.model).toBe('from-file');
    expect(issuesOption(null, {})).toEqual({});
    expect(issuesOption(null, { PRELOOP_ISSUES_EMBEDDINGS_MODEL: '  ' })).toEqual({});
  });

  it('an empty model or an unknown key is a configuration error naming it', async () => {
    const config = path.join(dir, 'bad.yaml');
    writeFileSync(config, 'issues:\n  similarity:\n    model: ""\n');
    await expect(loadConfigFile(config, {})).rejects.toThrow(/issues\.similarity\.model: must be a gateway model alias for embeddings/);
    writeFileSync(config, 'issues:\n  similarity:\n    modle: embed\n');
    await expect(loadConfigFile(config, {})).rejects.toThrow(/issues\.similarity/);
  });
});
