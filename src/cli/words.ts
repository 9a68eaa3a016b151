import { wordOptions, type OptionName, type RasdbError } from '../errors.js';

/** The flag each library option is given by on the command line. */
const FLAG_OF: Record<OptionName, string> = {
  accept: '--accept',
  all: '--all',
  asOf: '--as-of',
  batchSize: '--batch-size',
  belowComplianceMinimum: '--violate-7-year-security-retention',
  category: '--category',
  chart: '--chart',
  databaseUrl: '--database-url',
  demo: '--demo',
  force: '--force',
  from: '--from',
  ids: '--ids',
  keepDetail: '--keep-detail',
  keepSummary: '--keep-summary',
  indexWorkers: '--index-workers',
  lockTimeoutMs: '--lock-timeout',
  lockWaitMs: '--lock-wait',
  maxRuntimeMs: '--max-runtime',
  now: '--now',
  only: '--only',
  phase: '--phase',
  policies: '--policy',
  reason: '--reason',
  scale: '--scale',
  scratchUrl: '--scratch-url',
  seed: '--seed',
  statementTimeoutMs: '--statement-timeout',
  until: '--until',
  verbose: '--verbose',
};

/**
 * An error's message as the command line says it: the options the library points at are named
 * by their flags.
 *
 * @example
 * wordError(error) // 'another rasdb run holds the lock (...); wait for it to finish, or raise --lock-wait'
 */
export function wordError(error: RasdbError): string {
  return error.worded((name) => FLAG_OF[name]);
}

/**
 * The same for any text the library hands the CLI, such as a notice.
 *
 * @example
 * wordText(`set DATABASE_URL (or ${option('databaseUrl')})`) // 'set DATABASE_URL (or --database-url)'
 */
export function wordText(text: string): string {
  return wordOptions(text, (name) => FLAG_OF[name]);
}
