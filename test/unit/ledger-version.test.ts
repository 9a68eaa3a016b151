import { describe, expect, it } from 'vitest';
import { LEDGER_VERSION, versionFrom } from '../../src/ledger/upgrade.js';

describe("the ledger's version as its readers see it", () => {
  it('is the recorded version, 0 without a row, and before the first step still to be made', () => {
    expect(versionFrom([])).toBe(0);
    expect(versionFrom([{ version: 8 }])).toBe(8);
    expect(versionFrom([{ version: '9', deferred: null }])).toBe(9);
    expect(versionFrom([{ version: 9, deferred: [] }])).toBe(9);
    expect(versionFrom([{ version: 9, deferred: [7, 2, 3] }])).toBe(1);
    // A newer rasdb's ledger reads as newer, whatever it left to be made.
    expect(versionFrom([{ version: LEDGER_VERSION + 100, deferred: [2, 3] }])).toBe(LEDGER_VERSION + 100);
  });
});
