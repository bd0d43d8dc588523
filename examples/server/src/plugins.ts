import type { PreloopPlugin } from '@preloop/core';
import { approvals } from '@preloop/approvals';
import { mcp } from '@preloop/mcp';
import { webhook } from '@preloop/plugin-webhook';
import type { ConfigFile } from './config/config-schema.js';

/**
 * The reference server's plugins: the approval engine and the MCP endpoint's
 * plugin always, and the notifiers that the configuration file turns on.
 *
 * @example
 * ```ts
 * const plugins = referencePlugins(config, 'https://preloop.example.com');
 * ```
 */
export function referencePlugins(config: ConfigFile | null, publicUrl: string): PreloopPlugin[] {
  const plugins: PreloopPlugin[] = [approvals({ publicUrl }), mcp()];
  const webhookSettings = config?.plugins.webhook;
  if (webhookSettings) plugins.push(webhook({ url: webhookSettings.url, secret: webhookSettings.secret, previousSecrets: webhookSettings.previousSecrets }));
  return plugins;
}
