import { PreloopError } from '@preloop/core';
import { describe, expect, it } from 'vitest';
import { errorBody, errorResponse } from './ingress-errors.js';

describe('ingress errors', () => {
  it('writes each code in the OpenAI shape with type, param and code', () => {
    expect(
      errorBody(
        'openai',
        new PreloopError('VALIDATION_ERROR', 'messages: bad', { details: { issues: [{ path: 'messages', message: 'bad' }] } }),
      ),
    ).toEqual({
      error: { message: 'messages: bad', type: 'invalid_request_error', param: 'messages', code: null },
    });
    expect(errorBody('openai', new PreloopError('BUDGET_EXCEEDED', 'over'))).toMatchObject({
      error: { type: 'insufficient_quota', code: 'budget_exceeded' },
    });
    expect(
      errorBody('openai', new PreloopError('UPSTREAM_ERROR', 'down', { details: { errorCode: 'upstream_unreachable' } })),
    ).toMatchObject({ error: { type: 'server_error', code: 'upstream_unreachable' } });
  });

  it('writes the Anthropic shape with the type of the status', () => {
    expect(errorBody('anthropic', new PreloopError('PAYLOAD_TOO_LARGE', 'big'))).toEqual({
      type: 'error',
      error: { type: 'request_too_large', message: 'big' },
    });
    expect(errorBody('anthropic', new PreloopError('X', 'overloaded', { status: 529 }))).toMatchObject({
      error: { type: 'overloaded_error' },
    });
    expect(errorBody('anthropic', new PreloopError('X', 'gateway timeout', { status: 504 }))).toMatchObject({
      error: { type: 'api_error' },
    });
  });

  it('sets retry headers and never leaks an unknown error', async () => {
    const limited = errorResponse('openai', new PreloopError('RATE_LIMITED', 'slow', { details: { retryAfterSeconds: 2.2 } }));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(errorResponse('anthropic', new PreloopError('BUDGET_EXCEEDED', 'over')).headers.get('x-should-retry')).toBe('false');
    const hidden = errorResponse('anthropic', new Error('secret internals sk-123'));
    expect(hidden.status).toBe(500);
    expect(await hidden.text()).not.toContain('secret');
  });
});
