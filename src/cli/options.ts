import { usageError, type OptionName } from '../errors.js';
import { parseOperatorTime } from '../retention/operator-time.js';
import { MAX_PHASE } from '../migrate/migration-files.js';
import { parseFailRule, type FailRule } from '../plan/fail-on.js';
import { parseCount, parseDuration } from './duration.js';
import { parseRatio } from '../capacity/fail-over.js';
import type { OptionSpec, RawValue } from './settings.js';

/**
 * Every command-line option rasdb has, defined once: the commands pick theirs from here, and
 * `readSettings` parses them all in one pass into typed values.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const text = (raw: RawValue): string | undefined =>
  raw === undefined || typeof raw === 'boolean' ? undefined : String(raw);

/** A switch: true when given. */
export const flag = (flags: string, description: string): OptionSpec<boolean> => ({
  flags,
  description,
  parse: (raw) => raw === true,
});

/** Free text, passed on as given; undefined when absent. */
export const textOption = (
  flags: string,
  description: string,
  extra: Partial<OptionSpec<string>> = {},
): OptionSpec<string | undefined> => ({
  flags,
  description,
  ...extra,
  parse: (raw) => text(raw),
});

/** Text that must be given and must not be blank (a reason for the record). */
export const requiredText = (flags: string, description: string): OptionSpec<string> => ({
  flags,
  description,
  required: true,
  parse: (raw, name) => {
    const value = text(raw);
    if (value === undefined || value.trim() === '') throw usageError(`${name} must not be empty`);
    return value.trim();
  },
});

interface DurationLimits {
  readonly minMs?: number;
  readonly maxMs: number;
  readonly defaultValue?: string;
  readonly env?: string;
}

/** A duration such as 500ms, 30s, 15min or 1h, in milliseconds; undefined when absent and without default. */
export function durationOption(
  flags: string,
  description: string,
  limits: DurationLimits & { defaultValue: string },
): OptionSpec<number>;
export function durationOption(
  flags: string,
  description: string,
  limits: DurationLimits,
): OptionSpec<number | undefined>;
export function durationOption(
  flags: string,
  description: string,
  limits: DurationLimits,
): OptionSpec<number | undefined> {
  return {
    flags,
    description,
    defaultValue: limits.defaultValue,
    env: limits.env,
    parse: (raw, name) => {
      const value = text(raw);
      return value === undefined ? undefined : parseDuration(name, value, limits);
    },
  };
}

/** A whole number within bounds. */
export function countOption(
  flags: string,
  description: string,
  min: number,
  max: number,
  defaultValue?: string,
  env?: string,
): OptionSpec<number> {
  return { flags, description, defaultValue, env, parse: (raw, name) => parseCount(name, String(text(raw)), min, max) };
}

/** A whole number within bounds, or undefined when not given. */
export function optionalCountOption(
  flags: string,
  description: string,
  min: number,
  max: number,
): OptionSpec<number | undefined> {
  return {
    flags,
    description,
    parse: (raw, name) => (text(raw) === undefined ? undefined : parseCount(name, String(text(raw)), min, max)),
  };
}

/**
 * Parses a `--phase` value: a whole number from `min` to the last phase.
 *
 * @example
 * parsePhase('2', '--phase') // 2
 */
export function parsePhase(value: string | undefined, name: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim()) || Number(value) < min || Number(value) > MAX_PHASE) {
    throw usageError(`${name} must be a whole number from ${min} to ${MAX_PHASE}, got "${value}"`);
  }
  return Number(value);
}

const phaseOption = (description: string): OptionSpec<number | undefined> => ({
  flags: '--phase <n>',
  description,
  parse: (raw, name) => parsePhase(text(raw), name),
});

