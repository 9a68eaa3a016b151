import { describe, expect, it } from 'vitest';
import { RasdbError } from '../../src/errors.js';
import { assertNoTransactionControl, transactionControlIn } from '../../src/migrate/transaction-control.js';

describe('transactionControlIn', () => {
  it('finds statements that end or open a transaction', () => {
    expect(transactionControlIn(['create table t ()', 'COMMIT'])).toBe('COMMIT');
    expect(transactionControlIn(['create table t (); commit'])).toBe('commit');
    expect(transactionControlIn(['  rollback  '])).toBe('rollback');
    expect(transactionControlIn(['BEGIN'])).toBe('BEGIN');
    expect(transactionControlIn(['start transaction isolation level serializable'])).toBe('start transaction');
    expect(transactionControlIn(['end'])).toBe('end');
  });

  it('ignores the words as data, in comments, and inside other statements', () => {
    expect(transactionControlIn([`insert into t values ('commit; rollback')`])).toBeUndefined();
    expect(transactionControlIn([`select case when true then 1 end`])).toBeUndefined();
    expect(transactionControlIn([`create table t (id int) -- then commit`])).toBeUndefined();
    expect(transactionControlIn([`/* commit */ create table t ()`])).toBeUndefined();
    expect(transactionControlIn([`create table commits (id int)`, `alter table t rename to ended`])).toBeUndefined();
    expect(transactionControlIn([])).toBeUndefined();
  });
});

describe('assertNoTransactionControl', () => {
  it('refuses with exit 4 naming every offender, and passes clean migrations', () => {
    expect(() =>
      assertNoTransactionControl([{ name: 'a', direction: 'up', statements: ['create table a ()'] }]),
    ).not.toThrow();
    try {
      assertNoTransactionControl([
        { name: 'a', direction: 'up', statements: ['commit'] },
        { name: 'b', direction: 'down', statements: ['drop table b', 'begin'] },
      ]);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(RasdbError);
      expect((error as RasdbError).exitCode).toBe(4);
      expect((error as RasdbError).message).toMatch(/^refusing to run a \(COMMIT in up\), b \(BEGIN in down\)/);
    }
  });
});
