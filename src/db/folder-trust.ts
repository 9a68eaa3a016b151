import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ExitCode, RasdbError } from '../errors.js';

/**
 * The embedded server's folder holds what rasdb trusts: the server's pid (which it signals), the
 * socket it connects to, the access rules it writes as root. Whoever can write in that folder, or
 * swap it or a folder above it for one of their own, could point rasdb at their own server, have
 * root signal a process of their choosing, or have root write through a planted link. So, as ssh
 * does with its keys, the folder must be its user's own: it and every folder above it owned by
 * that user or root (a link on the way too), none writable by anyone else but sticky folders such
 * as /tmp, where no one may move what another made.
 *
 * @example
 * assertOwnFolder('/srv/app/.rasdb') // throws (exit 2) when /srv/app belongs to another user
 */
export function assertOwnFolder(folder: string): void {
  const me = process.geteuid?.();
  if (me === undefined) return; // no Unix owners to check (Windows)
  const given = resolve(folder);
  const link = lstatSync(given);
  if (link.isSymbolicLink() && link.uid !== me && link.uid !== 0) {
    refuse(given, `it is a symbolic link of ${owner(link)}`);
  }
  const real = realpathSync(given);
  const own = statSync(real);
  if (own.uid !== me) refuse(given, `it belongs to ${owner(own)}, not to you`);
  if (own.mode & 0o022) refuse(given, `others may write in it (mode ${modeText(own)})`);
  // The folders above it, both as written (a link among them included) and as they really are.
  for (const start of new Set([given, real])) {
    for (let at = dirname(start); ; at = dirname(at)) {
      const stats = lstatSync(at);
      if (stats.uid !== me && stats.uid !== 0) refuse(given, `${at} belongs to ${owner(stats)}, who could replace it`);
      const sticky = (stats.mode & 0o1000) !== 0;
      if (stats.isDirectory() && stats.mode & 0o022 && !sticky) {
        refuse(given, `others may write in ${at} (mode ${modeText(stats)}), and so replace it`);
      }
      if (at === dirname(at)) break;
    }
  }
}

/**
 * The cluster's own folder inside it, once there: a folder, not a link, that no one but its owner
 * may write in (as root its owner is the account the server runs as).
 *
 * @example
 * assertClusterFolder('/srv/app/.rasdb/pg') // throws (exit 2) when pg is a link or world-writable
 */
export function assertClusterFolder(pgdata: string): void {
  let stats: Stats;
  try {
    stats = lstatSync(pgdata);
  } catch {
    return; // not made yet: initdb makes it
  }
  const folder = dirname(pgdata);
  if (!stats.isDirectory()) refuse(folder, `${pgdata} is not a folder`);
  if (stats.mode & 0o022) refuse(folder, `others may write in ${pgdata} (mode ${modeText(stats)})`);
}

function refuse(folder: string, why: string): never {
  throw new RasdbError(
    ExitCode.usage,
    `rasdb will not use the embedded PostgreSQL folder ${folder}: ${why}; remove it, or set RASDB_DATA_DIR to a folder of your own`,
    { path: folder },
  );
}

function owner(stats: Stats): string {
  return `uid ${stats.uid}`;
}

function modeText(stats: Stats): string {
  return (stats.mode & 0o7777).toString(8).padStart(4, '0');
}
