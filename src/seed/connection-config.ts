import { readFileSync } from 'node:fs';
import { ExitCode, RasdbError } from '../errors.js';
import { looksRandom, secretKeyKind, secretValueShape } from './secret-shapes.js';

/**
 * external_systems.connection_config holds no secret, only references to where an application
 * finds one at run time:
 *
 *   { "env": "RASDASH_TENABLE_SECRET_KEY" }   the value of that environment variable
 *   { "file": "/run/secrets/tenable_secret" }  the contents of that file, trailing newline removed
 *
 * Every value under `credentials` must be such a reference. Elsewhere a string is refused when
 * its key names a secret (password, secret, token, API or access or private key, credentials,
 * cookie; see secret-shapes.ts), when its key may name one (auth*, session, signature, key) and
 * it looks random, and wherever it has the shape of one: an Authorization header value, a JSON
 * Web Token, a PEM block, an AWS access key id, a URL with a password or a key in its query.
 */
export type SecretReference = { env: string } | { file: string };

function isReference(value: unknown): value is SecretReference {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  const only = keys.length === 1 ? keys[0] : '';
  return (only === 'env' || only === 'file') && typeof (value as Record<string, unknown>)[only] === 'string';
}

/**
 * Throws (a bug in the seed, exit 1) when `config` holds anything that could be a secret. The same
 * rules serve every JSON column of a template that could carry one (`column` names it).
 *
 * @example
 * assertNoSecrets('external_systems Tenable', { credentials: { secret_key: { env: 'X' } } }) // passes
 */
export function assertNoSecrets(where: string, config: unknown, column = 'connection_config'): void {
  const problems: string[] = [];
  // An array's items sit under the array's own key: `api_keys: ["..."]` is still a list of keys.
  const walk = (value: unknown, path: string[], key: string, underCredentials: boolean): void => {
    if (isReference(value)) return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, [...path, String(i)], key, underCredentials));
      return;
    }
    if (value !== null && typeof value === 'object') {
      for (const [name, child] of Object.entries(value))
        walk(child, [...path, name], name, underCredentials || name === 'credentials');
      return;
    }
    const at = path.join('.');
    if (underCredentials) problems.push(at);
    else if (typeof value === 'string') {
      const why = problemOf(key, value);
      if (why) problems.push(`${at} (${why})`);
    }
  };
  walk(config, [], '', false);
  if (problems.length) {
    throw new RasdbError(
      ExitCode.failed,
      `${where}: ${column} holds values where only {"env": ...} or {"file": ...} references belong: ${problems.join(', ')}`,
    );
  }
}

function problemOf(key: string, value: string): string | undefined {
  const kind = secretKeyKind(key);
  if (kind === 'secret' && value !== '') return 'its key names a secret';
  if (kind === 'maybe' && looksRandom(value)) return 'a random-looking value under a key that may name a secret';
  return secretValueShape(value);
}

/**
 * What an application does with a connection_config: returns a copy with every reference replaced
 * by the secret it points to. A missing variable or file is an error naming the reference, never
 * the value. Resolve at the moment of connecting and keep the result in memory only.
 *
 * @example
 * const config = resolveReferences(row.connection_config, process.env);
 * fetch(url, { headers: { 'X-APIKeys': `accessKey=${config.credentials.access_key};secretKey=${config.credentials.secret_key}` } });
 */
export function resolveReferences<T>(
  config: T,
  env: NodeJS.ProcessEnv = process.env,
  readFile = (path: string) => readFileSync(path, 'utf8'),
): T {
  const resolve = (value: unknown, path: string): unknown => {
    if (isReference(value)) {
      if ('env' in value) {
        const found = env[value.env];
        if (found === undefined || found === '')
          throw new RasdbError(ExitCode.usage, `${path}: environment variable ${value.env} is not set`);
        return found;
      }
      try {
        return readFile(value.file).replace(/\r?\n$/, '');
      } catch {
        throw new RasdbError(ExitCode.usage, `${path}: cannot read the secret file ${value.file}`);
      }
    }
    if (Array.isArray(value)) return value.map((item, i) => resolve(item, `${path}[${i}]`));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, child]) => [key, resolve(child, path ? `${path}.${key}` : key)]),
      );
    }
    return value;
  };
  return resolve(config, '') as T;
}
