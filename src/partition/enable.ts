import type pg from 'pg';
import { LockKey, withAdvisoryLock } from '../db/advisory-lock.js';
import { ExitCode, option, RasdbError } from '../errors.js';
import {
  readPartitionTables,
  recordPartitionStep,
  savePartitionTable,
  type PartitionInterval,
  type PartitionTableRecord,
} from '../ledger/partitions.js';
import { ensureLedger } from '../ledger/upgrade.js';
import {
  addIntervals,
  boundCheckName,
  boundStillAhead,
  chooseBound,
  defaultPremake,
  floorTo,
  partitionsAhead,
  type Reading,
} from './bounds.js';
import { readTableFacts, type TableFacts } from './facts.js';
import { dataNow } from './partitions.js';
import { DEFAULT_LOCK_SETTINGS, lockedStep, type LockSettings } from './locked-step.js';
import { maintainTable, type MaintainResult } from './maintain.js';
import { quoted, stamp } from './sql-text.js';
import { adoptIndexName, PARTITIONS_PER_LOCK, swapStatements, widenedKeys } from './swap-sql.js';
import { partitionable } from './tables.js';

export interface EnableOptions extends Partial<LockSettings> {
  interval: PartitionInterval;
  premake?: number;
  /**
   * Parallel workers for the unique index build (PostgreSQL's max_parallel_maintenance_workers,
   * capped by the server's max_parallel_workers). Default 0: the build takes one core, and the
   * table's writers keep the rest; on a server with cores to spare, more builds faster.
   */
  indexWorkers?: number;
  /** The data's zone (see resolveDataZone): bounds and "now" are readings of its clock. */
  timeZone: string;
  lockWaitMs?: number;
  /** Called after each step, for progress lines. */
  onStep?: (step: EnableStep) => void;
}

export interface EnableStep {
  step: 'unique-index' | 'bound-check' | 'validate' | 'swap' | 'premake' | 'already-partitioned';
  detail: string;
  durationMs: number;
}

export interface EnableResult {
  table: string;
  timeColumn: string;
  interval: PartitionInterval;
  premake: number;
  bound: Reading;
  /** Whether the table had rows: an empty one is swapped in one transaction. */
  adoptedRows: boolean;
  steps: EnableStep[];
  maintain: MaintainResult;
}

/**
 * Partitions `table` by its time column in place, without copying a row: the existing heap
 * becomes the DEFAULT partition holding everything before a bound C (and every row without a
 * time), and range partitions take the rows from C on. Each step is recorded in the ledger's
 * partition history and read back from the catalog, so a run killed at any step leaves the table
 * usable and the next run finishes. Holds the retention lock, then the migration lock: it never
 * interleaves with migrate, rollback or a retention run.
 *
 * @example
 * await enablePartitioning(client, 'api_call_logs', { interval: 'month', timeZone: 'UTC' });
 */
export async function enablePartitioning(
  client: pg.Client,
  tableName: string,
  options: EnableOptions,
): Promise<EnableResult> {
  const spec = partitionable(tableName);
  const workers = options.indexWorkers ?? 0;
  if (!Number.isInteger(workers) || workers < 0 || workers > 1024) {
    throw new RasdbError(
      ExitCode.usage,
      `${option('indexWorkers')} must be a whole number from 0 to 1024, got ${workers}`,
    );
  }
  const settings: LockSettings = { ...DEFAULT_LOCK_SETTINGS, ...definedOnly(options) };
  const wait = options.lockWaitMs ?? 60_000;
  return withAdvisoryLock(client, LockKey.retention, wait, () =>
    withAdvisoryLock(client, LockKey.migrate, wait, async () => {
      await ensureLedger(client);
      const known = (await readPartitionTables(client)).find((r) => r.table === spec.table);
      if (known && known.interval !== options.interval) {
        throw new RasdbError(
          ExitCode.check,
          `${spec.table} is partitioned by ${known.interval} already; a different interval is not supported (asked: ${options.interval})`,
        );
      }
      const premake = options.premake ?? known?.premake ?? defaultPremake(options.interval);
      const run = new Enable(client, spec.table, spec.timeColumn, options, settings, premake, known);
      return run.finish();
    }),
  );
}

function definedOnly(options: Partial<LockSettings>): Partial<LockSettings> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

/** The SQLSTATE of a row that breaks a CHECK (here: VALIDATE finding a row at or past the bound). */
const CHECK_VIOLATION = '23514';
/** Bounds chosen in one run before giving up on writers that keep writing past them. */
const BOUND_ATTEMPTS = 3;

class Enable {
  private readonly steps: EnableStep[] = [];
  /** The partitions ahead the swap made itself. */
  private madeInSwap: string[] = [];
  private record: PartitionTableRecord;

