import { describe, expect, it } from 'vitest';
import { sizesFrom, type SizeRow } from '../../src/capacity/sizes.js';

const row = (relkind: string, rest: Partial<SizeRow> = {}): SizeRow => ({
  ord: 1,
  root: true,
  rel: 4242,
  relkind,
  reltuples: 10,
  relpages: 1,
  live: '10',
  dead: '0',
  main: '8192',
  maps: '0',
  indexes: '16384',
  toast: '0',
  block: 8192,
  ...rest,
});

describe('sizesFrom', () => {
  it('counts a table, a partitioned table and a materialized view as present', () => {
    for (const kind of ['r', 'p', 'm']) expect(sizesFrom(['t'], [row(kind)])[0].present, kind).toBe(true);
  });

  it('does not take a view or a foreign table named like a document table for the table', () => {
    for (const kind of ['v', 'f']) {
      const [size] = sizesFrom(['performance_metrics'], [row(kind)]);
      expect(size.present, kind).toBe(false);
      expect(size.totalBytes).toBe(0);
    }
  });
});
