import { z } from 'zod';
import { agentStates, type Agent } from '../../../identity/agents.js';
import { apiKeyScopes, type ApiKey, type CreatedApiKey } from '../../../identity/api-keys.js';
import type { PasswordChangeResult, PasswordResetResult } from '../../../identity/password-changes.js';
import { roles, type Principal } from '../../../identity/principal.js';
import { runtimeAudiences, type RuntimeCredential } from '../../../identity/runtime-credentials.js';
import type { RuntimeSession, SessionActivity, StartedRuntimeSession } from '../../../identity/runtime-sessions.js';
import type { Team } from '../../../identity/teams.js';
import type { User } from '../../../identity/users.js';
import type { SchemaAgrees } from '../../define-route.js';

/*
 * The response bodies of the identity routes. Each schema describes a type the
 * identity services already declare; the `satisfies SchemaAgrees` lines fail to
 * compile when the two drift apart.
 */

/** Epoch milliseconds. */
const time = z.number().int();

/** A console user (never its password hash). */
export const userSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(roles),
  disabled: z.boolean(),
  hasPassword: z.boolean(),
  createdAt: time,
  updatedAt: time,
});
true satisfies SchemaAgrees<typeof userSchema, User>;

/** A team and its member user ids. */
export const teamSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  name: z.string(),
  memberIds: z.array(z.string()),
  createdAt: time,
});
true satisfies SchemaAgrees<typeof teamSchema, Team>;

/** An API key's record: never the key, never its hash. */
export const apiKeySchema = z.object({
  id: z.string(),
  accountId: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.enum(apiKeyScopes)),
  userId: z.string().nullable(),
  agentId: z.string().nullable(),
  createdAt: time,
  expiresAt: time.nullable(),
  revokedAt: time.nullable(),
  lastUsedAt: time.nullable(),
});
true satisfies SchemaAgrees<typeof apiKeySchema, ApiKey>;

/** A new API key: its record and the key itself, shown this once. */
export const createdApiKeySchema = z.object({ apiKey: apiKeySchema, key: z.string() });
true satisfies SchemaAgrees<typeof createdApiKeySchema, CreatedApiKey>;

/** A managed agent. */
export const agentSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  name: z.string(),
  kind: z.string(),
  state: z.enum(agentStates),
  stateReason: z.string().nullable(),
  tags: z.array(z.string()),
  ownerUserId: z.string().nullable(),
  createdAt: time,
  updatedAt: time,
  lastSeenAt: time.nullable(),
});
true satisfies SchemaAgrees<typeof agentSchema, Agent>;

/** A runtime session (one agent run). */
export const runtimeSessionSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  agentId: z.string().nullable(),
  apiKeyId: z.string().nullable(),
  userId: z.string().nullable(),
  name: z.string(),
  source: z.string(),
  externalId: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  audience: z.array(z.enum(runtimeAudiences)),
  state: z.enum(['active', 'ended']),
  startedAt: time,
  lastHeartbeatAt: time,
  endedAt: time.nullable(),
  endReason: z.string().nullable(),
  taint: z.object({ at: time, reason: z.string(), source: z.string().nullable() }).nullable(),
});
true satisfies SchemaAgrees<typeof runtimeSessionSchema, RuntimeSession>;

/** A runtime credential: the JWT, its expiry and audience. */
export const runtimeCredentialSchema = z.object({ token: z.string(), expiresAt: time, audience: z.array(z.enum(runtimeAudiences)) });
true satisfies SchemaAgrees<typeof runtimeCredentialSchema, RuntimeCredential>;

/** A started (or refreshed) runtime session with its credential. */
export const startedRuntimeSessionSchema = z.object({ session: runtimeSessionSchema, credential: runtimeCredentialSchema });
true satisfies SchemaAgrees<typeof startedRuntimeSessionSchema, StartedRuntimeSession>;

/** One activity entry of a runtime session. */
export const sessionActivitySchema = z.object({
  id: z.string(),
  accountId: z.string(),
  sessionId: z.string(),
  time,
  kind: z.string(),
  status: z.string(),
  summary: z.string(),
  data: z.record(z.string(), z.unknown()),
});
true satisfies SchemaAgrees<typeof sessionActivitySchema, SessionActivity>;

/** Who is calling. */
export const principalSchema = z.object({
  type: z.enum(['user', 'api_key', 'agent', 'runtime_session']),
  id: z.string(),
  accountId: z.string(),
  name: z.string(),
  role: z.enum(roles).nullable(),
  userId: z.string().nullable(),
  apiKeyId: z.string().nullable(),
  agentId: z.string().nullable(),
  runtimeSessionId: z.string().nullable(),
  teamIds: z.array(z.string()),
  scopes: z.array(z.string()),
  via: z.string().optional().describe('The channel it came through, for example device:dev_… for a paired phone'),
});
true satisfies SchemaAgrees<typeof principalSchema, Principal>;

/** `POST /auth/login`: the user and when the session ends (the token travels in the cookie only). */
export const loginResponseSchema = z.object({ user: userSchema, expiresAt: time });

/** `GET /auth/me`: the calling principal and its user, if any. */
export const meResponseSchema = z.object({ principal: principalSchema, user: userSchema.nullable() });

/** A password change: the user and how many of its console sessions ended. */
export const passwordChangeSchema = z.object({ user: userSchema, endedSessions: z.number().int().min(0) });
true satisfies SchemaAgrees<typeof passwordChangeSchema, PasswordChangeResult>;

/** A password reset: as a change, with the generated password when the server chose it (shown this once). */
export const passwordResetSchema = passwordChangeSchema.extend({ generatedPassword: z.string().nullable() });
true satisfies SchemaAgrees<typeof passwordResetSchema, PasswordResetResult>;
