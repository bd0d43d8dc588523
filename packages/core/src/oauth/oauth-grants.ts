import type { AuditTrail } from '../audit/audit-trail.js';
import type { AuditRecordInput } from '../audit/audit-types.js';
import { createId } from '../ids.js';
import { parseJsonColumn } from '../storage/schema.js';
import type { ResolvedOAuthOptions } from './oauth-options.js';
import type { OAuthDatabase } from './oauth-tables.js';
import {
  accessTokenPrefix,
  authorizationCodePrefix,
  canonicalResource,
  createOAuthSecret,
  hashOAuthSecret,
  oauthError,
  refreshTokenPrefix,
  verifyPkce,
} from './oauth-tokens.js';

/** What the consent step records: who consented, for which client, acting as whom, for which resource. */
export interface ConsentInput {
  accountId: string;
  clientId: string;
  clientName: string;
  redirectUri: string;
  codeChallenge: string;
  resource: string;
  scopes: string[];
  userId: string;
  /** The managed agent the tokens act as; null: the user. */
  agentId: string | null;
}

/** A token response (RFC 6749 §5.1). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
}

/** Authorization codes, token issuing with refresh rotation and reuse detection, and revocation. */
export interface OAuthGrants {
  /** Records a consent (a grant) and returns its one-time authorization code. */
  createCode(input: ConsentInput): Promise<{ code: string; grantId: string }>;
  /** Exchanges a code (PKCE S256 checked); a second use revokes every token issued from it. */
  exchangeCode(input: {
    code: string;
    clientId: string;
    redirectUri: string;
    codeVerifier: string;
    resource: string | null;
  }): Promise<TokenResponse>;
  /** Rotates a refresh token; presenting a rotated or revoked one revokes the whole grant. */
  refresh(input: { refreshToken: string; clientId: string; resource: string | null; scope: string | null }): Promise<TokenResponse>;
  /** Revokes a token and its grant (RFC 7009); an unknown token is not an error. */
  revoke(input: { token: string; clientId: string | null }): Promise<void>;
  /** Revokes a grant and every token issued from it. */
  revokeGrant(grantId: string, reason: string): Promise<void>;
}

/** How long expired codes and tokens are kept before a consent deletes them. */
const expiredKeptMs = 86_400_000;

type GrantRow = {
  id: string;
  account_id: string;
  client_id: string;
  user_id: string;
  agent_id: string | null;
  scopes: string;
  resource: string;
  revoked_at: number | null;
};

/**
 * Creates the grant store. Every issue, refresh, revocation and refused
 * attempt is audited (`oauth.*` actions; never a token or code).
 *
 * @example
 * ```ts
 * const grants = createOAuthGrants(oauthDatabase(preloop.db), preloop.audit, options);
 * const tokens = await grants.exchangeCode({ code, clientId, redirectUri, codeVerifier, resource });
 * ```
 */
