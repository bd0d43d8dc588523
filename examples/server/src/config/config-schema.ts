import { z } from 'zod';
import { gatewayOptionsSchema, modelPricesSchema } from '@preloop/gateway';

/** Prices in the admin API's vocabulary; `cached` is still read as the deprecated name of `cachedInput` (with a warning). */
const pricesSchema = modelPricesSchema
  .extend({ cached: modelPricesSchema.shape.input.optional().describe('Deprecated: the old name of cachedInput') })
  .refine((prices) => prices.cached === undefined || prices.cachedInput === undefined, {
    message: 'cached is the deprecated name of cachedInput; give cachedInput only',
    path: ['cached'],
  });

/** A model alias declared in the config file. */
export const modelConfigSchema = z.strictObject({
  alias: z.string().min(1),
  provider: z.string().min(1).describe('Provider plugin id, for example openai, anthropic or gemini'),
  model: z.string().min(1).describe('The upstream model id'),
  baseUrl: z.url().optional(),
  apiKey: z.string().min(1).optional().describe('Stored encrypted in the secret store; use ${ENV} substitution'),
  prices: pricesSchema.optional().describe('USD per million tokens: input, output, cachedInput, cacheWriteInput, longContext'),
  fallback: z.string().optional().describe('Alias to try when the upstream answers 429/5xx before the first byte'),
});

/** Settings of an upstream MCP server the file may state; one left out keeps its stored value (the default for a new server). */
const mcpServerSettings = {
  namespaced: z.boolean().optional().describe('Expose tools as <name>.<tool> (default true)'),
  trustOnFirstUse: z.boolean().optional().describe('Pin unflagged tools on the first scan without a separate approval (default true)'),
  enabled: z.boolean().optional().describe('Connect and list its tools (default true)'),
  timeoutMs: z.number().int().min(1000).max(3_600_000).optional().describe('Timeout of one upstream request in ms (default 60000)'),
  trust: z.enum(['trusted', 'untrusted']).optional().describe('untrusted: its tool results taint the runtime session (default trusted)'),
};

/** An upstream MCP server declared in the config file. */
export const mcpServerConfigSchema = z.discriminatedUnion('transport', [
  z.strictObject({
    ...mcpServerSettings,
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'must be letters, digits, - or _ (it namespaces the tools)'),
    transport: z.literal('http'),
    url: z.url(),
    headers: z.record(z.string(), z.string()).optional().describe('Sent upstream; held as secrets'),
  }),
  z.strictObject({
    ...mcpServerSettings,
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'must be letters, digits, - or _ (it namespaces the tools)'),
    transport: z.literal('stdio'),
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).optional().describe('Passed to the process; held as secrets'),
  }),
]);

/**
 * The reference server's configuration file (`PRELOOP_CONFIG`): models,
 * the gateway's options, upstream MCP servers, the policy and plugin settings. Values may use
 * `${ENV_NAME}` (or `${ENV_NAME:-default}`) substitution.
 */
