import { describe, expect, it } from 'vitest';
import type { Hold } from '../../src/ledger/retention-holds.js';
import { holdCondition } from '../../src/retention/holds.js';
import { compileSql } from './support/compile-sql.js';

let nextId = 1;
function hold(scope: Pick<Hold, 'from' | 'until' | 'ids'>): Hold {
  return {
    id: nextId++,
    table: 'api_call_logs',
    ...scope,
    reason: 'case 2025-17',
    placedBy: 'legal',
    placedAt: '2026-01-01 00:00:00',
    releasedAt: null,
    releasedBy: null,
    releaseReason: null,
  };
}

const range = (from: string | null, until: string | null) => hold({ from, until, ids: null });
const ids = (...list: number[]) => hold({ from: null, until: null, ids: list });

function compiled(holds: Hold[], idColumn: string | null = 'id') {
  const condition = holdCondition(holds, 's', 'called_at', idColumn);
  return condition === null ? null : compileSql(condition);
}

describe('holdCondition', () => {
  it('is null without holds: nothing is held', () => {
    expect(holdCondition([], 's', 'called_at', 'id')).toBeNull();
  });

  it('holds a time range from its inclusive start to its exclusive end, both bound as parameters', () => {
    expect(compiled([range('2025-03-01 00:00:00', '2025-04-01 00:00:00')])).toEqual({
      sql: '(("s"."called_at" >= $1::timestamp AND "s"."called_at" < $2::timestamp))',
      parameters: ['2025-03-01 00:00:00', '2025-04-01 00:00:00'],
    });
  });

  it('reads a missing bound as open on that side', () => {
    expect(compiled([range(null, '2025-04-01 00:00:00')])).toEqual({
      sql: '((true AND "s"."called_at" < $1::timestamp))',
      parameters: ['2025-04-01 00:00:00'],
    });
    expect(compiled([range('2025-03-01 00:00:00', null)])).toEqual({
      sql: '(("s"."called_at" >= $1::timestamp AND true))',
      parameters: ['2025-03-01 00:00:00'],
    });
    expect(compiled([range(null, null)])).toEqual({ sql: '((true AND true))', parameters: [] });
  });

  it('holds rows by id as one array parameter', () => {
    expect(compiled([ids(7, 9, 11)])).toEqual({ sql: '("s"."id" = ANY($1::bigint[]))', parameters: [[7, 9, 11]] });
  });

  it('stacks holds with OR, in order, on the alias and columns it is given', () => {
    const condition = holdCondition([range('2025-03-01 00:00:00', null), ids(3)], 'r', 'recorded_at', 'metric_id');
    expect(condition && compileSql(condition)).toEqual({
      sql: '(("r"."recorded_at" >= $1::timestamp AND true) OR "r"."metric_id" = ANY($2::bigint[]))',
      parameters: ['2025-03-01 00:00:00', [3]],
    });
  });

  it('skips id holds on a table without an id column, and is null when nothing else is left', () => {
    expect(compiled([ids(1, 2)], null)).toBeNull();
    expect(compiled([ids(1, 2), range(null, '2025-01-01 00:00:00')], null)).toEqual({
      sql: '((true AND "s"."called_at" < $1::timestamp))',
      parameters: ['2025-01-01 00:00:00'],
    });
  });

  it('quotes identifiers instead of splicing them', () => {
    const condition = holdCondition([range('2025-01-01 00:00:00', null)], 's', 'odd"name', 'id');
    expect(condition && compileSql(condition).sql).toBe('(("s"."odd""name" >= $1::timestamp AND true))');
  });
});