  constructor(
    private readonly client: pg.Client,
    private readonly table: string,
    private readonly timeColumn: string,
    private readonly options: EnableOptions,
    private readonly settings: LockSettings,
    premake: number,
    private readonly known: PartitionTableRecord | undefined,
  ) {
    this.record = known
      ? { ...known, premake }
      : { table, timeColumn, interval: options.interval, premake, bound: null, state: 'adopting' };
  }

  /** The index build's parallel workers (checked by enablePartitioning before anything runs). */
  private get indexWorkers(): number {
    return this.options.indexWorkers ?? 0;
  }

  async finish(): Promise<EnableResult> {
    let facts = await readTableFacts(this.client, this.table, this.timeColumn);
    if (facts.kind === null) {
      throw new RasdbError(ExitCode.check, `${this.table} does not exist in this database; run rasdb migrate first`);
    }
    let adoptedRows = false;
    if (facts.kind === 'r') {
      this.refuse(facts);
      adoptedRows = await this.hasRows();
      try {
        if (adoptedRows) {
          await this.uniqueIndexes(facts);
          await this.boundCheck();
          facts = await readTableFacts(this.client, this.table, this.timeColumn);
          this.refuse(facts);
        }
        await this.swap(adoptedRows);
      } catch (error) {
        throw this.withBoundNotice(error);
      }
    } else {
      this.note('already-partitioned', `${this.table} is partitioned; making partitions ahead`, 0);
      // A --premake given again is the new number to keep ahead, as the result reports it.
      if (this.record.state !== 'partitioned' || this.record.premake !== this.known?.premake) {
        this.record = { ...this.record, state: 'partitioned' };
        await savePartitionTable(this.client, this.record);
      }
    }
    const started = performance.now();
    const made = await maintainTable(this.client, this.record, this.now.bind(this), this.settings);
    const maintain = { ...made, created: [...this.madeInSwap, ...made.created] };
    this.note(
      'premake',
      `${maintain.created.length} partitions created ahead${this.madeInSwap.length ? ` (${this.madeInSwap.length} of them in the swap)` : ''}`,
      performance.now() - started,
    );
    return {
      table: this.table,
      timeColumn: this.timeColumn,
      interval: this.record.interval,
      premake: this.record.premake,
      bound: this.record.bound as Reading,
      adoptedRows,
      steps: this.steps,
      maintain,
    };
  }

  /** exit 4, naming what partitioning cannot carry over or would break. */
  private refuse(facts: TableFacts): void {
    const problems: string[] = [];
    if (facts.inbound.length) problems.push(`foreign keys point at it (${facts.inbound.join(', ')})`);
    const ours = new Set(widenedKeys(this.table, this.timeColumn, facts).map(adoptIndexName));
    const invalid = facts.invalidIndexes.filter((name) => !ours.has(name));
    if (invalid.length) problems.push(`it has invalid indexes (${invalid.join(', ')}); drop or rebuild them first`);
    if (facts.views.length)
      problems.push(`views depend on it (${facts.views.join(', ')}); drop them and recreate them after`);
    if (facts.triggers.length)
      problems.push(`it has triggers rasdb does not carry over (${facts.triggers.join(', ')})`);
    if (facts.policies.length) problems.push(`it has row security policies (${facts.policies.join(', ')})`);
    if (facts.timeType !== 'timestamp without time zone') {
      problems.push(`its time column ${this.timeColumn} is ${facts.timeType ?? 'missing'}, not TIMESTAMP`);
    }
    if (problems.length) {
      throw new RasdbError(ExitCode.check, `cannot partition ${this.table}: ${problems.join('; ')}`, {
        table: this.table,
        problems,
      });
    }
  }

  /**
   * A run that stops after the bound check leaves it on the table, and it refuses new rows from
   * the bound on (NOT VALID or not): the operator must hear when, and what lifts it.
   */
  private withBoundNotice(error: unknown): unknown {
    const bound = this.record.bound;
    if (!(error instanceof RasdbError) || !bound || this.record.state === 'partitioned') return error;
    return new RasdbError(
      error.exitCode,
      `${error.template}; until it finishes, ${this.table} refuses rows dated ${bound} or later (its bound check): run partition enable again before then, or let partition maintain (retention prune runs it) lift the check once it is less than 48 h ahead`,
      error.details,
      { cause: error },
    );
  }

  private async hasRows(): Promise<boolean> {
    const { rows } = await this.client.query(`SELECT EXISTS (SELECT 1 FROM ${quoted(this.table)}) AS any`);
    return rows[0].any;
  }

  /** The data's clock now. */
  async now(): Promise<Reading> {
    return dataNow(this.client, this.options.timeZone);
  }

