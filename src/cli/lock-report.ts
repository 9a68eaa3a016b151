import { blocksInWords, modeName } from '../plan/lock-modes.js';
import { TABLE_KINDS } from '../plan/relations.js';
import type { LockPlan, RelationLock, TableSummary, TargetTable } from '../plan/types.js';
import type { Output } from './output.js';
import { count } from './text.js';

/**
 * A size as PostgreSQL's pg_size_pretty writes it (units of 1024).
 *
 * @example
 * formatBytes(16384) // '16 kB'
 */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 10 * 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0 && bytes >= 1024) return `${Math.round(bytes / 1024)} kB`;
  return `${Math.round(value)} ${units[unit]}`;
}

function sizeText(target: TargetTable): string {
  const rows =
    target.rowEstimate === null ? 'rows not estimated yet' : `~${target.rowEstimate.toLocaleString('en-US')} rows`;
  return (
    `${formatBytes(target.totalBytes)} (heap ${formatBytes(target.heapBytes)}, indexes ${formatBytes(target.indexBytes)}, ` +
    `TOAST ${formatBytes(target.toastBytes)}), ${rows}`
  );
}

function sessionsText(target: TargetTable): string {
  const s = target.sessions;
  if (s.total === 0) return 'no session holds a lock on it now';
  return `${count(s.total, 'session')} hold locks on it now (${s.writing} writing; pids ${s.pids.join(', ')}; oldest transaction since ${s.oldestTransactionStart ?? 'unknown'})`;
}

function effectText(lock: RelationLock): string {
  if (lock.rewrite) return '; rewrites the whole table';
  if (lock.scan) return '; reads the whole table';
  return '';
}

function holdText(lock: RelationLock): string {
  return lock.heldUntil === 'end of transaction'
    ? `held to the end of the migration's transaction (${count(lock.heldThroughStatements, 'statement')})`
    : 'held for this statement only (outside a transaction)';
}

/**
 * Prints a lock plan: per migration, per statement, the short SQL and each table it locks that
 * exists (on the target, or made earlier in this run), with the mode in words, rewrite or scan,
 * size and sessions on the target, and how long the lock is held; then per existing table the
 * strongest lock and the longest hold of the run.
 *
 * @example
 * renderLockPlan(out, plan, session.label);
 */
export function renderLockPlan(out: Output, plan: LockPlan, database: string): void {
  const c = out.color;
  const [one, many] =
    plan.direction === 'up'
      ? ['pending migration', 'pending migrations']
      : ['migration to revert', 'migrations to revert'];
  const versions =
    plan.scratchServerVersion === plan.targetServerVersion
      ? `PostgreSQL ${plan.scratchServerVersion}, as the target`
      : `PostgreSQL ${plan.scratchServerVersion}; the target runs ${plan.targetServerVersion}`;
  out.line(
    `${count(plan.migrations.length, one, many)} observed on ${plan.scratch} (${versions}) after replaying ${count(plan.replayed.length, 'applied migration')}; nothing was written to ${database}.`,
  );
  const targets = new Map(plan.tables.map((t) => [t.relation, t.target]));
  for (const migration of plan.migrations) {
    const how = migration.transactional ? 'in one transaction' : 'outside a transaction, statement by statement';
    out.line('');
    out.line(
      c.bold(
        `${migration.name} (phase ${migration.phase}${migration.direction === 'down' ? ', down' : ''}), ${how}: ${count(migration.statements.length, 'statement')}`,
      ),
    );
    for (const statement of migration.statements) {
      const shown = statement.locks.filter((l) => l.origin !== 'new' && TABLE_KINDS.includes(l.kind));
      out.line(
        `  ${String(statement.index).padStart(2)}  ${statement.short}${shown.length ? '' : c.dim('  (no new lock on an existing table)')}`,
      );
      for (const lock of shown) {
        const waits = lock.granted ? '' : ' (seen waiting for it)';
        out.line(
          `        ${c.yellow(lock.relation)}  ${modeName(lock.mode)}${waits}: ${blocksInWords(lock.mode)}${effectText(lock)}`,
        );
        const target = targets.get(lock.relation);
        const where =
          lock.origin === 'earlier'
            ? 'made by an earlier migration of this run (empty then)'
            : target
              ? `${sizeText(target)}; ${sessionsText(target)}`
              : 'not on the target (rasdb verify shows the drift)';
        out.line(`          ${holdText(lock)}; ${where}`);
      }
    }
  }
  out.line('');
  renderSummary(out, plan.tables);
}

function renderSummary(out: Output, tables: readonly TableSummary[]): void {
  if (tables.length === 0) {
    out.line('No existing table of the target is locked by this run.');
    return;
  }
  out.line(`Existing tables this run locks (${tables.length}): the strongest lock and the longest hold`);
  const width = Math.max(...tables.map((t) => t.relation.length));
  for (const t of tables) {
    const hold = t.longestHold;
    const effect = t.rewrite ? ', rewritten' : t.scan ? ', scanned' : '';
    out.line(
      `  ${t.relation.padEnd(width)}  ${modeName(t.strongest).padEnd(22)} ${t.strongestIn.migration} #${t.strongestIn.statement}${effect}; ` +
        `held longest through ${count(hold.heldThroughStatements, 'statement')} (${hold.migration} #${hold.statement}, ${modeName(hold.mode)}); ` +
        `${formatBytes(t.target.totalBytes)}, ${t.target.sessions.total} ${t.target.sessions.total === 1 ? 'session' : 'sessions'} now`,
    );
  }
}
