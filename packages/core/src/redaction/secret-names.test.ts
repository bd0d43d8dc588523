import { describe, expect, it } from 'vitest';
import { isSecretName, nameWords } from './secret-names.js';

describe('isSecretName', () => {
  it('splits names into words at case changes and separators', () => {
    expect(nameWords('apiKey')).toEqual(['api', 'key']);
    expect(nameWords('API-KEY')).toEqual(['api', 'key']);
    expect(nameWords('X-APIKey')).toEqual(['x', 'api', 'key']);
    expect(nameWords('nextPageToken')).toEqual(['next', 'page', 'token']);
    expect(nameWords('__')).toEqual([]);
  });

  it('recognizes secret names however they are cased and separated', () => {
    for (const name of [
      'api_key',
      'apiKey',
      'API-KEY',
      'ApiKey',
      'apikey',
      'x-api-key',
      'OPENAI_API_KEY',
      'password',
      'PASSWORD',
      'db_password',
      'passwd',
      'passphrase',
      'secret',
      'client_secret',
      'clientSecret',
      'clientsecret',
      'token',
      'access_token',
      'accessToken',
      'accesstoken',
      'refreshToken',
      'id_token',
      'GITHUB_TOKEN',
      'authorization',
      'Proxy-Authorization',
      'auth',
      'basic_auth',
      'private_key',
      'privateKey',
      'aws_secret_access_key',
      'secret_key',
      'cookie',
      'Set-Cookie',
      'credentials',
      'signature',
      'pass',
      'otp',
      'pin',
      'x-amz-security-token',
    ]) {
      expect(isSecretName(name), name).toBe(true);
    }
  });

  it('leaves ordinary names alone, including the ones substring matching hid (issue 10)', () => {
    for (const name of [
      'author',
      'auth_method',
      'authMethod',
      'max_tokens',
      'maxTokens',
      'passenger_count',
      'page_token',
      'pageToken',
      'nextPageToken',
      'NextToken',
      'continuation_token',
      'token_count',
      'tokens',
      'tokenType',
      'token_type',
      'tokenPrefix',
      'apiKeyId',
      'api_key_id',
      'secretName',
      'secret_ref',
      'passwordPolicy',
      'password_hint_enabled',
      'signatureAlgorithm',
      'keyboard',
      'monkey',
      'key',
      'title',
      'body',
      'repo',
      'boarding_pass',
      'oauth_provider',
      'authored_at',
      'input_tokens',
      '',
      '---',
    ]) {
      expect(isSecretName(name), name).toBe(false);
    }
  });
});
