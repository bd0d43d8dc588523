import { parsePolicyDocument, toPolicyJson, type Preloop } from '@preloop/core';
import { applyModelConfig } from '@preloop/gateway';
import { registerConfigServers } from '@preloop/mcp';
import type { LoadedConfig } from './load-config.js';

const configActor = { type: 'system' as const, name: 'PRELOOP_CONFIG' };

/**
 * Applies the configuration file to the kernel, idempotently: a section
 * already in force is left as it is, so restarting with the same file changes
 * nothing. Returns what changed, for the start-up log.
 *
 * @example
 * ```ts
 * const changes = await applyConfig(preloop, await loadConfigFile('preloop.yaml'));
 * ```
 */
export async function applyConfig(preloop: Preloop, loaded: LoadedConfig): Promise<string[]> {
  const changes: string[] = [];
  const { config } = loaded;
  if (config.policy !== undefined) {
    const proposed = typeof config.policy === 'string' ? parsePolicyDocument(config.policy) : parsePolicyDocument(config.policy, 'json');
    const active = await preloop.governance.policies.active(preloop.accountId);
    if (toPolicyJson(active.document) !== toPolicyJson(proposed)) {
      const version = await preloop.governance.policies.apply(preloop.accountId, config.policy, configActor, `from ${loaded.file}`);
      changes.push(`policy version ${version.version}`);
    }
  }
  if (config.models.length > 0) changes.push(...(await applyModelConfig(preloop, config.models)));
  if (config.mcpServers.length > 0) {
    for (const result of await registerConfigServers(preloop, config.mcpServers)) {
      if (result.change !== 'unchanged') changes.push(`MCP server ${result.name} ${result.change}`);
      if (result.scan && 'error' in result.scan) changes.push(`MCP server ${result.name}: scan failed (${result.scan.error})`);
    }
  }
  return changes;
}
