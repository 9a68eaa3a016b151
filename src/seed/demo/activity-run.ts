import type pg from 'pg';
import type { Kysely } from 'kysely';
import type { DB } from '../../../generated/db.js';
import { ExitCode, RasdbError } from '../../errors.js';
import { activityStatements, type ActivityContext } from './activity.js';
import type { RandomSql } from './random-sql.js';

export interface ActivityCount {
  table: string;
  rows: number;
  durationMs: number;
}

/** Rows generated so far for one table, after each chunk, for a progress line. */
export interface ActivityProgress {
  table: string;
  done: number;
  total: number;
}

/**
 * What the synthetic activity refers to, read from the database: the external systems, the demo
 * users and the assets the real records brought.
 *
 * @example
 * const context = await activityContextOf(db, new RandomSql(7, '2026-11-29'), 1);
 */
export async function activityContextOf(db: Kysely<DB>, rand: RandomSql, scale: number): Promise<ActivityContext> {
  const systems = await db.selectFrom('external_systems').select(['id', 'system_type']).execute();
  const idOf = (type: string): number => {
    const found = systems.find((s) => s.system_type === type);
    if (!found)
      throw new RasdbError(ExitCode.check, `no ${type} external system; run \`rasdb seed --only integrations\` first`);
    return found.id;
  };
  const users = await db.selectFrom('users').select('id').where('username', 'like', 'demo.%').orderBy('id').execute();
  const assets = await db.selectFrom('ingestion_assets').select('asset_uuid').orderBy('id').execute();
  return {
    rand,
    scale,
    systems: [idOf('tenable'), idOf('qualys'), idOf('xacta')],
    users: users.map((u) => u.id),
    assets: assets.map((a) => a.asset_uuid),
  };
}

/**
 * Runs the activity statements in chunks, in the caller's transaction, table after table in
 * foreign-key order, and reports each table's rows and time as it finishes.
 *
 * @example
 * await client.query('BEGIN'); await generateActivity(client, context); await client.query('COMMIT');
 */
export async function generateActivity(
  client: pg.Client,
  context: ActivityContext,
  onTable?: (count: ActivityCount) => void,
  onProgress?: (progress: ActivityProgress) => void,
): Promise<ActivityCount[]> {
  const counts: ActivityCount[] = [];
  for (const statement of activityStatements(context)) {
    const started = performance.now();
    let rows = 0;
    for (let lo = 1; lo <= statement.count; lo += statement.chunk) {
      rows +=
        (await client.query(statement.build(lo, Math.min(statement.count, lo + statement.chunk - 1)))).rowCount ?? 0;
      onProgress?.({ table: statement.table, done: rows, total: statement.count });
    }
    const count = { table: statement.table, rows, durationMs: Math.round(performance.now() - started) };
    counts.push(count);
    onTable?.(count);
  }
  return counts;
}
