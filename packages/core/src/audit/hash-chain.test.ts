import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toAuditRow, prepareAuditRecord } from './audit-rows.js';
import { canonicalJson } from '../json/canonical-json.js';
import { genesisHash, hashAuditRecord, hashStoredAuditRecord } from './hash-chain.js';

describe('hash chain', () => {
  it('canonical JSON sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' }, u: undefined })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson([undefined, null])).toBe('[null,null]');
    expect(canonicalJson('é\n')).toBe('"é\\n"');
  });

  it('hash = SHA-256(prevHash + canonical content), from 64 zeros', () => {
    expect(genesisHash).toBe('0'.repeat(64));
    const content = {
      id: 'aud_1',
      accountId: 'acc',
      seq: 1,
      time: 5,
      actorType: 'system',
      actorId: null,
      principal: null,
      runtimeSessionId: null,
      action: 'x.y',
      targetType: null,
      targetId: null,
      outcome: 'success',
      data: { b: 2, a: 1 },
    };
    const expected = createHash('sha256')
      .update(genesisHash + canonicalJson(content))
      .digest('hex');
    expect(hashAuditRecord(genesisHash, content)).toBe(expected);
  });

  it('the stored-row hash equals the hash of the parsed record', () => {
    const principal = {
      type: 'api_key' as const,
      id: 'key_1',
      accountId: 'acc_x',
      name: 'CI "bot" ✓',
      role: 'admin' as const,
      userId: 'usr_1',
      apiKeyId: 'key_1',
      agentId: null,
      runtimeSessionId: 'rs_1',
      teamIds: [],
      scopes: ['admin:read'],
    };
    const prepared = prepareAuditRecord(
      {
        actor: principal,
        action: 'tool.call',
        target: { type: 'tool', id: 'github.create_issue' },
        outcome: 'denied',
        data: { z: [1, { b: 'é', a: null }], ü: true },
      },
      'acc_default',
    );
    const row = toAuditRow(prepared, 7, 'f'.repeat(64), '');
    const { prevHash: _p, hash: _h, ...content } = { ...prepared, seq: 7, prevHash: '', hash: '' };
    const { principalText: _pt, dataText: _dt, ...rest } = content;
    expect(hashStoredAuditRecord(row)).toBe(hashAuditRecord('f'.repeat(64), rest));
    expect(prepared.accountId).toBe('acc_x');
    expect(prepared.runtimeSessionId).toBe('rs_1');
  });
});
