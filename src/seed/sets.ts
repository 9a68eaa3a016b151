import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { DB } from '../../generated/db.js';
import { ExitCode, option, RasdbError } from '../errors.js';
import type { BuiltSet } from './types.js';

const SET_NAMES = ['controls', 'integrations', 'metrics', 'reports', 'workflows'] as const;
export type SetName = (typeof SET_NAMES)[number];

/** A reference set: where its rows come from, the phase its tables arrive in, and its checks. */
export interface SeedSetDefinition {
  readonly name: SetName;
  readonly title: string;
  /** The migration phase that creates its tables; a database below it skips the set. */
  readonly phase: number;
  /** Reads the set's files and definitions; validates their shape before anything is written. */
  build(): Promise<BuiltSet>;
  /** Checks that need the database: queries that must run here, mapping targets that must exist. */
  verify?(context: VerifyContext, built: BuiltSet): Promise<void>;
}

/** What a set's database checks get: the session's connection, typed, and the tables it has. */
export interface VerifyContext {
  readonly client: pg.Client;
  readonly db: Kysely<DB>;
  readonly presentTables: ReadonlySet<string>;
}

/** The sets in the order they are applied: integrations before metrics that read their tables, and so on. */
export const SEED_SETS: readonly SeedSetDefinition[] = [
  {
    name: 'controls',
    title: 'NIST SP 800-53 Rev 5 and FedRAMP Rev 5 controls with their baselines',
    phase: 3,
    build: async () => (await import('../../seeds/sets/controls.js')).controlsSet(),
  },
  {
    name: 'integrations',
    title: 'Tenable, Xacta 360 and Qualys templates, field mappings and sync policies',
    phase: 1,
    build: async () => (await import('../../seeds/sets/integrations.js')).integrationsSet(),
    verify: async (context, built) =>
      (await import('./verify-mappings.js')).verifyMappingTargets(context.db, built, context.presentTables),
  },
  {
    name: 'metrics',
    title: 'metric definitions with runnable SQL',
    phase: 3,
    build: async () => (await import('../../seeds/sets/metrics.js')).metricsSet(),
    verify: async (context, built) => (await import('./verify-queries.js')).verifyMetricQueries(context, built),
  },
  {
    name: 'reports',
    title: 'report templates and dashboards',
    phase: 3,
    build: async () => (await import('../../seeds/sets/reports.js')).reportsSet(),
    verify: async (context, built) => (await import('./verify-queries.js')).verifyReportQueries(context, built),
  },
  {
    name: 'workflows',
    title: 'remediation and POA&M closure workflows',
    phase: 4,
    build: async () => (await import('../../seeds/sets/workflows.js')).workflowsSet(),
  },
];

/**
 * Parses `--only`: one set name or several separated by commas.
 *
 * @example
 * parseSetNames('controls,metrics') // ['controls', 'metrics']
 */
export function parseSetNames(value: string | undefined): SetName[] | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !(SET_NAMES as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length) {
    throw new RasdbError(
      ExitCode.usage,
      `${option('only')} takes set names from ${SET_NAMES.join(', ')}; got "${value}"`,
    );
  }
  return names as SetName[];
}
