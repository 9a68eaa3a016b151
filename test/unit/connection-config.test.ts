import { describe, expect, it } from 'vitest';
import { assertNoSecrets } from '../../src/seed/connection-config.js';
import { looksRandom, secretKeyKind, secretValueShape } from '../../src/seed/secret-shapes.js';
import { EXTERNAL_SYSTEMS } from '../../seeds/sets/external-systems.js';

// Realistic-looking fakes: none of these is a live credential.
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----';
const RANDOM = 'q7Zp2Lx9VtR4mWc8KjN3';

function refused(config: unknown): string {
  try {
    assertNoSecrets('x', config);
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

describe('connection_config: what the guard refuses', () => {
  it.each([
    ['access_key', { access_key: 'AbCdEf123456' }],
    ['secret_key', { secret_key: 'abc123' }],
    ['client_secret', { oauth: { clientSecret: 'abc' } }],
    ['password', { password: 'hunter2' }],
    ['passwd', { db: { passwd: 'x' } }],
    ['pass', { auth: { user: 'bob', pass: 'x' } }],
    ['api_key', { api_key: 'k' }],
    ['apikey', { ApiKey: 'k' }],
    ['private_key', { 'private-key': 'k' }],
    ['token', { refresh_token: 'r' }],
    ['credentials as a string', { credentials: 'user:pw' }],
    ['a credentials value that is not a reference', { credentials: { secret_key: 'abc123' } }],
    ['session cookie', { session_cookie: 'sid=abc' }],
    ['a list of keys', { api_keys: ['k1', 'k2'] }],
  ])('a string under a key naming a secret: %s', (_, config) => {
    expect(refused(config)).toMatch(/references belong/);
  });

  it.each([
    ['a Bearer header value', { headers: { Authorization: `Bearer ${JWT}` } }],
    ['a Basic header value', { headers: { Authorization: 'Basic dXNlcjpwYXNzd29yZA==' } }],
    ['a header line', { extra: 'Authorization: Bearer abcdefgh12345678' }],
    ['a JWT anywhere', { note: `paste ${JWT} here` }],
    ['a PEM block', { tls: { ca: PEM } }],
    ['an AWS access key id', { aws: { id: 'AKIAIOSFODNN7EXAMPLE' } }],
    ['a URL with a password', { base: 'https://svc:pw1234@api.example.com/v1' }],
    ['a URL with a token in its query', { callback: 'https://x.example.com/hook?access_token=abcdef123456' }],
    ['a GitHub token', { repo_access: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' }],
    ['a random value under auth*', { auth: RANDOM }],
    ['a random value under session', { session_id: RANDOM }],
  ])('a value shaped like a secret: %s', (_, config) => {
    expect(refused(config)).toMatch(/references belong/);
  });

  it('names where each secret is and why, never the value', () => {
    const message = refused({ a: { password: 'hunter2' }, b: [{ note: `x ${JWT}` }] });
    expect(message).toContain('a.password (its key names a secret)');
    expect(message).toContain('b.0.note (a JSON Web Token)');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain(JWT.slice(0, 12));
  });
});

describe('connection_config: what the guard still accepts', () => {
  it('every shipped external-system template, in each of its JSON columns', () => {
    for (const system of EXTERNAL_SYSTEMS) {
      for (const config of [
        system.connection_config,
        system.webhook_config,
        system.retry_config,
        system.rate_limit_config,
      ]) {
        expect(refused(config), system.system_name).toBe('');
      }
    }
  });

  it('names the column it checked', () => {
    expect(() => assertNoSecrets('external_systems X', { signing_secret: 's' }, 'webhook_config')).toThrow(
      /^external_systems X: webhook_config holds/,
    );
  });

  it.each([
    [
      'references under credentials',
      { credentials: { access_key: { env: 'A' }, private_key: { file: '/run/secrets/k' } } },
    ],
    ['an empty credentials object', { credentials: {} }],
    [
      'a header template naming the references',
      { auth_header: { name: 'X-APIKeys', value: 'accessKey={access_key};secretKey={secret_key}' } },
    ],
    ['an authentication method', { auth_method: 'basic', authentication: 'oauth2', auth_type: 'api_key' }],
    [
      'words that describe where a secret goes',
      { token_url: 'https://login.example.com/oauth/token', api_key_header_name: 'X-Api-Key', password_env: 'PW' },
    ],
    [
      'settings and numbers',
      { request_timeout_seconds: 120, session_timeout_minutes: 30, tls_verify: true, version: 1, author: 'ops team' },
    ],
    [
      'ordinary text, paths and URLs',
      { notes: 'set the key in RASDASH_KEY', import_dir: { env: 'D' }, url: 'https://api.example.com/v2?page=1' },
    ],
    ['an empty password placeholder', { password: '' }],
  ])('%s', (_, config) => {
    expect(refused(config)).toBe('');
  });
});

describe('secret shapes', () => {
  it('ranks key names', () => {
    expect(['client_secret', 'AccessKeyId', 'x-api-key', 'credentials', 'passphrase'].map(secretKeyKind)).toEqual([
      'secret',
      'secret',
      'secret',
      'secret',
      'secret',
    ]);
    expect(['auth', 'session', 'signature', 'key'].map(secretKeyKind)).toEqual(['maybe', 'maybe', 'maybe', 'maybe']);
    expect(['token_url', 'secret_file', 'mode', 'version', 'bypass'].map(secretKeyKind)).toEqual([
      'none',
      'none',
      'none',
      'none',
      'none',
    ]);
  });

  it('tells random keys from words, paths and templates', () => {
    for (const value of [RANDOM, 'dGhpcyBpcyBhIHNlY3JldCBrZXk=', '9f86d081884c7d659a2feaa0c55ad015'])
      expect(looksRandom(value), value).toBe(true);
    for (const value of [
      'basic',
      'oauth2-client-credentials',
      '/run/secrets/tenable',
      'accessKey={access_key}',
      'fedramp_rev5_poam_template',
    ]) {
      expect(looksRandom(value), value).toBe(false);
    }
  });

  it('finds no secret shape in ordinary text', () => {
    for (const value of [
      'Bearer',
      'basic',
      'POST /vulns/export',
      'https://cloud.tenable.com',
      'X-RateLimit-ToWait-Sec',
    ])
      expect(secretValueShape(value), value).toBeUndefined();
  });
});
