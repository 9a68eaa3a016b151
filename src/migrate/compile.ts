import { createHash } from 'node:crypto';
import { ExitCode, RasdbError } from '../errors.js';
import type { MigrationFile, MigrationModule } from './migration-files.js';

/**
 * Runs a migration's `up` or `down` against a Kysely that talks to no database and records the
 * SQL it would send. This gives the dry run, the checksum and the rollback's table list from the
 * same compiled text a reviewer reads.
 *
 * @example
 * const statements = await compileMigration(module, 'up'); // ['create table "users" (...)', ...]
 */
export async function compileMigration(
  module: MigrationModule,
  direction: 'up' | 'down',
  label = 'a migration',
): Promise<string[]> {
  return (await recordMigration(module, direction, label)).statements;
}

/**
 * compileMigration, and whether any query bound parameters (shown inlined, for display only).
 *
 * @example
 * const { statements, parameterized } = await recordMigration(module, 'up', '1001-ingestion');
 */
export async function recordMigration(
  module: MigrationModule,
  direction: 'up' | 'down',
  label = 'a migration',
): Promise<{ statements: string[]; parameterized: boolean }> {
  // Loaded here: a run of the build's compiled SQL compiles nothing and needs no Kysely.
  const { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } = await import('kysely');
  const statements: string[] = [];
  let parameterized = false;
  const recorder = new Kysely<any>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (event) => {
      if (event.query.parameters.length) parameterized = true;
      statements.push(inlineParameters(event.query.sql, event.query.parameters));
    },
  });
  const step = direction === 'up' ? module.up : module.down;
  if (step) await withinDeadline(step(recorder), label);
  await recorder.destroy();
  return { statements, parameterized };
}

/** A migration file loaded, with the SQL its `up` compiles to and that SQL's checksum. */
export interface CompiledUp {
  module: MigrationModule;
  statements: string[];
  checksum: string;
}

const compiledUps = new WeakMap<MigrationFile, Promise<CompiledUp>>();

/**
 * Loads a migration file and compiles its `up` (or takes the build's SQL for it, see
 * migration-manifest.ts), once per file and run however often it is asked.
 *
 * @example
 * const { module, statements, checksum } = await compileUp(file);
 */
export function compileUp(file: MigrationFile): Promise<CompiledUp> {
  let compiled = compiledUps.get(file);
  if (!compiled) {
    compiled = (async () => {
      const module = await file.load();
      const statements = file.precompiled
        ? [...file.precompiled.statements]
        : await compileMigration(module, 'up', file.name);
      return { module, statements, checksum: checksumOf(statements) };
    })();
    compiledUps.set(file, compiled);
  }
  return compiled;
}

/** What running a migration needs: its `up`'s SQL and checksum first, the module only when asked. */
export interface MigrationSource {
  statements: readonly string[];
  checksum: string;
  transactional: boolean;
  module(): Promise<MigrationModule>;
}

/**
 * A migration's source for the executor: a file the build compiled is loaded only if its module
 * is needed (a `down`, or an `up` that cannot run as recorded), so a migrate of the shipped plan
 * loads no migration at all.
 *
 * @example
 * const source = await migrationSource(file); source.checksum // 'e3b0c442...'
 */
export async function migrationSource(file: MigrationFile): Promise<MigrationSource> {
  const module = async () => (await compileUp(file)).module;
  if (file.precompiled) {
    const statements = file.precompiled.statements;
    return { statements, checksum: checksumOf(statements), transactional: file.precompiled.transactional, module };
  }
  const compiled = await compileUp(file);
  return {
    statements: compiled.statements,
    checksum: compiled.checksum,
    transactional: compiled.module.transactional !== false,
    module,
  };
}

/** What a migration's `up` compiles to, without the module: what a dry run and a checksum need. */
export interface CompiledSql {
  statements: string[];
  checksum: string;
  transactional: boolean;
}

/**
 * The SQL of a migration's `up` and its checksum. A file the build compiled is not even loaded,
 * so `status`, `validate` and a migrate with nothing to do load no migration at all.
 *
 * @example
 * (await compileSql(file)).checksum // 'e3b0c442...'
 */
export async function compileSql(file: MigrationFile): Promise<CompiledSql> {
  if (file.precompiled) {
    const statements = [...file.precompiled.statements];
    return { statements, checksum: checksumOf(statements), transactional: file.precompiled.transactional };
  }
  const { module, statements, checksum } = await compileUp(file);
  return { statements, checksum, transactional: module.transactional !== false };
}

/**
 * Starts loading and compiling `files` without waiting: the work then fills the time the process
 * would otherwise spend waiting on the server (the lock, the ledger, the previous migration's DDL).
 * A file that fails to load fails where it is awaited, as it would have without the head start.
 */
export function compileAhead(files: readonly MigrationFile[]): void {
  for (const file of files) compileUp(file).catch(() => undefined);
}

/**
 * The checksum of a migration: SHA-256 of its compiled statements with white space outside string
 * literals folded, so re-indenting or re-commenting a file does not count as a change.
 */
export function checksumOf(statements: readonly string[]): string {
  const normalized = statements.map(foldWhitespace).join(';\n');
  return createHash('sha256').update(normalized).digest('hex');
}

function foldWhitespace(statement: string): string {
  // Split on single-quoted literals (with '' escapes); fold only the parts outside them.
  return statement
    .split(/('(?:[^']|'')*')/)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/\s+/g, ' ')))
    .join('')
    .trim();
}

/** For display only: a migration's rare bound parameter is shown as a literal. */
function inlineParameters(text: string, parameters: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (match, index) => {
    const value = parameters[Number(index) - 1];
    if (value === undefined) return match;
    if (value === null) return 'null';
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    const shown =
      typeof value === 'string' ? value : typeof value === 'bigint' ? value.toString() : JSON.stringify(value);
    return `'${shown.replace(/'/g, "''")}'`;
  });
}

/**
 * Compiling sends the migration's queries to a driver that answers at once; a migration that still
 * has not finished after this long waits on something else (a timer, the network, a promise that
 * never settles) and would hang every command that compiles it.
 */
const COMPILE_DEADLINE_MS = 10_000;

async function withinDeadline(work: Promise<void>, label: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new RasdbError(
            ExitCode.failed,
            `compiling ${label} did not finish within ${COMPILE_DEADLINE_MS / 1000}s: its up(db) or down(db) waits on something ` +
              'other than its queries (a timer, the network, a promise that never settles); a migration may only send SQL',
          ),
        ),
      COMPILE_DEADLINE_MS,
    );
  });
  try {
    await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
