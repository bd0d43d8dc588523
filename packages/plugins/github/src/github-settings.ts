/** The settings and secrets of a GitHub connection, validated with zod. */

import { z } from 'zod';

const numericId = z.union([z.number().int().positive(), z.string().regex(/^\d{1,20}$/, 'must be a number')]).transform(Number);

/** A GitHub connection's settings (nothing secret). */
export const githubSettingsSchema = z.strictObject({
  /** The REST API's base URL: `https://api.github.com`, or `https://<host>/api/v3` for GitHub Enterprise Server. @default 'https://api.github.com' */
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://api.github.com'),
  /** The GitHub App's id (App connections). */
  appId: numericId.optional(),
  /** The installation of the App in the organization or account (App connections). */
  installationId: numericId.optional(),
  /** Searches without a project stay within this user or organization (`user:<owner>`). */
  owner: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,39}$/, 'must be a GitHub user or organization name')
    .optional(),
});

/** A GitHub connection's settings, as validated. */
export type GitHubSettings = z.output<typeof githubSettingsSchema>;

/** A GitHub connection's secrets: a token, or a GitHub App's private key (PEM). */
export const githubSecretsSchema = z
  .strictObject({
    /** A fine-grained or classic personal access token (token connections). */
    token: z.string().min(1).optional(),
    /** The GitHub App's private key, PEM as downloaded (App connections). */
    privateKey: z.string().includes('PRIVATE KEY', { message: 'must be a PEM private key' }).optional(),
  })
  .refine((secrets) => (secrets.token === undefined) !== (secrets.privateKey === undefined), {
    message: 'give exactly one of token (a personal access token) or privateKey (a GitHub App)',
  });

/** A GitHub connection's secrets, as validated. */
export type GitHubSecrets = z.output<typeof githubSecretsSchema>;
