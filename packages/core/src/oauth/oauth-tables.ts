import type { Kysely } from 'kysely';
import type { KernelTables } from '../storage/schema.js';

/**
 * Row types of the OAuth authorization server's tables (migration
 * `0009-oauth`). Codes and tokens are kept as SHA-256 hashes only; a grant is
 * one consent and the family of every token issued from it.
 */
export type OAuthTables = {
  oauth_clients: {
    /** The `client_id` issued by dynamic client registration. */
    id: string;
    account_id: string;
    name: string;
    /** JSON list of the exact redirect URIs registered. */
    redirect_uris: string;
    /** The registered client metadata, as JSON. */
    metadata: string;
    created_at: number;
  };
  oauth_grants: {
    id: string;
    account_id: string;
    client_id: string;
    client_name: string;
    /** The console user who consented. */
    user_id: string;
    /** The managed agent the tokens act as, or null: they act as the user. */
    agent_id: string | null;
    /** JSON list of granted scopes. */
    scopes: string;
    /** The RFC 8707 resource (audience) every token of the grant is bound to. */
    resource: string;
    created_at: number;
    revoked_at: number | null;
    revoked_reason: string | null;
  };
  oauth_codes: {
    code_hash: string;
    account_id: string;
    grant_id: string;
    client_id: string;
    redirect_uri: string;
    /** The PKCE S256 challenge. */
    code_challenge: string;
    created_at: number;
    expires_at: number;
    used_at: number | null;
  };
  oauth_tokens: {
    token_hash: string;
    id: string;
    account_id: string;
    grant_id: string;
    kind: 'access' | 'refresh';
    created_at: number;
    expires_at: number;
    /** When a refresh token was exchanged for a new one (a second use is reuse: the grant is revoked). */
    rotated_at: number | null;
    revoked_at: number | null;
  };
};

/** The kernel's database seen with the OAuth tables. */
export type OAuthDatabase = Kysely<KernelTables & OAuthTables>;

/**
 * The kernel's database with the OAuth tables typed.
 *
 * @example
 * ```ts
 * const row = await oauthDatabase(preloop.db).selectFrom('oauth_grants').selectAll().executeTakeFirst();
 * ```
 */
export function oauthDatabase(db: Kysely<KernelTables>): OAuthDatabase {
  return db.withTables<OAuthTables>();
}
