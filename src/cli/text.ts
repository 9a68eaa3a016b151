/**
 * How every human line of rasdb writes numbers, counts, durations and times, whatever the user's
 * locale: `12,345` (commas, en-US grouping), `1 batch` / `12 batches`, `183 ms` / `2.4 s` /
 * `3 min 12 s`, and one time format, `2026-03-01 14:05:09 UTC` for an instant and
 * `2026-03-01 14:05:09` for a reading of the data's zone (the line around it names the zone).
 * JSON output keeps raw numbers and ISO 8601 times; none of this reaches it.
 */

// Only for numbers toFixed cannot spell: the first Intl.NumberFormat loads ICU's locale data,
// about 10 ms of every command's start.
let intl: Intl.NumberFormat | undefined;

/**
 * A number with thousands separators (at most one decimal).
 *
 * @example
 * num(1234567) // '1,234,567'
 */
export function num(value: number): string {
  const size = Math.abs(value);
  if (!(size < 1e21)) {
    intl ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
    return intl.format(value);
  }
  // Rounded half away from zero on the shortest decimal that reads back as the value (what
  // String gives, and what Intl.NumberFormat rounds too: 0.15 is 0.2, not the double's 0.1499...).
  const text = String(size);
  const [head, fraction = ''] = text.includes('e') ? ['0', ''] : text.split('.');
  let whole = BigInt(head);
  let tenth = Number(fraction[0] ?? '0');
  if ((fraction[1] ?? '0') >= '5') tenth += 1;
  if (tenth === 10) [whole, tenth] = [whole + 1n, 0];
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  return `${sign}${String(whole).replace(/\B(?=(\d{3})+$)/g, ',')}${tenth ? `.${tenth}` : ''}`;
}

/**
 * The plural of an English noun of rasdb's words: batch → batches, policy → policies, row → rows.
 *
 * @example
 * pluralOf('batch') // 'batches'
 */
export function pluralOf(noun: string): string {
  // A phrase pluralizes its last word ("active hold" → "active holds"); give others their plural.
  const at = noun.lastIndexOf(' ') + 1;
  const head = noun.slice(0, at);
  const word = noun.slice(at);
  if (/(s|x|z|ch|sh)$/.test(word)) return `${head}${word}es`;
  if (/[^aeiou]y$/.test(word)) return `${head}${word.slice(0, -1)}ies`;
  return `${head}${word}s`;
}

/**
 * A count and its noun, in the right number.
 *
 * @example
 * count(1, 'batch') // '1 batch'
 * count(12345, 'batch') // '12,345 batches'
 * count(2, 'row waits', 'rows wait') // '2 rows wait'
 */
export function count(value: number, one: string, many: string = pluralOf(one)): string {
  return `${num(value)} ${value === 1 ? one : many}`;
}

/**
 * A duration for a person: `183 ms`, `2.4 s`, `3 min 12 s`, `2 h 5 min`.
 *
 * @example
 * duration(192_000) // '3 min 12 s'
 */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return joined(Math.floor(seconds / 60), 'min', seconds % 60, 's');
  const minutes = Math.round(ms / 60_000);
  return joined(Math.floor(minutes / 60), 'h', minutes % 60, 'min');
}

const joined = (big: number, bigUnit: string, small: number, smallUnit: string): string =>
  small ? `${num(big)} ${bigUnit} ${small} ${smallUnit}` : `${num(big)} ${bigUnit}`;

/**
 * A rate per second: `35,706 rows/s`.
 *
 * @example
 * rate(1000, 500, 'rows') // '2,000 rows/s'
 */
export function rate(done: number, ms: number, unit: string): string {
  return `${num(ms > 0 ? Math.round((done * 1000) / ms) : 0)} ${unit}/s`;
}

const TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * A time in the one text format: an instant (ISO 8601 with `Z` or an offset) in UTC as
 * `2026-03-01 14:05:09 UTC`; a reading without a zone (retention's times, in the data's zone) as
 * `2026-03-01 14:05:09`. Fractions of a second are left out. Anything else is returned as it is.
 *
 * @example
 * timeText('2026-11-29T17:23:58.110Z') // '2026-11-29 17:23:58 UTC'
 * timeText('2026-09-02 12:34:14.166047') // '2026-09-02 12:34:14'
 */
export function timeText(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  const match = TIME.exec(value.trim());
  if (!match) return value;
  const [, day, clock, , zone] = match;
  const hms = clock.length === 5 ? `${clock}:00` : clock;
  if (!zone) return `${day} ${hms}`;
  const instant = new Date(`${day}T${hms}${zone === 'Z' ? 'Z' : offset(zone)}`);
  if (Number.isNaN(instant.getTime())) return value;
  return `${instant.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `+05` → `+05:00`, `-0530` → `-05:30`, as Date parses them. */
function offset(zone: string): string {
  const digits = zone.slice(1).replace(':', '');
  return `${zone[0]}${digits.slice(0, 2)}:${digits.slice(2) || '00'}`;
}
