import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isPreloopError } from '../errors.js';
import { decodeCursor, defaultPageLimit, encodeCursor, maxPageLimit, pageLimit, pageQueryShape, toPage } from './cursor-pagination.js';

function refusal(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return null;
}

describe('cursor pagination', () => {
  it('cursors are opaque base64url and decode to the sort key they were made from', () => {
    const cursor = encodeCursor('usr_0193abc');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain('usr_');
    expect(decodeCursor(cursor)).toBe('usr_0193abc');
    expect(decodeCursor(encodeCursor('a:42'), /^a:\d{1,15}$/)).toBe('a:42');
    expect(decodeCursor(undefined)).toBeNull();
    expect(decodeCursor(null)).toBeNull();
    expect(decodeCursor('')).toBeNull();
  });

  it('a cursor this list did not make is a 400 VALIDATION_ERROR naming cursor', () => {
    for (const [cursor, accept] of [
      ['not base64!', undefined],
      [encodeCursor("x' OR 1=1 --"), undefined],
      [encodeCursor('usr_1'), /^a:\d{1,15}$/],
      [encodeCursor('a:1'), /^apr_[0-9a-f-]{36}$/],
      ['A'.repeat(401), /.*/],
    ] as Array<[string, RegExp | undefined]>) {
      const error = refusal(() => decodeCursor(cursor, accept));
      expect(isPreloopError(error, 'VALIDATION_ERROR')).toBe(true);
      expect((error as { status: number }).status).toBe(400);
      expect((error as { details: unknown }).details).toEqual({
        issues: [{ path: 'cursor', message: 'not a cursor returned by this list' }],
      });
    }
  });

  it('page sizes are clamped to 1–200, 50 by default', () => {
    expect(pageLimit(undefined)).toBe(defaultPageLimit);
    expect(pageLimit(Number.NaN)).toBe(50);
    expect(pageLimit(0)).toBe(1);
    expect(pageLimit(-5)).toBe(1);
    expect(pageLimit(7.9)).toBe(7);
    expect(pageLimit(1000)).toBe(maxPageLimit);
    expect(maxPageLimit).toBe(200);
  });

  it('a page of limit + 1 rows keeps limit items and points past the last one; a short page is the last', () => {
    const rows = [{ id: 'r3' }, { id: 'r2' }, { id: 'r1' }];
    const first = toPage(
      rows,
      2,
      (row) => row.id,
      (row) => row.id.toUpperCase(),
    );
    expect(first).toEqual({ items: ['R3', 'R2'], nextCursor: encodeCursor('r2') });
    expect(decodeCursor(first.nextCursor)).toBe('r2');
    expect(
      toPage(
        rows.slice(2),
        2,
        (row) => row.id,
        (row) => row.id,
      ),
    ).toEqual({ items: ['r1'], nextCursor: null });
    expect(
      toPage(
        [],
        2,
        (row: { id: string }) => row.id,
        (row) => row,
      ),
    ).toEqual({ items: [], nextCursor: null });
  });

  it('the list query of every route: limit 1–200 (default 50) from the query string, cursor up to 400 characters', () => {
    const query = z.strictObject({ status: z.string().optional(), ...pageQueryShape });
    expect(query.parse({})).toEqual({ limit: 50 });
    expect(query.parse({ limit: '20', cursor: encodeCursor('usr_1') })).toEqual({ limit: 20, cursor: encodeCursor('usr_1') });
    for (const [input, path] of [
      [{ limit: '0' }, 'limit'],
      [{ limit: '201' }, 'limit'],
      [{ limit: 'many' }, 'limit'],
      [{ cursor: 'a'.repeat(401) }, 'cursor'],
    ] as const) {
      const result = query.safeParse(input);
      expect(result.success).toBe(false);
      expect(result.error!.issues[0]!.path).toEqual([path]);
    }
  });
});
