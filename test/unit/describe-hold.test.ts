import { describe, expect, it } from 'vitest';
import { describeHold } from '../../src/cli/commands/retention-words.js';
import type { Hold } from '../../src/ledger/retention-holds.js';

const base: Hold = {
  id: 7,
  table: 'api_call_logs',
  from: null,
  until: null,
  ids: null,
  reason: 'case 2025-17',
  placedBy: 'legal',
  placedAt: '2026-01-01T00:00:00.000Z',
  releasedAt: null,
  releasedBy: null,
  releaseReason: null,
};

describe('describeHold: one readable line whatever the hold holds', () => {
  it('prints a short hold in full', () => {
    const line = describeHold({ ...base, ids: [1, 2, 3] });
    expect(line).toContain('ids 1,2,3: "case 2025-17"');
  });

  it('names the first ids of a hold on 100,000 rows and counts the rest', () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => i + 1);
    const line = describeHold({ ...base, ids });
    expect(line).toContain('ids 1,2,3,4,5,6,7,8,9,10 and 99,990 more: "case 2025-17"');
    expect(line.length).toBeLessThan(300);
  });

  it('cuts a reason (or a release reason) of a megabyte, saying how much is left out', () => {
    const reason = 'x'.repeat(1_000_000);
    const line = describeHold({
      ...base,
      reason,
      releasedAt: '2026-02-01T00:00:00.000Z',
      releasedBy: 'y'.repeat(5000),
      releaseReason: reason,
    });
    expect(line.length).toBeLessThan(1500);
    expect(line).toContain(`${'x'.repeat(200)}... (999,800 more characters; --json has it whole)"`);
    expect(line).toContain(`${'y'.repeat(200)}... (4,800 more characters; --json has it whole)`);
  });

  it('never cuts an escaped line break in two', () => {
    const line = describeHold({ ...base, reason: `${'a'.repeat(199)}\n${'b'.repeat(300)}` });
    expect(line).toContain(`${'a'.repeat(199)}\\n... (`);
  });
});
