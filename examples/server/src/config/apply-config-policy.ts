import { parsePolicyDocument, toPolicyJson, type Logger, type PolicyVersion, type Preloop } from '@preloop/core';

/**
 * Who wins when the configuration file's `policy` and the database disagree:
 * - `database` (the default): the file is applied only when nothing newer was
 *   applied through the admin API (or console) since the file's own last apply;
 *   otherwise the database's version stays in force and a warning names both.
 * - `file` (GitOps): the file's document is made active whenever it differs,
 *   replacing what the API applied; a warning names the version it replaces.
 */
export type PolicyPrecedence = 'file' | 'database';

/** The id the config file's policy versions carry as `createdBy`. */
export const configPolicyAuthor = 'PRELOOP_CONFIG';

/** What {@link applyConfigPolicy} did. */
export type ConfigPolicyOutcome =
  | { action: 'unchanged'; version: number }
  | { action: 'applied'; version: number; replaced: number }
  | { action: 'kept-database'; version: number; fileVersion: number | null };

/** A version the file applied: ours carry the config author; older releases left `createdBy` empty and commented `from <file>`. */
function fromFile(version: PolicyVersion): boolean {
  return version.createdBy === configPolicyAuthor || (version.createdBy === null && (version.comment ?? '').startsWith('from '));
}

/** A version applied by a principal (admin API, console, rollback), not by the file nor the kernel's default. */
function fromApi(version: PolicyVersion): boolean {
  return version.createdBy !== null && version.createdBy !== configPolicyAuthor;
}

/**
 * Applies the configuration file's policy under an explicit precedence, so a
 * restart never silently replaces a newer policy an admin applied through the
 * API (nor silently ignores the file): every override or refusal is a warning
 * naming both versions.
 *
 * @example
 * ```ts
 * const outcome = await applyConfigPolicy(preloop, { policy: yamlText, precedence: 'database', file: '/etc/preloop.yaml', logger });
 * ```
 */
export async function applyConfigPolicy(
  preloop: Preloop,
  options: { policy: string | Record<string, unknown>; precedence: PolicyPrecedence; file: string; logger: Logger },
): Promise<ConfigPolicyOutcome> {
  const { policy, precedence, file, logger } = options;
  const accountId = preloop.accountId;
  const proposed = typeof policy === 'string' ? parsePolicyDocument(policy) : parsePolicyDocument(policy, 'json');
  const active = await preloop.governance.policies.active(accountId);
  if (toPolicyJson(active.document) === toPolicyJson(proposed)) return { action: 'unchanged', version: active.version };
  const versions = await preloop.governance.policies.versions(accountId);
  const activeVersion = versions.find((version) => version.version === active.version);
  const lastFromFile = versions.find(fromFile) ?? null;
  const newerFromApi = activeVersion !== undefined && fromApi(activeVersion) && active.version > (lastFromFile?.version ?? 0);
  if (newerFromApi && precedence === 'database') {
    logger.warn(
      `POLICY NOT APPLIED: the policy in ${file} differs from the active policy version ${active.version}, which ${activeVersion.createdBy} applied through the admin API after the file's last apply (${lastFromFile ? `version ${lastFromFile.version}` : 'none'}). The database wins (policyPrecedence: database); to make the file win, set policyPrecedence: file, or export version ${active.version} into the file.`,
      { activeVersion: active.version, fileVersion: lastFromFile?.version ?? null, appliedBy: activeVersion.createdBy, precedence },
    );
    return { action: 'kept-database', version: active.version, fileVersion: lastFromFile?.version ?? null };
  }
  const applied = await preloop.governance.policies.apply(
    accountId,
    policy,
    { type: 'system', id: configPolicyAuthor, name: configPolicyAuthor },
    `from ${file}`,
  );
  if (newerFromApi) {
    logger.warn(
      `POLICY REPLACED: the policy in ${file} (now version ${applied.version}) replaced version ${active.version}, which ${activeVersion.createdBy} applied through the admin API (policyPrecedence: file). Changes made through the API since version ${lastFromFile?.version ?? 'none'} are no longer in force.`,
      { replacedVersion: active.version, version: applied.version, replacedBy: configPolicyAuthor, precedence },
    );
  }
  return { action: 'applied', version: applied.version, replaced: active.version };
}
