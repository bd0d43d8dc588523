import type { Kysely } from 'kysely';
import { PreloopError } from '../errors.js';
import type { KernelTables } from '../storage/schema.js';
import { verifyAuditChain } from './audit-verify.js';
import type { CheckpointSigner } from './checkpoints.js';

/**
 * Re-signs, with the current key, every checkpoint still signed by a previous
 * secret key, so checkpoints keep verifying once the previous key is dropped.
 * Each account's chain is verified first (with the current and previous keys);
 * a broken chain is never re-signed: its account is reported and left unchanged.
 *
 * @example
 * ```ts
 * const { resigned } = await rotateCheckpointSignatures(db, signer);
 * ```
 */
export async function rotateCheckpointSignatures(db: Kysely<KernelTables>, signer: CheckpointSigner): Promise<{ resigned: number }> {
  const accounts = await db.selectFrom('audit_checkpoints').select('account_id').distinct().where('key_id', '!=', signer.keyId).execute();
  let resigned = 0;
  const broken: Array<{ accountId: string; seq: number; reason: string }> = [];
  for (const { account_id: accountId } of accounts) {
    const report = await verifyAuditChain(db, accountId, signer);
    if (!report.ok) {
      broken.push({ accountId, seq: report.firstBroken!.seq, reason: report.firstBroken!.reason });
      continue;
    }
    const stale = await db
      .selectFrom('audit_checkpoints')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('key_id', '!=', signer.keyId)
      .execute();
    for (const checkpoint of stale) {
      const payload = { accountId, seq: Number(checkpoint.seq), hash: checkpoint.hash };
      const result = await db
        .updateTable('audit_checkpoints')
        .set({ key_id: signer.keyId, signature: signer.sign(payload) })
        .where('id', '=', checkpoint.id)
        .where('key_id', '=', checkpoint.key_id)
        .where('signature', '=', checkpoint.signature)
        .executeTakeFirst();
      resigned += Number(result.numUpdatedRows);
    }
  }
  if (broken.length > 0) {
    throw new PreloopError(
      'CONFLICT',
      `Re-signed ${resigned} checkpoint(s), but the audit chain of ${broken.map((b) => `${b.accountId} (position ${b.seq}: ${b.reason})`).join(', ')} does not verify; its checkpoints were left unchanged.`,
      { details: { resigned, broken } },
    );
  }
  return { resigned };
}
