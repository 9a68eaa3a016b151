import { describe, expect, it } from 'vitest';
import { wantsColor } from '../../src/cli/output.js';

describe('wantsColor', () => {
  it('colours a terminal only, unless told otherwise', () => {
    expect(wantsColor({}, true, {})).toBe(true);
    expect(wantsColor({}, false, {})).toBe(false);
  });

  it('FORCE_COLOR colours off a terminal; 0 and false do not', () => {
    expect(wantsColor({}, false, { FORCE_COLOR: '1' })).toBe(true);
    expect(wantsColor({}, false, { FORCE_COLOR: '' })).toBe(true);
    expect(wantsColor({}, true, { FORCE_COLOR: '0' })).toBe(false);
    expect(wantsColor({}, true, { FORCE_COLOR: 'false' })).toBe(false);
  });

  it('--no-color, NO_COLOR and --json always win', () => {
    expect(wantsColor({ color: false }, true, { FORCE_COLOR: '1' })).toBe(false);
    expect(wantsColor({}, true, { NO_COLOR: '', FORCE_COLOR: '1' })).toBe(false);
    expect(wantsColor({ json: true }, true, { FORCE_COLOR: '1' })).toBe(false);
  });
});
