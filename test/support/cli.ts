import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/rasdb.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Variables that would point rasdb at some database; tests set the one they mean. */
const CONNECTION_VARS = [
  'DATABASE_URL',
  'PGHOST',
  'PGPORT',
  'PGUSER',
  'PGPASSWORD',
  'PGDATABASE',
  'PGSSLMODE',
  'RASDB_DATA_DIR',
  'RASDB_MIGRATIONS_DIR',
];

/**
 * Runs `bin/rasdb.js` as a user would: a child process, its own environment, its exit code.
 *
 * @example
 * const { code, stdout } = await runCli(['status', '--json'], { env: { DATABASE_URL: db.url } });
 */
export function runCli(
  args: string[],
  options: {
    env?: Record<string, string | undefined>;
    cwd?: string;
    timeoutMs?: number;
    /** Another copy of the executable (a copied project's bin/rasdb.js). */
    bin?: string;
    /** Run as another OS account (the suite runs as root). */
    runAs?: { uid: number; gid: number };
  } = {},
): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' };
  for (const name of CONNECTION_VARS) delete env[name];
  Object.assign(env, options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.bin ?? BIN, ...args], {
      env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...options.runAs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
