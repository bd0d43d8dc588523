import path from 'node:path';
import { createFileAnchorSink, createWebhookAnchorSink, type AuditAnchorSink } from '@preloop/core';
import type { ConfigFile } from './config-schema.js';

/**
 * The audit anchors of the configuration file's `audit.anchors` as sinks for
 * `createPreloop({ auditAnchors })`; a file anchor's relative path is resolved
 * against the directory of the configuration file.
 *
 * @example
 * ```ts
 * const auditAnchors = toAuditAnchors(config.config, config.file);
 * ```
 */
export function toAuditAnchors(config: ConfigFile, file: string): AuditAnchorSink[] {
  return config.audit.anchors.map((anchor) =>
    anchor.type === 'file'
      ? createFileAnchorSink({ path: path.resolve(path.dirname(file), anchor.path) })
      : createWebhookAnchorSink({ url: anchor.url, secret: anchor.secret, attempts: anchor.attempts, timeoutMs: anchor.timeoutMs }),
  );
}
