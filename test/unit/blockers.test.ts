import { describe, expect, it } from 'vitest';
import { describeBlockers } from '../../src/db/blockers.js';

describe('describeBlockers', () => {
  it('says so when no blocking session was seen', () => {
    expect(describeBlockers([])).toBe('no blocking session was seen');
  });

  it('names each blocker by pid, application, state and since when', () => {
    const blocker = {
      pid: 4242,
      applicationName: 'psql',
      state: 'idle in transaction',
      queryStart: '2026-11-29T10:00:00Z',
    };
    expect(describeBlockers([blocker])).toBe('pid 4242 ("psql", idle in transaction since 2026-11-29T10:00:00Z)');
  });

  it('fills in what the server did not say, and joins several with commas', () => {
    const text = describeBlockers([
      { pid: 1, applicationName: '', state: null, queryStart: null },
      { pid: 2, applicationName: 'app', state: 'active', queryStart: null },
    ]);
    expect(text).toBe('pid 1 ("unnamed", unknown state), pid 2 ("app", active)');
  });
});
