import type { Reading } from './bounds.js';

/** `"name"`, with any double quote doubled: identifiers come from the catalog and the fixed table list. */
export const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** A text as an SQL literal: quotes doubled, and E'' with backslashes doubled when it has one (whatever standard_conforming_strings is). */
export const literal = (text: string): string =>
  text.includes('\\') ? `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'` : `'${text.replace(/'/g, "''")}'`;

/** A reading as a TIMESTAMP literal; readings are checked `YYYY-MM-DD HH:MM:SS` text. */
export function stamp(reading: Reading): string {
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(reading)) throw new Error(`not a reading: ${reading}`);
  return `'${reading}'::timestamp`;
}