/** The options every command takes. */
export const GLOBAL_OPTIONS = {
  databaseUrl: textOption('-u, --database-url <url>', 'PostgreSQL URL (overrides DATABASE_URL and PG* variables)'),
  json: flag('--json', 'print one JSON document on stdout, for machines'),
  quiet: flag('-q, --quiet', 'print nothing on success; on failure, everything the command would have said'),
  verbose: flag('-v, --verbose', 'print more detail, including stack traces of errors'),
  color: {
    flags: '--no-color',
    description: 'never colour the output (as NO_COLOR does); FORCE_COLOR=1 colours it off a terminal',
    parse: (raw: RawValue) => raw !== false,
  } satisfies OptionSpec<boolean>,
  timestamps: flag('--timestamps', 'begin every line with the time (ISO 8601, UTC), for log files'),
  connectTimeoutMs: durationOption('--connect-timeout <duration>', 'give up connecting after this long', {
    defaultValue: '10s',
    minMs: 100,
    maxMs: 10 * MINUTE,
  }),
  waitMs: durationOption(
    '--wait <duration>',
    'wait this long for the server to accept connections (a server starting in CI)',
    {
      maxMs: HOUR,
    },
  ),
  migrationsDir: textOption('--migrations-dir <dir>', 'read migrations from this folder instead of the built-in plan', {
    env: 'RASDB_MIGRATIONS_DIR',
  }),
} as const;

/** How long to wait for another rasdb run that holds the lock; retention waits for none by default. */
export const lockWaitOption = (defaultValue = '60s', what = 'another rasdb run'): OptionSpec<number> =>
  durationOption('--lock-wait <duration>', `wait this long for ${what} to finish, then exit 5`, {
    defaultValue,
    maxMs: DAY,
    ...(defaultValue === '60s' ? { env: 'RASDB_LOCK_WAIT' } : {}),
  });

/** How each migration runs: migrate's and rollback's. */
const EXECUTION_OPTIONS = {
  lockWaitMs: { ...lockWaitOption(), uselessWith: 'dryRun' },
  lockTimeoutMs: {
    ...durationOption('--lock-timeout <duration>', 'lock_timeout for each migration', {
      defaultValue: '5s',
      env: 'RASDB_LOCK_TIMEOUT',
      minMs: 1,
      maxMs: HOUR,
    }),
    uselessWith: 'dryRun',
  },
  statementTimeoutMs: {
    ...durationOption('--statement-timeout <duration>', 'statement_timeout for each migration', {
      defaultValue: '15min',
      env: 'RASDB_STATEMENT_TIMEOUT',
      minMs: 1,
      maxMs: DAY,
    }),
    uselessWith: 'dryRun',
  },
  lockAttempts: {
    ...countOption(
      '--lock-retries <n>',
      'tries per migration that times out waiting for a lock, with backoff',
      1,
      100,
      '5',
      'RASDB_LOCK_RETRIES',
    ),
    uselessWith: 'dryRun',
  },
} as const;

export const MIGRATE_OPTIONS = {
  phase: phaseOption('apply phases 0 to N (0-4); default: all phases'),
  dryRun: flag('--dry-run', 'print the SQL each pending migration would run, in order, and change nothing'),
  ...EXECUTION_OPTIONS,
} as const;

export const ROLLBACK_OPTIONS = {
  phase: phaseOption('keep phases 0 to N (0-4); the ones above are reverted'),
  all: flag('--all', 'revert every migration rasdb applied, phase 0 included'),
  force: flag('--force', 'drop tables even when they hold rows'),
  dryRun: flag(
    '--dry-run',
    'print the down SQL of each migration it would revert and what each would lock (observed on a scratch database); change nothing',
  ),
  scratchUrl: {
    ...textOption(
      '--scratch-url <url>',
      'with --dry-run: observe the reverts in a temporary database on this server (default: beside the target, on its server)',
    ),
    needs: 'dryRun',
  },
  ...EXECUTION_OPTIONS,
} as const;

export const BASELINE_OPTIONS = {
  phase: phaseOption('the database already holds the tables of phases 0 to N (default 0)'),
  lockWaitMs: lockWaitOption(),
} as const;

