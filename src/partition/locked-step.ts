import type pg from 'pg';
import { withTransaction } from '../db/transaction.js';
import { ExitCode, RasdbError } from '../errors.js';
import { recordPartitionStep } from '../ledger/partitions.js';
import { describeBlockers, watchBlockers, type Blocker } from '../db/blockers.js';
import { isLockTimeout } from '../db/lock-timeout.js';

/** How partition DDL waits for locks: short waits, retried with backoff, blockers named. */
export interface LockSettings {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  lockAttempts: number;
  openSibling?: () => Promise<pg.Client>;
  onRetry?: (notice: { table: string; step: string; attempt: number; attempts: number; blockers: Blocker[] }) => void;
}

export const DEFAULT_LOCK_SETTINGS: LockSettings = {
  lockTimeoutMs: 2000,
  statementTimeoutMs: 900_000,
  lockAttempts: 5,
};

/**
 * Runs `work` for one step of partitioning in a transaction (or, with `transaction: false`, as
 * statements of their own, for CONCURRENTLY) with lock_timeout and statement_timeout, retrying
 * with backoff when a lock wait times out. Each retry is recorded in the partition history with
 * the sessions that blocked it; the last failure is recorded and thrown as one line naming them
 * (exit 5). `work` records its own success in its transaction.
 *
 * @example
 * await lockedStep(client, settings, 'api_call_logs', 'swap', () => swap(client, plan));
 */
export async function lockedStep<T>(
  client: pg.Client,
  settings: LockSettings,
  table: string,
  step: string,
  work: () => Promise<T>,
  options: { transaction?: boolean; runId?: number | null } = {},
): Promise<T> {
  const timeouts = [
    `lock_timeout = ${Math.trunc(settings.lockTimeoutMs)}`,
    `statement_timeout = ${Math.trunc(settings.statementTimeoutMs)}`,
  ];
  for (let attempt = 1; ; attempt++) {
    const pid = (client as pg.Client & { readonly processID: number }).processID;
    const watch = settings.openSibling
      ? watchBlockers(settings.openSibling, pid, Math.min(500, settings.lockTimeoutMs / 2))
      : undefined;
    try {
      const result =
        options.transaction === false
          ? await alone(client, timeouts, work)
          : await withTransaction(client, work, { settings: timeouts });
      await watch?.stop();
      return result;
    } catch (error) {
      const blockers = (await watch?.stop()) ?? [];
      if (!isLockTimeout(error)) throw error;
      const detail = { attempt, attempts: settings.lockAttempts, blockers };
      if (attempt < settings.lockAttempts) {
        await recordPartitionStep(client, { table, step, outcome: 'retried', detail, runId: options.runId });
        settings.onRetry?.({ table, step, attempt, attempts: settings.lockAttempts, blockers });
        await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** attempt, 10_000)));
        continue;
      }
      const message = `partition ${step} of ${table} could not take its locks in ${settings.lockAttempts} attempt${settings.lockAttempts === 1 ? '' : 's'} of ${settings.lockTimeoutMs} ms; blocked by ${describeBlockers(blockers)}`;
      await recordPartitionStep(client, {
        table,
        step,
        outcome: 'failed',
        detail: { ...detail, message },
        runId: options.runId,
      });
      throw new RasdbError(ExitCode.busy, message, { table, step, blockers });
    }
  }
}

async function alone<T>(client: pg.Client, timeouts: readonly string[], work: () => Promise<T>): Promise<T> {
  await client.query(timeouts.map((t) => `SET ${t}`).join('; '));
  try {
    return await work();
  } finally {
    await client.query('RESET lock_timeout; RESET statement_timeout').catch(() => undefined);
  }
}
