import { readFileSync } from 'node:fs';
import { ExitCode, RasdbError } from '../errors.js';

/**
 * external_systems.connection_config holds no secret, only references to where an application
 * finds one at run time:
 *
 *   { "env": "RASDASH_TENABLE_SECRET_KEY" }   the value of that environment variable
 *   { "file": "/run/secrets/tenable_secret" }  the contents of that file, trailing newline removed
 *
 * Every value under `credentials` must be such a reference, and no other string in the document
 * may sit under a key that names a secret (password, secret, token, api key, private key).
 */
export type SecretReference = { env: string } | { file: string };

const SECRET_KEY = /pass(word)?|secret|token|api[_-]?key|private[_-]?key|credential/i;

function isReference(value: unknown): value is SecretReference {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  const only = keys.length === 1 ? keys[0] : '';
  return (only === 'env' || only === 'file') && typeof (value as Record<string, unknown>)[only] === 'string';
}

/**
 * Throws (a bug in the seed, exit 1) when `config` holds anything that could be a secret.
 *
 * @example
 * assertNoSecrets('external_systems Tenable', { credentials: { secret_key: { env: 'X' } } }) // passes
 */
export function assertNoSecrets(where: string, config: unknown): void {
  const problems: string[] = [];
  const walk = (value: unknown, path: string[], underCredentials: boolean): void => {
    if (isReference(value)) return;
    if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) walk(child, [...path, key], underCredentials || key === 'credentials');
      return;
    }
    const key = path[path.length - 1] ?? '';
    if (underCredentials || (typeof value === 'string' && SECRET_KEY.test(key))) problems.push(path.join('.'));
  };
  walk(config, [], false);
  if (problems.length) {
    throw new RasdbError(ExitCode.failed, `${where}: connection_config holds values where only {"env": ...} or {"file": ...} references belong: ${problems.join(', ')}`);
  }
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
export function resolveReferences<T>(config: T, env: NodeJS.ProcessEnv = process.env, readFile = (path: string) => readFileSync(path, 'utf8')): T {
  const resolve = (value: unknown, path: string): unknown => {
    if (isReference(value)) {
      if ('env' in value) {
        const found = env[value.env];
        if (found === undefined || found === '') throw new RasdbError(ExitCode.usage, `${path}: environment variable ${value.env} is not set`);
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
      return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, resolve(child, path ? `${path}.${key}` : key)]));
    }
    return value;
  };
  return resolve(config, '') as T;
}