export const NEW_OPTIONS = {
  phase: phaseOption('the phase the migration belongs to (required)'),
} as const;

export const REPAIR_OPTIONS = {
  accept: requiredText('--accept <migration>', 'the migration whose new checksum to record'),
  lockWaitMs: lockWaitOption(),
} as const;

export const VERIFY_OPTIONS = {
  phase: phaseOption('the database is kept at phase N on purpose: later phases are not reported as pending'),
  scratchUrl: textOption(
    '--scratch-url <url>',
    'a server to replay on, in a temporary database it creates and drops (default: a throwaway embedded PostgreSQL)',
    { env: 'RASDB_SCRATCH_URL' },
  ),
  strict: flag('--strict', 'also fail on objects no migration makes (tables, views, sequences)'),
} as const;

export const PLAN_OPTIONS = {
  phase: phaseOption('observe the pending migrations of phases 0 to N (0-4); default: all phases'),
  scratchUrl: textOption(
    '--scratch-url <url>',
    "observe in a temporary database on this server, which it creates and drops (default: beside the target, on the target's server)",
  ),
  failOn: {
    flags: '--fail-on <rules...>',
    description:
      'exit 4 when an existing table gets a lock this strong or stronger, or a rewrite or scan, optionally above a size or on named tables: access-exclusive>100MB, share-row-exclusive:users, rewrite',
    parse: (raw: RawValue, name: string) => (Array.isArray(raw) ? raw.map((rule) => parseFailRule(rule, name)) : []),
  } satisfies OptionSpec<FailRule[]>,
} as const;

export const CODEGEN_OPTIONS = {
  out: { ...textOption('--out <file>', 'the file to write or check'), defaultValue: 'generated/db.ts' },
  check: flag('--check', 'write nothing; exit 4 with a diff when the file does not match the database'),
} as const;

/** What every retention run takes: the policies, a dry run, a time limit, its lock and timeouts. */
export const RETENTION_RUN_OPTIONS = {
  policies: {
    flags: '--policy <names...>',
    description:
      'only these policies (api_call_logs, performance_metrics, security_events_extended, integration_operations)',
    parse: (raw: RawValue) => (Array.isArray(raw) ? raw : undefined),
  } satisfies OptionSpec<string[] | undefined>,
  dryRun: flag('--dry-run', 'change nothing; print what would be done per table'),
  maxRuntimeMs: durationOption(
    '--max-runtime <duration>',
    'stop between batches after this long and exit 6; the next run continues',
    {
      minMs: 1,
      maxMs: 7 * DAY,
    },
  ),
  // A dry run takes no lock and sets no timeouts of its own: these say nothing there.
  lockWaitMs: { ...lockWaitOption('0s', 'another retention run'), uselessWith: 'dryRun' },
  lockTimeoutMs: {
    ...durationOption(
      '--lock-timeout <duration>',
      'lock_timeout for each statement (a batch that waits longer is retried)',
      {
        defaultValue: '2s',
        minMs: 1,
        maxMs: HOUR,
      },
    ),
    uselessWith: 'dryRun',
  },
  statementTimeoutMs: {
    ...durationOption('--statement-timeout <duration>', 'statement_timeout for each statement', {
      defaultValue: '60s',
      minMs: 1,
      maxMs: DAY,
    }),
    uselessWith: 'dryRun',
  },
  now: nowOption(),
} as const;

/**
 * A date or time an operator types (`2026-05-02`, `2026-05-02T13:45:00-05:00`), checked strictly
 * before anything is opened (see parseOperatorTime) and passed on as typed: the library places it
 * in the data's time zone.
 */
export function timeOption(
  flags: string,
  description: string,
  name: OptionName,
  extra: { dateOnly?: boolean; hidden?: boolean } = {},
): OptionSpec<string | undefined> {
  return {
    flags,
    description,
    hidden: extra.hidden,
    parse: (raw) => {
      const value = text(raw);
      return value === undefined ? undefined : parseOperatorTime(name, value, { dateOnly: extra.dateOnly }).given;
    },
  };
}