export const configFileSchema = z.strictObject({
  models: z.array(modelConfigSchema).default([]),
  mcpServers: z.array(mcpServerConfigSchema).default([]),
  gateway: gatewayOptionsSchema
    .default({})
    .describe('Options of the model gateway (/openai/v1, /anthropic/v1): body limit, timeouts, rate limits, budgets, capture, auditCalls'),
  policy: z
    .union([z.string().min(1), z.record(z.string(), z.unknown())])
    .optional()
    .describe('A policy document, or the path of one relative to this file'),
  policyPrecedence: z
    .enum(['database', 'file'])
    .default('database')
    .describe(
      "When the file's policy differs from a newer version applied through the admin API: database keeps that version (default), file replaces it",
    ),
  audit: z
    .strictObject({
      checkpointEvery: z
        .number()
        .int()
        .min(1)
        .max(1_000_000)
        .optional()
        .describe('Sign an audit checkpoint after this many records (default 1000)'),
      anchors: z
        .array(
          z.discriminatedUnion('type', [
            z.strictObject({
              type: z.literal('file'),
              path: z
                .string()
                .min(1)
                .describe('Append-only JSONL file, relative to this file; put it where the database owner cannot rewrite it'),
            }),
            z.strictObject({
              type: z.literal('webhook'),
              url: z.url(),
              secret: z.string().min(24, 'must be at least 24 characters (Standard Webhooks)').optional(),
              attempts: z.number().int().min(1).max(10).optional(),
              timeoutMs: z.number().int().min(1).optional(),
            }),
          ]),
        )
        .default([])
        .describe('Where every signed audit checkpoint is exported, outside the database (see docs/audit.md)'),
    })
    .default({ anchors: [] }),
  issues: z
    .strictObject({
      similarity: z
        .strictObject({
          model: z
            .string()
            .trim()
            .min(1, 'must be a gateway model alias for embeddings')
            .describe("Gateway model alias for duplicate detection's embeddings (one of models[].alias)"),
        })
        .optional()
        .describe('Duplicate detection of synced issues (docs/trackers-guide.md#similar-issues-duplicate-detection)'),
    })
    .default({})
    .describe('The unified issues view'),
  plugins: z
    .strictObject({
      webhook: z
        .strictObject({
          url: z.url(),
          secret: z.string().min(24, 'must be at least 24 characters (Standard Webhooks)'),
          previousSecrets: z.array(z.string()).optional(),
        })
        .optional(),
      slack: z
        .strictObject({
          botToken: z
            .string()
            .regex(/^xox[a-z]-\S+$/, 'must be a Slack bot token (xoxb-…)')
            .describe('Use ${ENV} substitution'),
          signingSecret: z
            .string()
            .min(16, "must be the app's signing secret (Basic Information → App Credentials)")
            .describe('Use ${ENV} substitution'),
          channel: z
            .string()
            .regex(/^[A-Z0-9]{2,}$/, 'must be a channel ID such as C0123456789')
            .optional()
            .describe('Post requests in this channel; without it, approvers get direct messages'),
        })
        .optional(),
      slackWebhook: z.strictObject({ url: z.url().describe('A Slack incoming webhook URL; use ${ENV} substitution') }).optional(),
      mattermost: z
        .strictObject({
          url: z.url().describe('A Mattermost incoming webhook URL; use ${ENV} substitution'),
          username: z.string().min(1).max(64).optional(),
        })
        .optional(),
      email: z
        .strictObject({
          url: z
            .string()
            .min(1)
            .describe(
              'smtp://user:password@host:587 (STARTTLS required), smtps://…:465, ?tls=opportunistic or ?tls=none, or sendmail:[path]; use ${ENV} substitution',
            ),
          from: z.string().min(3).describe('The sender: approvals@example.com or "Preloop <approvals@example.com>"'),
          replyTo: z.string().optional(),
          subjectPrefix: z.string().optional(),
          timeZone: z.string().optional().describe('IANA time zone of deadlines in the messages (default UTC)'),
          listUnsubscribe: z.string().optional().describe('A mailto: or https: List-Unsubscribe target (none by default)'),
        })
        .optional(),
      push: z
        .strictObject({
          webPush: z
            .union([
              z.literal(false),
              z.strictObject({
                subject: z
                  .string()
                  .regex(/^(mailto:|https:)/, 'must be a mailto: or https: contact')
                  .optional()
                  .describe('Operator contact sent to push services (default: the public URL when https, else mailto:preloop@localhost)'),
                publicKey: z
                  .string()
                  .min(80)
                  .optional()
                  .describe('VAPID public key (base64url); with privateKey, or neither: a pair is generated and stored'),
                privateKey: z.string().min(40).optional().describe('VAPID private key (base64url); use ${ENV} substitution'),
                endpointHosts: z
                  .array(z.string().min(1))
                  .optional()
                  .describe('Push service hosts subscriptions may name (default: the browsers’ push services)'),
              }),
            ])
            .optional()
            .describe('Web Push for the approval app: on by default with a generated VAPID key pair; false turns it off'),
          apns: z
            .strictObject({
              bundleId: z.string().min(1).describe('The iOS app’s bundle id (apns-topic)'),
              keyId: z.string().regex(/^[A-Z0-9]{10}$/, 'must be the 10-character Key ID of the .p8 key'),
              teamId: z.string().regex(/^[A-Z0-9]{10}$/, 'must be the 10-character Team ID'),
              privateKey: z.string().min(1).optional().describe('The .p8 key (PEM); use ${ENV} substitution'),
              privateKeyFile: z.string().min(1).optional().describe('Path of the .p8 key file'),
              hosts: z.strictObject({ production: z.url().optional(), sandbox: z.url().optional() }).optional(),
            })
            .refine((apns) => (apns.privateKey === undefined) !== (apns.privateKeyFile === undefined), {
              message: 'give exactly one of privateKey and privateKeyFile',
            })
            .optional(),
          fcm: z
            .strictObject({
              serviceAccount: z.string().min(1).optional().describe('The service-account key JSON; use ${ENV} substitution'),
              serviceAccountFile: z.string().min(1).optional().describe('Path of the service-account key file'),
              projectId: z.string().min(1).optional().describe('Firebase project id (default: the key’s project_id)'),
              apiUrl: z.url().optional(),
              tokenUrl: z.url().optional(),
            })
            .refine((fcm) => (fcm.serviceAccount === undefined) !== (fcm.serviceAccountFile === undefined), {
              message: 'give exactly one of serviceAccount and serviceAccountFile',
            })
            .optional(),
          maxDevicesPerUser: z.number().int().min(1).max(1000).optional().describe('Active paired devices per user (default 20)'),
          criticalWorkflows: z.array(z.string()).optional().describe('Workflows pushed as critical alerts (APNs entitlement needed)'),
        })
        .optional()
        .describe('Mobile approvals (docs/mobile-approvals.md); Web Push is on without this section'),
      docker: z
        .strictObject({
          socketPath: z.string().min(1).optional().describe('The Docker socket (default: DOCKER_HOST, else /var/run/docker.sock)'),
          baseUrl: z
            .url({ protocol: /^https?$/ })
            .optional()
            .describe('The origin containers reach this server at, for example http://host.docker.internal:3000'),
          pull: z.enum(['missing', 'always', 'never']).optional().describe('Default pull policy of container flows (default missing)'),
          network: z.string().min(1).optional().describe('Default network of container flows (default bridge)'),
        })
        .optional()
        .describe('The flows runtime `container` (@preloop/plugin-docker); off without this section'),
    })
    .default({}),
});

/** The validated configuration file. */
export type ConfigFile = z.output<typeof configFileSchema>;
