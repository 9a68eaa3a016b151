import { redactUrls } from '../db/redact.js';

/**
 * Text for a terminal. Operators write hold reasons, names, `--by`, policy reasons and seed data;
 * servers write messages: any of it may carry escape sequences that retitle, clear or rewrite an
 * auditor's terminal. Every control character (C0 but the line feed, DEL, C1) is shown escaped,
 * so ESC and with it every escape sequence is inert. With `colors`, only the colour codes rasdb
 * itself uses pass (red, green, yellow, dim and their resets): they can tint text but not hide,
 * move or clear it. URL passwords are masked on the way (rasdb never builds one; this is the net
 * for a URL quoted in a message).
 *
 * @example
 * printable('reason \u001b[2J') // => 'reason \\x1b[2J'
 */
export function printable(text: string, colors = false): string {
  return redactUrls(text).replace(colors ? CONTROL_BUT_OUR_COLORS : CONTROL, escapeOne);
}

// C0 except \n, DEL, C1; and the bidirectional marks, embeddings, overrides and isolates (and
// U+2028/U+2029), which reorder or break what a line shows. Escaping ESC also disarms the rest of
// any sequence it starts.
// Control characters are what these patterns are for.
/* eslint-disable no-control-regex */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_BUT_OUR_COLORS =
  /\u001b\[(?:2|22|31|32|33|39)m|[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

const NAMED: Record<string, string> = { '\t': '\\t', '\r': '\\r' };

function escapeOne(match: string): string {
  if (match.length > 1) return match; // one of our colour codes
  const code = match.charCodeAt(0);
  // Above U+00FF: the direction marks and line breaks, as \uXXXX.
  if (code > 0xff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return NAMED[match] ?? `\\x${code.toString(16).padStart(2, '0')}`;
}

/**
 * A value the user gave (a path, a name), shown inside one of rasdb's lines: a line feed in it
 * would end that line and could forge the next ("Wrote x\nrasdb: verified"), so it is escaped.
 *
 * @example
 * inline('db.ts\nrasdb: ok') // => 'db.ts\\nrasdb: ok'
 */
export function inline(text: string): string {
  return text.replace(/\n/g, '\\n');
}