/**
 * The clock a retention run computes horizons from. Hidden, and with no environment variable an
 * operator could leave set: for tests and for replaying a past run. The library refuses a time
 * ahead of the server's clock.
 */
export function nowOption(): OptionSpec<string | undefined> {
  return timeOption('--now <time>', "compute horizons from this past time instead of the server's clock", 'now', {
    hidden: true,
  });
}

/**
 * How long a command that reads the tables (their sizes, their time columns) waits for a lock
 * another session holds on one, such as a long ALTER TABLE or VACUUM FULL, before it exits 5 naming it.
 */
function readLockTimeoutOption(): OptionSpec<number> {
  return durationOption(
    '--lock-timeout <duration>',
    'wait this long for a table another session has locked, then exit 5 naming it',
    { defaultValue: '10s', minMs: 1, maxMs: HOUR },
  );
}

/** `rasdb capacity`: the window, category overrides, the chart and the alert threshold. */
export const CAPACITY_OPTIONS = {
  windowDays: countOption('--window-days <n>', "measure each table's flow over its last N days of rows", 1, 3650, '30'),
  categories: {
    flags: '--category <table=category...>',
    description:
      'put a table in another category (integration, analytics, audit-security, workflow, enhanced-management) or none; repeatable',
    parse: (raw: RawValue) => (Array.isArray(raw) ? raw : undefined),
  } satisfies OptionSpec<string[] | undefined>,
  chart: textOption(
    '--chart <file.svg>',
    'also draw the projected stock per category over 7 years, against the estimate',
  ),
  failOver: {
    flags: '--fail-over <ratio>',
    description: "exit 4 naming each category whose projected yearly flow exceeds ratio times the document's estimate",
    parse: (raw: RawValue, name: string) => {
      const value = text(raw);
      return value === undefined ? undefined : parseRatio(name, value);
    },
  } satisfies OptionSpec<number | undefined>,
  now: nowOption(),
  lockTimeoutMs: readLockTimeoutOption(),
} as const;

export const CAPACITY_SNAPSHOT_OPTIONS = { now: nowOption(), lockTimeoutMs: readLockTimeoutOption() } as const;

/** How partition DDL waits for locks: short waits, retried, the blockers named. */
const PARTITION_LOCK_OPTIONS = {
  lockWaitMs: lockWaitOption(),
  lockTimeoutMs: durationOption('--lock-timeout <duration>', 'lock_timeout for each partitioning step', {
    defaultValue: '2s',
    minMs: 1,
    maxMs: HOUR,
  }),
  statementTimeoutMs: durationOption(
    '--statement-timeout <duration>',
    'statement_timeout for each step (the index build and the validation scan the whole table)',
    { defaultValue: '6h', minMs: 1, maxMs: DAY },
  ),
  lockAttempts: countOption('--lock-retries <n>', 'tries per step that times out waiting for a lock', 1, 100, '5'),
} as const;

export const PARTITION_ENABLE_OPTIONS = {
  interval: {
    flags: '--interval <unit>',
    description: 'one partition per day, week or month',
    required: true,
    parse: (raw: RawValue, name: string) => {
      const value = text(raw);
      if (value !== 'day' && value !== 'week' && value !== 'month') {
        throw usageError(`${name} must be day, week or month, got "${value ?? ''}"`);
      }
      return value;
    },
  } satisfies OptionSpec<'day' | 'week' | 'month'>,
  premake: optionalCountOption('--premake <n>', 'intervals made ahead (default: about four months)', 1, 1000),
  indexWorkers: countOption(
    '--index-workers <n>',
    "parallel workers for the unique index build (0: one process, the other cores left to the table's writers)",
    0,
    1024,
    '0',
  ),
  ...PARTITION_LOCK_OPTIONS,
} as const;

export const PARTITION_MAINTAIN_OPTIONS = { ...PARTITION_LOCK_OPTIONS } as const;
