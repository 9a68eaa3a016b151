import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { targetFromUrl } from '../db/connection-options.js';
import { startEmbedded } from '../db/embedded.js';
import { connect } from '../db/session.js';
import { ExitCode, isPgServerError, option, RasdbError } from '../errors.js';
import { redactServerText } from '../db/redact.js';

export interface ScratchOptions {
  /** A server to create the scratch database on; the embedded PostgreSQL when omitted. */
  readonly scratchUrl?: string;
  readonly connectTimeoutMs?: number;
  /** The embedded server's log, for --verbose. */
  readonly onLog?: (line: string) => void;
}

/**
 * Runs `work` on an empty database that nothing else uses, and removes it afterwards whatever
 * happens. With `scratchUrl`, a database of a unique name is created on that server and dropped;
 * otherwise a throwaway embedded PostgreSQL runs in a fresh temporary folder, never the embedded
 * default's folder, which may hold the very database being checked.
 *
 * @example
 * await withScratchDatabase({ scratchUrl: 'postgres://postgres@ci-db:5432/postgres' }, (client, label) => replay(client));
 */
export async function withScratchDatabase<T>(options: ScratchOptions, work: (client: pg.Client, label: string) => Promise<T>): Promise<T> {
  return options.scratchUrl === undefined ? onEmbedded(options, work) : onServer(options.scratchUrl, options, work);
}

async function onServer<T>(url: string, options: ScratchOptions, work: (client: pg.Client, label: string) => Promise<T>): Promise<T> {
  const target = targetFromUrl(url, 'scratchUrl');
  const admin = await connect(target.config, target, options.connectTimeoutMs);
  // Unique per run, and only ever a name this function made is dropped.
  const name = `rasdb_scratch_${process.pid}_${Date.now().toString(36)}`;
  try {
    await createDatabase(admin, name, target.label);
    try {
      const client = await connect({ ...target.config, database: name }, { ...target, database: name }, options.connectTimeoutMs);
      try {
        return await work(client, `${target.host}:${target.port}/${name}`);
      } finally {
        await client.end().catch(() => undefined);
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
}

async function createDatabase(admin: pg.Client, name: string, label: string): Promise<void> {
  try {
    // template0: whatever someone put into template1 must not look like the migrations' work.
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0`);
  } catch (error) {
    const reason = redactServerText(isPgServerError(error) ? error.message : String(error));
    throw new RasdbError(ExitCode.connect, `cannot create a scratch database on ${label}: ${reason}; ${option('scratchUrl')} needs a user allowed to CREATE DATABASE`);
  }
}

async function onEmbedded<T>(options: ScratchOptions, work: (client: pg.Client, label: string) => Promise<T>): Promise<T> {
  const folder = mkdtempSync(join(tmpdir(), 'rasdb-scratch-'));
  chmodSync(folder, 0o755); // as root the server runs as the postgres user, who must enter it
  try {
    const server = await startEmbedded(folder, { lockWaitMs: 0, log: options.onLog });
    try {
      const client = await connect(server.config, { label: server.label, host: String(server.config.host), port: Number(server.config.port), database: 'postgres' }, options.connectTimeoutMs);
      try {
        return await work(client, server.label);
      } finally {
        await client.end().catch(() => undefined);
      }
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