export function createOAuthGrants(db: OAuthDatabase, audit: AuditTrail, options: ResolvedOAuthOptions): OAuthGrants {
  async function record(
    grant: Pick<GrantRow, 'account_id' | 'id' | 'client_id' | 'user_id' | 'agent_id'>,
    action: string,
    outcome: string,
    data: Record<string, unknown> = {},
  ) {
    const input: AuditRecordInput = {
      accountId: grant.account_id,
      actor: { type: 'system', id: grant.client_id, name: `oauth client ${grant.client_id}` },
      action,
      target: { type: 'oauth_grant', id: grant.id },
      outcome,
      data: { clientId: grant.client_id, userId: grant.user_id, agentId: grant.agent_id, ...data },
    };
    await audit.record(input);
  }

  async function issue(grant: GrantRow): Promise<TokenResponse> {
    const now = Date.now();
    const accessToken = createOAuthSecret(accessTokenPrefix);
    const refreshToken = createOAuthSecret(refreshTokenPrefix);
    await db
      .insertInto('oauth_tokens')
      .values([
        {
          token_hash: hashOAuthSecret(accessToken),
          id: createId('oat'),
          account_id: grant.account_id,
          grant_id: grant.id,
          kind: 'access',
          created_at: now,
          expires_at: now + options.accessTokenTtlSeconds * 1000,
          rotated_at: null,
          revoked_at: null,
        },
        {
          token_hash: hashOAuthSecret(refreshToken),
          id: createId('ort'),
          account_id: grant.account_id,
          grant_id: grant.id,
          kind: 'refresh',
          created_at: now,
          expires_at: now + options.refreshTokenTtlSeconds * 1000,
          rotated_at: null,
          revoked_at: null,
        },
      ])
      .execute();
    const scopes = parseJsonColumn<string[]>(grant.scopes, []);
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: options.accessTokenTtlSeconds,
      refresh_token: refreshToken,
      scope: scopes.join(' '),
    };
  }

  async function revokeGrant(grantId: string, reason: string): Promise<void> {
    const now = Date.now();
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('oauth_grants')
        .set({ revoked_at: now, revoked_reason: reason })
        .where('id', '=', grantId)
        .where('revoked_at', 'is', null)
        .execute();
      await trx
        .updateTable('oauth_tokens')
        .set({ revoked_at: now })
        .where('grant_id', '=', grantId)
        .where('revoked_at', 'is', null)
        .execute();
    });
  }

  const findGrant = (id: string) =>
    db
      .selectFrom('oauth_grants')
      .select(['id', 'account_id', 'client_id', 'user_id', 'agent_id', 'scopes', 'resource', 'revoked_at'])
      .where('id', '=', id)
      .executeTakeFirst();

  /** The grant's user (and agent) must still be able to act. */
  async function principalActive(grant: GrantRow): Promise<boolean> {
    const user = await db.selectFrom('users').select(['account_id', 'disabled']).where('id', '=', grant.user_id).executeTakeFirst();
    if (!user || user.account_id !== grant.account_id || Number(user.disabled) === 1) return false;
    if (grant.agent_id === null) return true;
    const agent = await db.selectFrom('agents').select(['account_id', 'state']).where('id', '=', grant.agent_id).executeTakeFirst();
    return agent !== undefined && agent.account_id === grant.account_id && agent.state === 'active';
  }

  return {
    async createCode(input) {
      const now = Date.now();
      const grantId = createId('ogr');
      const code = createOAuthSecret(authorizationCodePrefix);
      // Codes and tokens expired for a day are no use (not even for reuse detection): forgotten at each consent.
      await db
        .deleteFrom('oauth_codes')
        .where('expires_at', '<', now - expiredKeptMs)
        .execute();
      await db
        .deleteFrom('oauth_tokens')
        .where('expires_at', '<', now - expiredKeptMs)
        .execute();
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('oauth_grants')
          .values({
            id: grantId,
            account_id: input.accountId,
            client_id: input.clientId,
            client_name: input.clientName,
            user_id: input.userId,
            agent_id: input.agentId,
            scopes: JSON.stringify(input.scopes),
            resource: input.resource,
            created_at: now,
            revoked_at: null,
            revoked_reason: null,
          })
          .execute();
        await trx
          .insertInto('oauth_codes')
          .values({
            code_hash: hashOAuthSecret(code),
            account_id: input.accountId,
            grant_id: grantId,
            client_id: input.clientId,
            redirect_uri: input.redirectUri,
            code_challenge: input.codeChallenge,
            created_at: now,
            expires_at: now + options.codeTtlSeconds * 1000,
            used_at: null,
          })
          .execute();
      });
      await record(
        { account_id: input.accountId, id: grantId, client_id: input.clientId, user_id: input.userId, agent_id: input.agentId },
        'oauth.consent',
        'success',
        { clientName: input.clientName, scopes: input.scopes, resource: input.resource, redirectHost: safeHost(input.redirectUri) },
      );
      return { code, grantId };
    },

    async exchangeCode(input) {
      const row = await db.selectFrom('oauth_codes').selectAll().where('code_hash', '=', hashOAuthSecret(input.code)).executeTakeFirst();
      if (!row) throw oauthError('invalid_grant', 'The authorization code is unknown.');
      const grant = await findGrant(row.grant_id);
      if (!grant) throw oauthError('invalid_grant', 'The authorization code is unknown.');
      const refuse = async (reason: string, message: string) => {
        await record(grant, 'oauth.token.refused', 'denied', { grantType: 'authorization_code', reason });
        return oauthError('invalid_grant', message);
      };
      const now = Date.now();
      if (row.used_at !== null) {
        // OAuth 2.1 §4.1.2: a code used twice revokes every token issued from it.
        await revokeGrant(grant.id, 'authorization code reused');
        await record(grant, 'oauth.grant.revoke', 'success', { reason: 'authorization code reused' });
        throw await refuse('code_reused', 'The authorization code was already used; the tokens issued from it are revoked.');
      }
      if (row.client_id !== input.clientId) throw await refuse('client_mismatch', 'The authorization code was issued to another client.');
      if (Number(row.expires_at) <= now) throw await refuse('code_expired', 'The authorization code has expired.');
      if (row.redirect_uri !== input.redirectUri)
        throw await refuse('redirect_uri_mismatch', 'redirect_uri does not match the authorization request.');
      if (!verifyPkce(input.codeVerifier, row.code_challenge))
        throw await refuse('pkce_failed', 'The PKCE code_verifier does not match the code_challenge.');
      if (input.resource !== null && canonicalResource(input.resource) !== canonicalResource(grant.resource))
        throw await refuse('resource_mismatch', 'resource does not match the authorization request.');
      if (grant.revoked_at !== null) throw await refuse('grant_revoked', 'The grant was revoked.');
      const claimed = await db
        .updateTable('oauth_codes')
        .set({ used_at: now })
        .where('code_hash', '=', row.code_hash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) {
        await revokeGrant(grant.id, 'authorization code reused');
        throw await refuse('code_reused', 'The authorization code was already used; the tokens issued from it are revoked.');
      }
      if (!(await principalActive(grant))) throw await refuse('principal_inactive', 'The user or agent of this grant can no longer act.');
      const tokens = await issue(grant);
      await record(grant, 'oauth.token.issue', 'success', {
        grantType: 'authorization_code',
        scopes: tokens.scope,
        resource: grant.resource,
      });
      return tokens;
    },

    async refresh(input) {
      const row = await db
        .selectFrom('oauth_tokens')
        .selectAll()
        .where('token_hash', '=', hashOAuthSecret(input.refreshToken))
        .executeTakeFirst();
      if (row?.kind !== 'refresh') throw oauthError('invalid_grant', 'The refresh token is unknown.');
      const grant = await findGrant(row.grant_id);
      if (!grant) throw oauthError('invalid_grant', 'The refresh token is unknown.');
      const refuse = async (reason: string, message: string) => {
        await record(grant, 'oauth.token.refused', 'denied', { grantType: 'refresh_token', reason });
        return oauthError('invalid_grant', message);
      };
      if (grant.client_id !== input.clientId) throw await refuse('client_mismatch', 'The refresh token was issued to another client.');
      const now = Date.now();
      if (row.rotated_at !== null || (row.revoked_at !== null && grant.revoked_at === null)) {
        // Reuse of a rotated refresh token: it may have been stolen. Revoke the whole family.
        await revokeGrant(grant.id, 'refresh token reused');
        await record(grant, 'oauth.grant.revoke', 'success', { reason: 'refresh token reused' });
        throw await refuse('refresh_token_reused', 'The refresh token was already used; every token of this grant is revoked.');
      }
      if (row.revoked_at !== null || grant.revoked_at !== null) throw await refuse('grant_revoked', 'The grant was revoked.');
      if (Number(row.expires_at) <= now) throw await refuse('refresh_token_expired', 'The refresh token has expired.');
      if (input.resource !== null && canonicalResource(input.resource) !== canonicalResource(grant.resource))
        throw await refuse('resource_mismatch', 'resource does not match the grant.');
      const granted = parseJsonColumn<string[]>(grant.scopes, []);
      if (input.scope?.split(' ').some((scope) => scope !== '' && !granted.includes(scope)))
        throw oauthError('invalid_scope', 'A refresh may not widen the granted scopes.');
      const claimed = await db
        .updateTable('oauth_tokens')
        .set({ rotated_at: now })
        .where('token_hash', '=', row.token_hash)
        .where('rotated_at', 'is', null)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) {
        await revokeGrant(grant.id, 'refresh token reused');
        throw await refuse('refresh_token_reused', 'The refresh token was already used; every token of this grant is revoked.');
      }
      if (!(await principalActive(grant))) throw await refuse('principal_inactive', 'The user or agent of this grant can no longer act.');
      // The access tokens issued before this refresh stay valid until they expire (the client may still hold one in flight).
      const tokens = await issue(grant);
      await record(grant, 'oauth.token.refresh', 'success', { scopes: tokens.scope });
      return tokens;
    },

    async revoke(input) {
      const row = await db
        .selectFrom('oauth_tokens')
        .select(['grant_id'])
        .where('token_hash', '=', hashOAuthSecret(input.token))
        .executeTakeFirst();
      if (!row) return;
      const grant = await findGrant(row.grant_id);
      if (!grant || (input.clientId !== null && grant.client_id !== input.clientId)) return;
      await revokeGrant(grant.id, 'revoked by the client');
      await record(grant, 'oauth.grant.revoke', 'success', { reason: 'revoked by the client' });
    },

    revokeGrant,
  };
}

function safeHost(uri: string): string {
  try {
    const url = new URL(uri);
    return url.host || url.protocol;
  } catch {
    return 'invalid';
  }
}
