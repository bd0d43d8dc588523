import { readFileSync } from 'node:fs';
import { PreloopError, type PreloopOptions, type PreloopPlugin } from '@preloop/core';
import { approvals } from '@preloop/approvals';
import { flows } from '@preloop/flows';
import { createGateway, gateway } from '@preloop/gateway';
import { mcp } from '@preloop/mcp';
import { anthropic } from '@preloop/plugin-anthropic';
import { gemini } from '@preloop/plugin-gemini';
import { openai } from '@preloop/plugin-openai';
import { github } from '@preloop/plugin-github';
import { gitlab } from '@preloop/plugin-gitlab';
import { jira } from '@preloop/plugin-jira';
import { email, smtpTransportFromUrl } from '@preloop/plugin-email';
import { mattermost, slack, slackWebhook } from '@preloop/plugin-slack';
import { push } from '@preloop/plugin-push';
import { docker } from '@preloop/plugin-docker';
import { webhook } from '@preloop/plugin-webhook';
import type { ConfigFile } from './config/config-schema.js';

/**
 * The reference server's plugins: the approval engine (its AI reviewers served
 * by the gateway below), the MCP endpoint, the
 * model gateway with the OpenAI, Anthropic and Gemini providers, flows (their runtimes
 * call this server's own gateway and MCP endpoint), and the notifiers that
 * the configuration file turns on (webhook, Slack app, Slack incoming webhook, Mattermost,
 * email, mobile push: Web Push always, APNs and FCM when configured), or email from `PRELOOP_SMTP_URL` and `PRELOOP_EMAIL_FROM` when the file has no
 * `plugins.email`.
 *
 * @example
 * ```ts
 * const plugins = referencePlugins(config, 'https://preloop.example.com', process.env);
 * ```
 */
export function referencePlugins(
  config: ConfigFile | null,
  publicUrl: string,
  env: Record<string, string | undefined> = {},
): PreloopPlugin[] {
  // Workflows' AI reviewers reach their model through this server's own gateway (governed, metered, audited).
  const plugins: PreloopPlugin[] = [
    approvals({ publicUrl, aiReviewer: { gateway: (preloop) => createGateway(preloop) } }),
    mcp(),
    gateway(),
    openai(),
    anthropic(),
    gemini(),
    // Flows' runtimes reach the model gateway and the MCP endpoint at this server's own URL, as any agent would.
    flows({ baseUrl: publicUrl }),
    // Trackers: connections (a token or a GitHub App; a GitLab token; Jira Cloud or Data Center credentials) are made at run time through the admin API or the console.
    github(),
    gitlab(),
    jira(),
  ];
  // The flows runtime `container`, only when the file has `plugins.docker` (it needs a Docker daemon).
  const dockerSettings = config?.plugins.docker;
  if (dockerSettings) {
    const { socketPath, ...defaults } = dockerSettings;
    plugins.push(docker({ ...defaults, ...(socketPath ? { connection: { socketPath } } : {}) }));
  }
  const webhookSettings = config?.plugins.webhook;
  if (webhookSettings)
    plugins.push(webhook({ url: webhookSettings.url, secret: webhookSettings.secret, previousSecrets: webhookSettings.previousSecrets }));
  const { slack: slackSettings, slackWebhook: slackWebhookSettings, mattermost: mattermostSettings } = config?.plugins ?? {};
  if (slackSettings)
    plugins.push(
      slack({ botToken: slackSettings.botToken, signingSecret: slackSettings.signingSecret, channel: slackSettings.channel ?? null }),
    );
  if (slackWebhookSettings) plugins.push(slackWebhook({ url: slackWebhookSettings.url }));
  if (mattermostSettings) plugins.push(mattermost({ url: mattermostSettings.url, username: mattermostSettings.username }));
  const emailSettings = config?.plugins.email;
  if (emailSettings) {
    const { url, ...settings } = emailSettings;
    plugins.push(email({ ...settings, transport: smtpTransportFromUrl(url, 'plugins.email.url') }));
  } else if (env.PRELOOP_SMTP_URL) {
    if (!env.PRELOOP_EMAIL_FROM)
      throw new PreloopError(
        'CONFIGURATION_ERROR',
        'PRELOOP_SMTP_URL is set but PRELOOP_EMAIL_FROM is not: set the sender address, for example "Preloop <approvals@example.com>".',
      );
    plugins.push(email({ from: env.PRELOOP_EMAIL_FROM, transport: smtpTransportFromUrl(env.PRELOOP_SMTP_URL, 'PRELOOP_SMTP_URL') }));
  }
  plugins.push(pushPlugin(config, publicUrl, env.PRELOOP_PUBLIC_URL !== undefined));
  return plugins;
}

/**
 * The kernel's `issues` option: duplicate detection's embeddings model from the
 * file's `issues.similarity.model`, else `PRELOOP_ISSUES_EMBEDDINGS_MODEL`,
 * computed through this server's own gateway in process (governed, metered and
 * audited like any model call). Without either, duplicate detection is off.
 *
 * @example
 * ```ts
 * issuesOption(null, { PRELOOP_ISSUES_EMBEDDINGS_MODEL: 'embed' }); // { similarity: { model: 'embed', gateway: … } }
 * ```
 */
export function issuesOption(config: ConfigFile | null, env: Record<string, string | undefined> = {}): PreloopOptions['issues'] {
  const model = config?.issues.similarity?.model ?? (env.PRELOOP_ISSUES_EMBEDDINGS_MODEL?.trim() || undefined);
  if (!model) return {};
  return { similarity: { model, gateway: (preloop) => createGateway(preloop, config?.gateway) } };
}

function readKeyFile(file: string, option: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new PreloopError(
      'CONFIGURATION_ERROR',
      `${option}: cannot read "${file}" (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
    );
  }
}

/**
 * Mobile approvals: Web Push is on with zero setup (a VAPID key pair is
 * generated on first start and kept, encrypted, in the secret store); APNs
 * and FCM when `plugins.push.apns` / `plugins.push.fcm` are given. Pairing
 * links name `PRELOOP_PUBLIC_URL` when it is set, else the address the console
 * was opened at (the server's own `http://127.0.0.1:8787` is no address for a phone).
 */
function pushPlugin(config: ConfigFile | null, publicUrl: string, publicUrlSet: boolean): PreloopPlugin {
  const settings = config?.plugins.push;
  const web = settings?.webPush;
  const subject = (web ? web.subject : undefined) ?? (publicUrl.startsWith('https:') ? publicUrl : 'mailto:preloop@localhost');
  const apns = settings?.apns;
  const fcm = settings?.fcm;
  return push({
    publicUrl: publicUrlSet ? publicUrl : null,
    webPush:
      web === false ? undefined : { subject, publicKey: web?.publicKey, privateKey: web?.privateKey, endpointHosts: web?.endpointHosts },
    apns: apns && {
      bundleId: apns.bundleId,
      keyId: apns.keyId,
      teamId: apns.teamId,
      privateKey: apns.privateKey ?? readKeyFile(apns.privateKeyFile!, 'plugins.push.apns.privateKeyFile'),
      hosts: apns.hosts,
    },
    fcm: fcm && {
      serviceAccount: fcm.serviceAccount ?? readKeyFile(fcm.serviceAccountFile!, 'plugins.push.fcm.serviceAccountFile'),
      projectId: fcm.projectId,
      apiUrl: fcm.apiUrl,
      tokenUrl: fcm.tokenUrl,
    },
    maxDevicesPerUser: settings?.maxDevicesPerUser,
    criticalWorkflows: settings?.criticalWorkflows,
  });
}
