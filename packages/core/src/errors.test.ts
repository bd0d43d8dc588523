import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isPreloopError, PreloopError, toErrorResponse } from './errors.js';
import { StoreUnavailableError } from './storage/store-unavailable.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));

describe('PreloopError', () => {
  it('is recognized across two copies of the module (a host with two copies of core)', async () => {
    // Two distinct module instances: the same file imported under two URLs in one process.
    const file = JSON.stringify(path.join(here, 'errors.ts'));
    const script = [
      `const first = await import(${file} + '?copy=1');`,
      `const second = await import(${file} + '?copy=2');`,
      `const error = new first.PreloopError('NOT_FOUND', 'gone');`,
      `console.log(JSON.stringify({ distinct: first.PreloopError !== second.PreloopError, instance: error instanceof second.PreloopError, is: second.isPreloopError(error, 'NOT_FOUND'), status: (await second.toErrorResponse(error).json()).error.code }));`,
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 60_000 });
    expect(JSON.parse(stdout)).toEqual({ distinct: true, instance: true, is: true, status: 'NOT_FOUND' });
  });

  it('keeps subclass checks exact and refuses look-alikes', () => {
    const plain = new PreloopError('NOT_FOUND', 'gone');
    expect(plain instanceof StoreUnavailableError).toBe(false);
    expect(isPreloopError({ code: 'NOT_FOUND', status: 404, message: 'forged' })).toBe(false);
    expect(isPreloopError(new Error('plain'))).toBe(false);
    expect(toErrorResponse(new Error('secret detail')).status).toBe(500);
  });
});
