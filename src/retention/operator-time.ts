import { option, usageError, type OptionName } from '../errors.js';

/**
 * A time an operator typed, checked but not yet placed in a time zone: `wall` is the clock
 * reading in rasdb's text spelling, `offset` the UTC offset the operator gave (null: none, so the
 * reading is in the data's own time zone). Converting needs the zone's rules, which live in the
 * database (see `zonedSql`).
 */
export interface OperatorTime {
  readonly wall: string;
  /** `+05:30`, `-05:00` or `+00:00` (for `Z`); null when the operator gave no offset. */
  readonly offset: string | null;
  /** What the operator typed, for messages. */
  readonly given: string;
}

/**
 * The years rasdb accepts. The columns hold far more, but a time outside these is a typo
 * (`0226`, `20266`), never a date a retention policy or a legal hold is about.
 */
export const FIRST_YEAR = 1900;
export const LAST_YEAR = 9999;

/** Real UTC offsets run from -12:00 (west) to +14:00 (east). */
const MAX_WEST_MINUTES = 12 * 60;
const MAX_EAST_MINUTES = 14 * 60;
const DAY_MS = 86_400_000;
/**
 * A time given with an offset is read in the data's zone, which may be up to a day away: it must
 * fall a day inside the accepted years, or `9999-12-31T23:00-12:00` would become a year-10000 time.
 */
const FIRST_INSTANT_MS = Date.UTC(FIRST_YEAR, 0, 1) + DAY_MS;
const LAST_INSTANT_MS = Date.UTC(LAST_YEAR + 1, 0, 1) - DAY_MS;

const SHAPE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?)?(?:\s*(Z|[+-]\d{2}(?::?\d{2})?))?$/i;

/**
 * Parses a date or time an operator typed, strictly: `2026-05-02`, `2026-05-02 13:45`,
 * `2026-05-02T13:45:10.5`, each optionally followed by `Z` or an offset (`-05:00`, `+0530`, `+02`).
 * Impossible dates (2026-02-30), hours past 23, years outside 1900-9999 and offsets beyond
 * -12:00..+14:00 are refused (exit 2) naming `name`. With `dateOnly`, only `YYYY-MM-DD` passes.
 *
 * @example
 * parseOperatorTime('until', '2026-05-02T00:00:00-05:00') // { wall: '2026-05-02 00:00:00', offset: '-05:00', given: ... }
 * parseOperatorTime('from', '2026-02-30') // throws: --from: 2026-02-30 is not a date (February 2026 has 28 days)
 */
export function parseOperatorTime(name: OptionName, given: string, options: { dateOnly?: boolean } = {}): OperatorTime {
  const text = given.trim();
  const m = SHAPE.exec(text);
  const flag = option(name);
  const example = options.dateOnly
    ? 'a date such as 2026-05-02'
    : 'a time such as 2026-05-02, 2026-05-02T13:45:00 or 2026-05-02T13:45:00-05:00';
  if (!m || (options.dateOnly && (m[4] !== undefined || m[8] !== undefined))) {
    throw usageError(`${flag} takes ${example}, got "${given}"`);
  }
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (year < FIRST_YEAR || year > LAST_YEAR)
    throw usageError(`${flag}: the year must be from ${FIRST_YEAR} to ${LAST_YEAR}, got "${given}"`);
  if (month < 1 || month > 12)
    throw usageError(`${flag}: ${m[1]}-${m[2]}-${m[3]} is not a date (there is no month ${m[2]}), got "${given}"`);
  const days = daysIn(year, month);
  if (day < 1 || day > days) {
    throw usageError(`${flag}: ${m[1]}-${m[2]}-${m[3]} is not a date (${MONTHS[month - 1]} ${year} has ${days} days)`);
  }
  if (hour > 23 || minute > 59 || second > 59)
    throw usageError(`${flag}: ${m[4]}:${m[5]}:${m[6] ?? '00'} is not a time of day, got "${given}"`);
  const offset = m[8] === undefined ? null : normalOffset(m[8]);
  if (offset === undefined) throw usageError(`${flag}: the UTC offset must be from -12:00 to +14:00, got "${given}"`);
  if (offset !== null) {
    const instant = Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes(offset) * 60_000;
    if (instant < FIRST_INSTANT_MS || instant >= LAST_INSTANT_MS) {
      throw usageError(
        `${flag}: "${given}" falls outside the years ${FIRST_YEAR} to ${LAST_YEAR} in some time zones; ` +
          `with a UTC offset, give a time from ${FIRST_YEAR}-01-02 to ${LAST_YEAR}-12-30`,
      );
    }
  }
  const fraction = (m[7] ?? '').replace(/0+$/, '').replace(/^\.$/, '');
  const wall = `${m[1]}-${m[2]}-${m[3]} ${pad(hour)}:${pad(minute)}:${pad(second)}${fraction}`;
  return { wall, offset, given: text };
}

/**
 * The SQL (with `$n` placeholders) that turns a parsed time into a reading of the data's zone:
 * `[sql, values]` to splice into a query whose zone parameter is `zoneParam`.
 *
 * @example
 * zonedSql(t, 2, 3) // ['($2::text::timestamptz AT TIME ZONE $3::text)', ['2026-05-02 00:00:00-05:00']]
 */
export function zonedSql(time: OperatorTime, valueParam: number, zoneParam: number): [string, string] {
  return time.offset === null
    ? [`$${valueParam}::text::timestamp`, time.wall]
    : [`($${valueParam}::text::timestamptz AT TIME ZONE $${zoneParam}::text)`, `${time.wall}${time.offset}`];
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `Z` -> `+00:00`, `+0530` -> `+05:30`, `-05` -> `-05:00`; undefined when out of range. */
function normalOffset(text: string): string | undefined {
  if (text.toUpperCase() === 'Z') return '+00:00';
  const digits = text.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  const limit = text[0] === '-' ? MAX_WEST_MINUTES : MAX_EAST_MINUTES;
  if (minutes > 59 || hours * 60 + minutes > limit) return undefined;
  return `${text[0]}${pad(hours)}:${pad(minutes)}`;
}

/** `+05:30` -> 330, `-05:00` -> -300. */
function offsetMinutes(offset: string): number {
  const minutes = Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6));
  return offset[0] === '-' ? -minutes : minutes;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
