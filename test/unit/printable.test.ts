import { describe, expect, it } from 'vitest';
import { printable } from '../../src/cli/printable.js';

// Text operators or servers wrote must not drive the terminal that shows it.
describe('printable', () => {
  it('escapes ESC, BEL and every other C0 control but the line feed', () => {
    expect(printable('\u001b]0;owned\u0007\u001b[2J')).toBe('\\x1b]0;owned\\x07\\x1b[2J');
    expect(printable('a\rb\tc\u0000d\u0008e')).toBe('a\\rb\\tc\\x00d\\x08e');
    expect(printable('two\nlines')).toBe('two\nlines');
  });

  it('escapes DEL and the C1 controls (CSI as one byte, too)', () => {
    expect(printable('x\u007fy\u009b2Jz\u0085')).toBe('x\\x7fy\\x9b2Jz\\x85');
  });

  it('escapes the bidirectional overrides and isolates that reorder what a line shows, and the Unicode line breaks', () => {
    // "reason \u202Egnp.exe" shows as "reason exe.png" on a terminal that honours the override.
    expect(printable('reason \u202egnp.exe')).toBe('reason \\u202egnp.exe');
    expect(printable('a\u2066b\u2069c\u200fd\u2028e\u2029f')).toBe('a\\u2066b\\u2069c\\u200fd\\u2028e\\u2029f');
  });

  it('leaves ordinary text, Unicode and punctuation as it is', () => {
    const text = 'hold #3 on api_call_logs — “case 17” ✓ 127.0.0.1:5432 naïve';
    expect(printable(text)).toBe(text);
  });

  it('with colours, lets only the colour codes rasdb uses through', () => {
    expect(printable('\u001b[31m✗\u001b[39m \u001b[2mdim\u001b[22m', true)).toBe(
      '\u001b[31m✗\u001b[39m \u001b[2mdim\u001b[22m',
    );
    expect(printable('\u001b[8mhidden\u001b[2J\u001b[1A', true)).toBe('\\x1b[8mhidden\\x1b[2J\\x1b[1A');
    expect(printable('\u001b[31m', false)).toBe('\\x1b[31m');
  });

  it('masks the password of a URL quoted in a message', () => {
    expect(printable('see postgres://u:pw@h/d')).toBe('see postgres://u:***@h/d');
  });
});
