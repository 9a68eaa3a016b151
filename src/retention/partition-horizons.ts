import type pg from 'pg';
import { listHolds } from '../ledger/retention-holds.js';
import { readWatermarks } from '../ledger/retention-watermarks.js';
import type { TableHorizon } from '../partition/status.js';
import { dataNow } from '../partition/partitions.js';
import { loadPolicies } from './policies.js';
import { assertRetentionTables } from './run-context.js';
import { summarizedUntil } from './watermarks.js';

/**
 * For `partition status`: each policy's table, how long its rows are kept, how far they are
 * summarized and the active holds on it, at the data's "now". Reads only.
 *
 * @example
 * (await partitionHorizons(client, 'UTC')).get('api_call_logs')?.keepDetail // '90 days'
 */
export async function partitionHorizons(client: pg.Client, timeZone: string): Promise<Map<string, TableHorizon>> {
  const out = new Map<string, TableHorizon>();
  try {
    await assertRetentionTables(client);
  } catch {
    return out;
  }
  const asOf = await dataNow(client, timeZone);
  const marks = await readWatermarks(client);
  for (const policy of await loadPolicies(client, asOf)) {
    const holds = await listHolds(client, { table: policy.table });
    out.set(policy.table, {
      keepDetail: policy.keepDetail,
      detailCutoff: policy.detailCutoff,
      summarizedUntil: summarizedUntil(policy, marks),
      holds: holds.map((h) => ({ id: h.id, from: h.from, until: h.until, ids: h.ids })),
    });
  }
  return out;
}