  private note(step: EnableStep['step'], detail: string, durationMs: number): void {
    const done = { step, detail, durationMs: Math.round(durationMs) };
    this.steps.push(done);
    this.options.onStep?.(done);
  }

  /** Step 1: a unique index on each key widened by the time column, built concurrently (writes go on). */
  private async uniqueIndexes(facts: TableFacts): Promise<void> {
    for (const key of widenedKeys(this.table, this.timeColumn, facts)) {
      const name = adoptIndexName(key);
      const existing = facts.indexes.find((i) => i.name === name);
      if (existing?.valid) continue;
      const started = performance.now();
      await lockedStep(
        this.client,
        this.settings,
        this.table,
        'unique-index',
        async () => {
          // A build killed part-way leaves an invalid index of that name: it is dropped and built again.
          if (existing) await this.client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${quoted(name)}`);
          await this.client.query(`SELECT set_config('max_parallel_maintenance_workers', $1, false)`, [
            String(this.indexWorkers),
          ]);
          try {
            await this.client.query(
              `CREATE UNIQUE INDEX CONCURRENTLY ${quoted(name)} ON ${quoted(this.table)} (${key.columns.map(quoted).join(', ')})`,
            );
          } finally {
            await this.client.query(`RESET max_parallel_maintenance_workers`);
          }
        },
        { transaction: false },
      );
      const ms = performance.now() - started;
      await recordPartitionStep(this.client, {
        table: this.table,
        step: 'unique-index',
        outcome: 'done',
        durationMs: ms,
        detail: { index: name, columns: key.columns, rebuilt: Boolean(existing), workers: this.indexWorkers },
      });
      this.note('unique-index', `${name} on (${key.columns.join(', ')})`, ms);
    }
  }

  /**
   * Step 2: CHECK (time < C) NOT VALID, recorded with C in one transaction, then VALIDATE (writes
   * go on). A row dated at or past C can still arrive between reading the latest time and adding
   * the CHECK; VALIDATE then fails, and would on every run: the CHECK is dropped and C chosen
   * again past that row (or the run refused, exit 4, when it lies beyond what is made ahead).
   */
  private async boundCheck(attempt = 1): Promise<void> {
    const check = boundCheckName(this.table);
    const facts = await readTableFacts(this.client, this.table, this.timeColumn);
    let existing = facts.checks.find((c) => c.name === check);
    const now = await this.now();
    if (existing && (!this.record.bound || !boundStillAhead(this.record.bound, now))) {
      // The bound of an earlier run is too close (or unknown): the swap could not happen before it.
      await lockedStep(this.client, this.settings, this.table, 'bound-check', async () => {
        await this.client.query(`ALTER TABLE ${quoted(this.table)} DROP CONSTRAINT ${quoted(check)}`);
      });
      existing = undefined;
    }
    if (!existing) {
      const latest = await this.latest();
      const bound = chooseBound(this.record.interval, now, latest);
      const horizon = addIntervals(this.record.interval, floorTo(this.record.interval, now), this.record.premake + 1);
      if (bound > horizon) throw this.beyondPremake(latest as Reading, now);
      const started = performance.now();
      await lockedStep(this.client, this.settings, this.table, 'bound-check', async () => {
        await this.client.query(
          `ALTER TABLE ${quoted(this.table)} ADD CONSTRAINT ${quoted(check)} CHECK (${quoted(this.timeColumn)} < ${stamp(bound)}) NOT VALID`,
        );
        this.record = { ...this.record, bound, state: 'adopting' };
        await savePartitionTable(this.client, this.record);
        await recordPartitionStep(this.client, {
          table: this.table,
          step: 'bound-check',
          outcome: 'done',
          durationMs: performance.now() - started,
          detail: { bound },
        });
      });
      this.note('bound-check', `CHECK (${this.timeColumn} < '${bound}') NOT VALID`, performance.now() - started);
      existing = { name: check, definition: '', validated: false };
    }
    if (!existing.validated) {
      const started = performance.now();
      try {
        await lockedStep(this.client, this.settings, this.table, 'validate', async () => {
          await this.client.query(`ALTER TABLE ${quoted(this.table)} VALIDATE CONSTRAINT ${quoted(check)}`);
          await recordPartitionStep(this.client, {
            table: this.table,
            step: 'validate',
            outcome: 'done',
            durationMs: performance.now() - started,
            detail: { bound: this.record.bound },
          });
        });
      } catch (error) {
        if ((error as { code?: string }).code !== CHECK_VIOLATION) throw error;
        await recordPartitionStep(this.client, {
          table: this.table,
          step: 'validate',
          outcome: 'retried',
          durationMs: performance.now() - started,
          detail: {
            bound: this.record.bound,
            reason: 'a row at or past the bound was written before the CHECK took hold',
          },
        });
        if (attempt >= BOUND_ATTEMPTS) {
          throw new RasdbError(
            ExitCode.check,
            `cannot partition ${this.table}: rows dated past each bound chosen kept arriving before its CHECK took hold (${attempt} bounds tried); run it again when the writers' times settle`,
          );
        }
        await lockedStep(this.client, this.settings, this.table, 'bound-check', async () => {
          await this.client.query(`ALTER TABLE ${quoted(this.table)} DROP CONSTRAINT ${quoted(check)}`);
          this.record = { ...this.record, bound: null };
          await savePartitionTable(this.client, this.record);
        });
        return this.boundCheck(attempt + 1);
      }
      this.note('validate', `every row is before ${this.record.bound}`, performance.now() - started);
    }
  }

  /**
   * The latest time in the table, or null for none. A time no partition bound can lie beyond
   * (infinity, or a year of five digits, which bounds.ts does not spell) refuses adoption here,
   * before the CHECK is added: VALIDATE would fail on it, on every run.
   */
  private async latest(): Promise<Reading | null> {
    const column = quoted(this.timeColumn);
    const { rows } = await this.client.query(
      `SELECT CASE WHEN NOT isfinite(m) THEN 'infinity' ELSE to_char(m, 'YYYY-MM-DD HH24:MI:SS') END AS t,
              NOT isfinite(m) OR m >= '10000-01-01' AS unbounded
         FROM (SELECT max(${column}) AS m FROM ${quoted(this.table)}) AS x`,
    );
    if (rows[0].unbounded) throw this.beyondPremake(rows[0].t, await this.now());
    return rows[0].t;
  }

  private beyondPremake(latest: string, now: Reading): RasdbError {
    return new RasdbError(
      ExitCode.check,
      `cannot partition ${this.table}: it holds rows dated up to ${latest}, beyond the ${this.record.premake} ${this.record.interval}s made ahead (from ${now}); raise --premake or look at those rows first`,
    );
  }

  /** Step 3: the swap, in one short transaction; an empty table is proved and swapped in the same one. */
  private async swap(adoptedRows: boolean): Promise<void> {
    const started = performance.now();
    const t = quoted(this.table);
    await lockedStep(this.client, this.settings, this.table, 'swap', async () => {
      await this.client.query(`LOCK TABLE ${t} IN ACCESS EXCLUSIVE MODE`);
      const locked = performance.now();
      const now = await this.now();
      if (!adoptedRows) {
        if (await this.hasRows())
          throw new RasdbError(
            ExitCode.failed,
            `${this.table} got rows while it was being partitioned; run partition enable again`,
          );
        // Empty and locked: the bound is the start of this interval and proving it costs nothing.
        const bound = floorTo(this.record.interval, now);
        const facts = await readTableFacts(this.client, this.table, this.timeColumn);
        await this.client.query(`ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${quoted(boundCheckName(this.table))}`);
        await this.client.query(
          `ALTER TABLE ${t} ADD CONSTRAINT ${quoted(boundCheckName(this.table))} CHECK (${quoted(this.timeColumn)} < ${stamp(bound)})`,
        );
        for (const key of widenedKeys(this.table, this.timeColumn, facts)) {
          await this.client.query(`DROP INDEX IF EXISTS ${quoted(adoptIndexName(key))}`);
          await this.client.query(
            `CREATE UNIQUE INDEX ${quoted(adoptIndexName(key))} ON ${t} (${key.columns.map(quoted).join(', ')})`,
          );
        }
        this.record = { ...this.record, bound };
      }
      const bound = this.record.bound as Reading;
      const facts = await readTableFacts(this.client, this.table, this.timeColumn);
      // The first partitions ahead are made under this lock: each made later would take the lock again.
      const ahead = partitionsAhead(this.table, this.record.interval, bound, now, this.record.premake).slice(
        0,
        PARTITIONS_PER_LOCK,
      );
      for (const statement of swapStatements({ table: this.table, timeColumn: this.timeColumn, facts, bound, ahead })) {
        await this.client.query(statement);
      }
      this.madeInSwap = ahead.map((p) => p.name);
      this.record = { ...this.record, state: 'partitioned' };
      await savePartitionTable(this.client, this.record);
      await recordPartitionStep(this.client, {
        table: this.table,
        step: 'swap',
        outcome: 'done',
        durationMs: performance.now() - started,
        // From the moment the table's lock was granted to just before the commit.
        detail: {
          bound,
          empty: !adoptedRows,
          created: ahead.map((p) => p.name),
          lockHeldMs: Math.round(performance.now() - locked),
        },
      });
    });
    this.note(
      'swap',
      `${this.table} is partitioned from ${this.record.bound}; the old heap is its DEFAULT partition`,
      performance.now() - started,
    );
  }
}
