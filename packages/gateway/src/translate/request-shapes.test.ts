import { describe, expect, it } from 'vitest';
import { checkChatRequest, checkMessagesRequest, checkResponsesRequest } from './request-shapes.js';

/** The issues a check reports, or [] when it passes. */
function issuesOf(check: () => void): Array<{ path: string; message: string }> {
  try {
    check();
    return [];
  } catch (error) {
    return (error as { details: { issues: Array<{ path: string; message: string }> } }).details.issues;
  }
}

describe('shape checks before translation', () => {
  it('accepts what the official clients send', () => {
    expect(
      issuesOf(() =>
        checkChatRequest({
          model: 'm',
          messages: [
            { role: 'system', content: 'Be brief.' },
            {
              role: 'user',
              content: [
                { type: 'text', text: 'Hi' },
                { type: 'image_url', image_url: { url: 'https://x/y.png' } },
              ],
            },
            { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] },
            { role: 'tool', tool_call_id: 'c', content: 'ok' },
          ],
        }),
      ),
    ).toEqual([]);
    expect(
      issuesOf(() =>
        checkMessagesRequest({
          model: 'm',
          max_tokens: 5,
          system: [{ type: 'text', text: 'S' }],
          messages: [
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'r' }] }] },
            {
              role: 'assistant',
              content: [
                { type: 'thinking', thinking: '…', signature: 's' },
                { type: 'tool_use', id: 't', name: 'f', input: {} },
              ],
            },
          ],
        }),
      ),
    ).toEqual([]);
    expect(
      issuesOf(() =>
        checkResponsesRequest({
          model: 'm',
          input: [
            { role: 'user', content: 'x' },
            { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' },
            { type: 'function_call_output', call_id: 'c', output: 'ok' },
            { type: 'reasoning', summary: [] },
          ],
        }),
      ),
    ).toEqual([]);
  });

  it('names the field and says what it must be', () => {
    expect(issuesOf(() => checkChatRequest({ messages: [{ role: 'user', content: 5 }] }))).toEqual([
      { path: 'messages[0].content', message: 'must be a string or an array, not a number' },
    ]);
    expect(
      issuesOf(() =>
        checkChatRequest({ messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f' } }] }] }),
      ),
    ).toEqual([{ path: 'messages[0].tool_calls[0].function.arguments', message: 'is required (a string)' }]);
    expect(issuesOf(() => checkMessagesRequest({ messages: [{ role: 'robot', content: 'x' }] }))).toEqual([
      { path: 'messages[0].role', message: 'must be one of "user", "assistant", "system" (got "robot")' },
    ]);
    expect(issuesOf(() => checkMessagesRequest({ messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, 'b'] }] }))).toEqual([
      { path: 'messages[0].content[1]', message: 'must be an object, not a string' },
    ]);
    expect(issuesOf(() => checkMessagesRequest({ messages: 'hi' }))).toEqual([
      { path: 'messages', message: 'must be an array, not a string' },
    ]);
    expect(issuesOf(() => checkResponsesRequest({ input: [{ role: 'user', content: [{ type: 'input_text' }] }] }))).toEqual([
      { path: 'input[0].content[0].text', message: 'is required (a string)' },
    ]);
    expect(issuesOf(() => checkResponsesRequest({ input: 'x', tools: [{ type: 'namespace', name: 'crm', description: '' }] }))).toEqual([
      { path: 'tools[0].tools', message: 'is required (an array)' },
    ]);
    expect(
      issuesOf(() =>
        checkResponsesRequest({ input: 'x', tools: [{ type: 'namespace', name: 'crm', description: '', tools: [{ type: 'function' }] }] }),
      ),
    ).toEqual([{ path: 'tools[0].tools[0].name', message: 'is required (a string)' }]);
  });
});
