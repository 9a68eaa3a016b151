import { describe, expect, it } from 'vitest';
import { ExitCode, RasdbError } from '../../src/errors.js';
import { parseKeep, policyNamed, POLICIES, selectPolicies } from '../../src/retention/policies.js';

function usage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof RasdbError && error.exitCode === ExitCode.usage) return error.message;
    throw error;
  }
  throw new Error('expected a usage error');
}

describe('parseKeep', () => {
  it('reads short and long units into PostgreSQL intervals', () => {
    expect(parseKeep('--keep-detail', '90d')).toBe('90 days');
    expect(parseKeep('--keep-detail', '12w')).toBe('12 weeks');
    expect(parseKeep('--keep-detail', '18mo')).toBe('18 months');
    expect(parseKeep('--keep-detail', '1y')).toBe('1 years');
    expect(parseKeep('--keep-detail', '90 days')).toBe('90 days');
    expect(parseKeep('--keep-detail', '1 year')).toBe('1 years');
    expect(parseKeep('--keep-detail', '2 Months')).toBe('2 months');
  });

  it('trims the value and drops leading zeros', () => {
    expect(parseKeep('--keep-detail', '  007d ')).toBe('7 days');
  });

  it('refuses zero, fractions, negatives, minutes and words, naming the flag', () => {
    for (const value of ['0d', '1.5y', '-3d', '10m', '10min', 'forever', '', 'd']) {
      expect(
        usage(() => parseKeep('--keep-summary', value)),
        value,
      ).toBe(
        `--keep-summary must be a whole number of days, weeks, months or years (90d, 12w, 18mo, 1y), got "${value}"`,
      );
    }
  });
});

describe('policyNamed', () => {
  it('takes exactly one known policy, never the first of several or of none', () => {
    expect(policyNamed('api_call_logs')).toBe('api_call_logs');
    for (const name of ['', ',', 'performance_metrics,api_call_logs', ' api_call_logs']) {
      expect(usage(() => policyNamed(name))).toBe(
        `unknown policy "${name}"; the policies are ${POLICIES.map((p) => p.name).join(', ')}`,
      );
    }
  });
});

describe('selectPolicies', () => {
  const all = POLICIES.map((p) => p.name);

  it('selects every policy, in prune order, when none is named', () => {
    expect(selectPolicies(undefined)).toEqual(all);
    expect(selectPolicies([])).toEqual(all);
  });

  it("refuses a --policy that names nothing (',' or an empty variable) rather than taking every policy", () => {
    for (const names of [[' , '], [''], [',', ' ']]) {
      expect(usage(() => selectPolicies(names))).toMatch(/names no policy; the policies are api_call_logs, /);
    }
  });

  it('takes repeated and comma-separated names and returns them in prune order', () => {
    const both = selectPolicies(['security_events_extended,api_call_logs']);
    expect(both).toEqual(['api_call_logs', 'security_events_extended']);
    const repeated = selectPolicies(['integration_operations', ' api_call_logs ']);
    expect(repeated).toEqual(['api_call_logs', 'integration_operations']);
    expect(selectPolicies(['api_call_logs', 'api_call_logs'])).toEqual(['api_call_logs']);
  });

  it('refuses unknown names, listing them and the known ones', () => {
    expect(usage(() => selectPolicies(['api_call_logs,audit_logs', 'bogus']))).toBe(
      `unknown policy audit_logs, bogus; the policies are ${all.join(', ')}`,
    );
  });

  it('keeps rows that reference operations ahead of the operations themselves', () => {
    expect(all.indexOf('api_call_logs')).toBeLessThan(all.indexOf('integration_operations'));
  });
});
