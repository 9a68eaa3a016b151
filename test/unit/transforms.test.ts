import { describe, expect, it } from 'vitest';
import { TransformError, transform, type Rule, type TransformContext } from '../../src/seed/transforms.js';

const ctx: TransformContext = { record: {} };
const apply = (rule: Rule | null, value: unknown, context = ctx) => transform(rule, value, context);

function failure(rule: Rule, value: unknown, context = ctx): string {
  try {
    transform(rule, value, context);
  } catch (error) {
    if (error instanceof TransformError) return error.message;
    throw error;
  }
  throw new Error(`${rule.type} accepted ${JSON.stringify(value)}`);
}

describe('transform', () => {
  it('copies the value without a rule or with copy, undefined becoming null', () => {
    expect(apply(null, 'x')).toBe('x');
    expect(apply({ type: 'copy' }, 0)).toBe(0);
    expect(apply({ type: 'copy' }, undefined)).toBeNull();
  });

  it('passes null, undefined and empty text through as null for every other rule', () => {
    for (const type of ['text', 'integer', 'number', 'boolean', 'date', 'timestamp_utc', 'milestones']) {
      for (const value of [null, undefined, '']) expect(apply({ type }, value), `${type} ${String(value)}`).toBeNull();
    }
  });

  it('text turns anything into a string', () => {
    expect(apply({ type: 'text' }, 42)).toBe('42');
    expect(apply({ type: 'text' }, false)).toBe('false');
  });

  it('integer and number read numbers and numeric text, trimmed, and refuse the rest', () => {
    expect(apply({ type: 'integer' }, ' 42 ')).toBe(42);
    expect(apply({ type: 'integer' }, 7)).toBe(7);
    expect(failure({ type: 'integer' }, '4.5')).toBe('"4.5" is not a valid number here');
    expect(apply({ type: 'number' }, '4.5')).toBe(4.5);
    expect(apply({ type: 'number' }, '1e3')).toBe(1000);
    expect(failure({ type: 'number' }, 'abc')).toBe('"abc" is not a valid number here');
    expect(failure({ type: 'number' }, 'Infinity')).toBe('"Infinity" is not a valid number here');
  });

  it('boolean reads yes/no words in any case, and refuses others', () => {
    for (const yes of ['yes', 'TRUE', 'y', '1', true]) expect(apply({ type: 'boolean' }, yes), String(yes)).toBe(true);
    for (const no of ['No', 'false', 'N', '0', false]) expect(apply({ type: 'boolean' }, no), String(no)).toBe(false);
    expect(failure({ type: 'boolean' }, 'maybe')).toBe('"maybe" is not a yes/no value');
  });

  it('lookup maps a value through its table, naming the known keys when it cannot', () => {
    const rule = { type: 'lookup', map: { high: 3, low: 1 } };
    expect(apply(rule, 'high')).toBe(3);
    expect(apply({ type: 'lookup', map: { '4': 'critical' } }, 4)).toBe('critical');
    expect(failure(rule, 'HIGH')).toBe('"HIGH" has no entry in the lookup (high, low)');
  });

  it('timestamp_utc and date convert ISO-8601 times to UTC', () => {
    expect(apply({ type: 'timestamp_utc' }, '2026-01-31T10:00:00+02:00')).toBe('2026-01-31 08:00:00.000');
    expect(apply({ type: 'date' }, '2026-01-31T23:30:00-02:00')).toBe('2026-02-01');
    expect(apply({ type: 'date' }, '2026-01-31')).toBe('2026-01-31');
    expect(failure({ type: 'date' }, 'next tuesday')).toBe('"next tuesday" is not an ISO-8601 date or time');
  });

  it('first takes the first item of a list, then falls back through other fields of the record', () => {
    const record = { alt: { names: ['', 'x'] }, backup: 'fallback' };
    expect(apply({ type: 'first' }, ['a', 'b'])).toBe('a');
    expect(apply({ type: 'first' }, 'single')).toBe('single');
    expect(apply({ type: 'first', fallback: ['alt.names[]', 'backup'] }, [], { record })).toBe('fallback');
    expect(apply({ type: 'first', fallback: ['backup'] }, '', { record })).toBe('fallback');
    expect(apply({ type: 'first' }, ['', 'y'])).toBeNull();
    expect(apply({ type: 'first', fallback: ['missing'] }, null, { record })).toBeNull();
  });

  it('cvss_vector picks one metric of a vector, with or without the CVSS:3.x prefix', () => {
    const rule = { type: 'cvss_vector', metric: 'AV', map: { N: 'network', L: 'local' } };
    expect(apply(rule, 'AV:N/AC:L/PR:N/UI:N')).toBe('network');
    expect(apply(rule, 'CVSS:3.1/AV:L/AC:L')).toBe('local');
    expect(failure(rule, 'AC:L/PR:N')).toBe('"" has no entry in the lookup (N, L)');
  });

  it('cvss3_exploitability is 8.22 x AV x AC x PR x UI to one decimal; PR weighs more when scope changes', () => {
    expect(apply({ type: 'cvss3_exploitability' }, 'AV:N/AC:L/PR:N/UI:N/S:U')).toBe(3.9);
    expect(apply({ type: 'cvss3_exploitability' }, 'AV:N/AC:L/PR:L/UI:N/S:U')).toBe(2.8);
    expect(apply({ type: 'cvss3_exploitability' }, 'AV:N/AC:L/PR:L/UI:N/S:C')).toBe(3.1);
    expect(apply({ type: 'cvss3_exploitability' }, 'AV:P/AC:H/PR:H/UI:R/S:U')).toBe(0.1);
    for (const partial of ['AV:N/AC:L/PR:N', 'AV:X/AC:L/PR:N/UI:N']) {
      expect(failure({ type: 'cvss3_exploitability' }, partial)).toBe('the CVSS vector lacks AV, AC, PR or UI');
    }
  });

  it('a scanned value named like what every object has (constructor, __proto__, toString) is no entry of a lookup', () => {
    const rule = { type: 'lookup', map: { high: 3 } };
    for (const value of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
      expect(failure(rule, value)).toBe(`"${value}" has no entry in the lookup (high)`);
    const vector = { type: 'cvss_vector', metric: 'AV', map: { N: 'network' } };
    expect(failure(vector, 'AV:constructor/AC:L')).toBe('"constructor" has no entry in the lookup (N)');
    for (const hostile of [
      'AV:constructor/AC:L/PR:N/UI:N',
      'AV:N/AC:toString/PR:N/UI:N',
      'AV:N/AC:L/PR:__proto__/UI:N',
    ])
      expect(failure({ type: 'cvss3_exploitability' }, hostile)).toBe('the CVSS vector lacks AV, AC, PR or UI');
  });

  it('truncate and split shape text', () => {
    expect(apply({ type: 'truncate', length: 3 }, 12345)).toBe('123');
    expect(apply({ type: 'truncate', length: 10 }, 'short')).toBe('short');
    expect(apply({ type: 'split', separator: ',' }, ' a, b ,, c ')).toEqual(['a', 'b', 'c']);
  });

  it('milestones reads numbered lines with an optional due date, skipping other lines', () => {
    const text = '(1) Patch\r\n notes\n(2) Verify: 2026-03-31\n (3)  Close  -  2026-04-01  ';
    expect(apply({ type: 'milestones' }, text)).toEqual([
      { number: 1, description: 'Patch', due_date: null },
      { number: 2, description: 'Verify', due_date: '2026-03-31' },
      { number: 3, description: 'Close', due_date: '2026-04-01' },
    ]);
  });

  it('control_ref finds the first control label of the text in the framework', () => {
    const controlIds = new Map([['nist_800_53/AC-2', 7]]);
    const rule = { type: 'control_ref', framework: 'nist_800_53' };
    expect(apply(rule, 'ac-2, ac-3', { record: {}, controlIds })).toBe(7);
    expect(failure(rule, 'AC-9', { record: {}, controlIds })).toBe('control "AC-9" is not in nist_800_53');
    expect(failure(rule, 'AC-2')).toBe('control "AC-2" is not in nist_800_53');
  });

  it('refuses an unknown rule type', () => {
    expect(failure({ type: 'uppercase' }, 'x')).toBe('unknown transformation rule "uppercase"');
  });
});
