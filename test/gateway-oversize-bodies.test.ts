import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { testDialects } from '@preloop/core/testing';
import { gatewayAdapters, startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

// The 413 for an over-size body must reach the official clients as an HTTP answer, never as a broken
// connection (EPIPE / ECONNRESET surface as APIConnectionError, and the SDKs then retry the upload).
const sqlite = testDialects().filter((dialect) => dialect.name === 'sqlite');
const cases = sqlite.flatMap((dialect) => gatewayAdapters.map((adapter) => ({ dialect, adapter, name: `${dialect.name}, ${adapter}` })));

describe.each(cases)('over-size bodies on $name', ({ dialect, adapter }) => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startGatewayHarness(dialect, { adapter, gateway: { bodyLimitBytes: 64 * 1024 } });
  });
  afterAll(async () => {
    await harness?.close();
  });

  /** A fetch that counts the uploads the SDK makes (its retries included). */
  function countingFetch(): { calls: number; fetch: typeof fetch } {
    const counter: { calls: number; fetch: typeof fetch } = {
      calls: 0,
      fetch: (input, init) => {
        counter.calls++;
        return fetch(input, init);
      },
    };
    return counter;
  }

  // Bodies of a few MiB: far more than the socket buffers, so a response written before the body is read used to break the upload.
  const hugeText = 'x'.repeat(3 * 1024 * 1024);

  it('answers the official OpenAI client with a 413 it can read, every time, without a retry', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const counter = countingFetch();
      const client = new OpenAI({ apiKey: harness.apiKey, baseURL: `${harness.url}/openai/v1`, maxRetries: 2, fetch: counter.fetch });
      const error = await client.chat.completions
        .create({ model: 'gpt-mock', messages: [{ role: 'user', content: hugeText }] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(error).not.toBeInstanceOf(OpenAI.APIConnectionError);
      expect(error).toMatchObject({ status: 413, type: 'invalid_request_error', code: 'request_too_large' });
      expect(counter.calls).toBe(1);
    }
  });

  it('answers the official Anthropic client with a 413 it can read, every time, without a retry', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const counter = countingFetch();
      const client = new Anthropic({ apiKey: harness.apiKey, baseURL: `${harness.url}/anthropic`, maxRetries: 2, fetch: counter.fetch });
      const error = await client.messages
        .create({ model: 'claude-mock', max_tokens: 8, messages: [{ role: 'user', content: hugeText }] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Anthropic.APIError);
      expect(error).not.toBeInstanceOf(Anthropic.APIConnectionError);
      expect(error).toMatchObject({ status: 413, error: { type: 'error', error: { type: 'request_too_large' } } });
      expect(counter.calls).toBe(1);
    }
  });

  it('closes the connection after the 413 and keeps serving', async () => {
    const response = await fetch(`${harness.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${harness.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-mock', messages: [{ role: 'user', content: hugeText }] }),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
    await response.text();
    const completion = await harness
      .openaiClient()
      .chat.completions.create({ model: 'gpt-mock', messages: [{ role: 'user', content: 'small' }] });
    expect(completion.choices[0]?.message.content).toContain('mock');
  });
});
