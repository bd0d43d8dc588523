import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@preloop/core';
import { startReferenceServer } from './reference-server.js';

const dir = mkdtempSync(path.join(tmpdir(), 'preloop-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reference server metrics (/metrics, PRELOOP_METRICS_TOKEN)', () => {
  it('serves Prometheus metrics to the scraper token only, counting the gateway served by the Node fast path', async () => {
    const token = 'prometheus-scrape-token-0123';
    const env = {
      PRELOOP_DATA_DIR: path.join(dir, 'data'),
      PRELOOP_METRICS_TOKEN: token,
      PRELOOP_ADMIN_PASSWORD: 'the first admin password',
    };
    const server = await startReferenceServer({ env, port: 0, logger: createLogger({ level: 'silent' }) });
    try {
      // An unauthenticated gateway call (401), answered by the Node-native gateway.
      expect((await fetch(`${server.url}/openai/v1/models`)).status).toBe(401);
      expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer not-the-token-at-all' } })).status).toBe(401);
      const scraped = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(scraped.status).toBe(200);
      const text = await scraped.text();
      expect(text).toMatch(/^preloop_http_requests_total\{surface="gateway",status="401"\} 1$/m);
      expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    } finally {
      await server.close();
    }
  });

  it('refuses a scraper token shorter than 16 characters at start', async () => {
    const env = {
      PRELOOP_DATA_DIR: path.join(dir, 'short'),
      PRELOOP_METRICS_TOKEN: 'short',
      PRELOOP_ADMIN_PASSWORD: 'the first admin password',
    };
    await expect(startReferenceServer({ env, port: 0, logger: createLogger({ level: 'silent' }) })).rejects.toThrow(
      /metrics option "token"/,
    );
  });
});
