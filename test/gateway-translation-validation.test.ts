import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { testDialects } from '@preloop/core/testing';
import { startGatewayHarness, type GatewayHarness } from './gateway-harness.js';

// Requests translated to the other provider's format are checked first: a malformed field is a 400 in the
// ingress's own shape naming the field, never a JavaScript error from inside a translator, and never dropped.
const sqlite = testDialects().filter((dialect) => dialect.name === 'sqlite');

describe.each(sqlite)('shape checks before translation on $name', (dialect) => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startGatewayHarness(dialect);
  });
  afterAll(async () => {
    await harness?.close();
  });

  /** Runs `call`, expecting a refusal that never reached the upstream. */
  async function refused(call: () => Promise<unknown>): Promise<any> {
    const before = harness.upstream.requests.length;
    const error = await call().then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(harness.upstream.requests.length).toBe(before);
    expect(String((error as Error)?.message)).not.toMatch(/iterable|undefined|Symbol|Cannot read/);
    return error;
  }

  it('OpenAI chat to an Anthropic alias: a content that is not a string or an array names the field', async () => {
    const error = await refused(() =>
      harness.openaiClient().chat.completions.create({ model: 'claude-mock', messages: [{ role: 'user', content: 5 as never }] }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param: 'messages[0].content' });
    expect(error.message).toMatch(/messages\[0\]\.content: must be a string or an array, not a number/);
  });

  it('OpenAI chat to an Anthropic alias: tool_calls that are not an array, and an unknown role', async () => {
    const calls = await refused(() =>
      harness.openaiClient().chat.completions.create({
        model: 'claude-mock',
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: null, tool_calls: 5 as never },
        ],
      }),
    );
    expect(calls).toMatchObject({ status: 400, param: 'messages[1].tool_calls' });
    const role = await refused(() =>
      harness.openaiClient().chat.completions.create({
        model: 'claude-mock',
        messages: [
          { role: 'user', content: 'x' },
          { role: 'bot' as never, content: 'y' },
        ],
      }),
    );
    expect(role).toMatchObject({ status: 400, param: 'messages[1].role' });
    expect(role.message).toMatch(
      /messages\[1\]\.role: must be one of "system", "developer", "user", "assistant", "tool", "function" \(got "bot"\)/,
    );
  });

  it('Anthropic messages to an OpenAI alias: an unknown role is refused, not dropped', async () => {
    const error = await refused(() =>
      harness.anthropicClient().messages.create({
        model: 'gpt-mock',
        max_tokens: 16,
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello' },
          { role: 'tool' as never, content: 'forgotten?' },
        ],
      }),
    );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error).toMatchObject({ status: 400, error: { type: 'error', error: { type: 'invalid_request_error' } } });
    expect(error.error.error.message).toMatch(/^messages\[2\]\.role: must be one of "user", "assistant", "system" \(got "tool"\)/);
  });

  it('Anthropic messages to an OpenAI alias: missing content and a malformed block name the field', async () => {
    const missing = await refused(() =>
      harness.anthropicClient().messages.create({ model: 'gpt-mock', max_tokens: 16, messages: [{ role: 'user' } as never] }),
    );
    expect(missing.error.error.message).toMatch(/messages\[0\]\.content: is required/);
    const block = await refused(() =>
      harness.anthropicClient().messages.create({
        model: 'gpt-mock',
        max_tokens: 16,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'a' },
              { type: 'text', text: 5 as never },
            ],
          },
        ],
      }),
    );
    expect(block.error.error.message).toMatch(/messages\[0\]\.content\[1\]\.text: must be a string, not a number/);
    const type = await refused(() =>
      harness
        .anthropicClient()
        .messages.create({ model: 'gpt-mock', max_tokens: 16, messages: [{ role: 'user', content: [{ type: 'sticker' } as never] }] }),
    );
    expect(type.error.error.message).toMatch(/messages\[0\]\.content\[0\]\.type: must be one of "text", "image"/);
  });

  it('Responses to an Anthropic alias: a malformed input item names the field', async () => {
    const error = await refused(() =>
      harness.openaiClient().responses.create({
        model: 'claude-mock',
        store: false,
        input: [{ role: 'user', content: 'x' }, { type: 'function_call', name: 'f', arguments: '{}' } as never],
      }),
    );
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param: 'input[1].call_id' });
  });

  it('still translates well-formed requests', async () => {
    const message = await harness
      .anthropicClient()
      .messages.create({ model: 'gpt-mock', max_tokens: 16, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] });
    expect(message.content[0]).toMatchObject({ type: 'text' });
  });
});
