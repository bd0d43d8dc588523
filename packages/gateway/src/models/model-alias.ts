/**
 * Model aliases as the admin API and the config file describe them.
 *
 * @module
 */

import type { ModelProvider } from '@preloop/core';
import { z } from 'zod';
import { modelPricesSchema, type ModelPrices } from '../usage/model-prices.js';
import type { CostSource } from '../records/usage-record.js';

/** A configured model alias (the credential itself is never part of it). */
export interface ModelAlias {
  id: string;
  accountId: string;
  /** What clients send as `model`. */
  alias: string;
  /** The provider plugin's id (`openai`, `anthropic`, `ollama`…). */
  provider: string;
  /** The upstream model id. */
  model: string;
  /** The upstream base URL, or null for the provider's default. */
  baseUrl: string | null;
  /** The secret store name of the upstream credential, or null. */
  credentialSecret: string | null;
  /** True when a credential is configured. */
  hasCredential: boolean;
  /** Prices (USD per million tokens), or null to use the default price table. */
  prices: ModelPrices | null;
  /** The alias tried when the upstream answers 429 or 5xx before the first byte, or null. */
  fallback: string | null;
  description: string | null;
  createdAt: number;
  updatedAt: number;
}

/** An alias ready to call: provider, upstream, credential and prices resolved. */
export interface ResolvedModel {
  accountId: string;
  alias: string;
  provider: ModelProvider;
  upstreamModel: string;
  baseUrl: string;
  credential: string | null;
  /** The prices that apply, or null when the model is unpriced. */
  prices: ModelPrices | null;
  /** Where `prices` come from. */
  costSource: Extract<CostSource, 'alias_prices' | 'price_table' | 'unpriced'>;
  fallback: string | null;
}

/** Alias names follow the policy's model-name rule: 1–256 printable ASCII characters, no spaces. */
export const aliasNameSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[\x21-\x7e]+$/, 'must be 1-256 printable ASCII characters without spaces');

const secretName = z.string().min(1).max(200);

/** The body of `POST /models`. */
export const modelAliasCreateSchema = z
  .strictObject({
    alias: aliasNameSchema,
    provider: z.string().min(1).max(100),
    model: z.string().min(1).max(256),
    baseUrl: z
      .url({ protocol: /^https?$/ })
      .nullable()
      .optional(),
    apiKey: z.string().min(1).max(16_384).optional().describe('Stored encrypted; never returned'),
    credentialSecret: secretName.nullable().optional().describe('The name of a secret already in the secret store'),
    prices: modelPricesSchema.nullable().optional(),
    fallback: aliasNameSchema.nullable().optional(),
    description: z.string().max(1000).nullable().optional(),
  })
  .refine((body) => !(body.apiKey !== undefined && body.credentialSecret != null), {
    message: 'give apiKey or credentialSecret, not both',
  });

/** The body of `PATCH /models/:alias`. */
export const modelAliasUpdateSchema = z
  .strictObject({
    provider: z.string().min(1).max(100).optional(),
    model: z.string().min(1).max(256).optional(),
    baseUrl: z
      .url({ protocol: /^https?$/ })
      .nullable()
      .optional(),
    apiKey: z.string().min(1).max(16_384).optional(),
    credentialSecret: secretName.nullable().optional(),
    prices: modelPricesSchema.nullable().optional(),
    fallback: aliasNameSchema.nullable().optional(),
    description: z.string().max(1000).nullable().optional(),
  })
  .refine((body) => !(body.apiKey !== undefined && body.credentialSecret != null), {
    message: 'give apiKey or credentialSecret, not both',
  });

/** What `POST /models` accepts. */
export type ModelAliasInput = z.input<typeof modelAliasCreateSchema>;

/** What `PATCH /models/:alias` accepts. */
export type ModelAliasUpdate = z.input<typeof modelAliasUpdateSchema>;

/** The secret name under which an alias's `apiKey` is stored. */
export function managedSecretName(alias: string): string {
  return `gateway.models.${alias}`;
}
