/**
 * Which time zone the rows of the detail tables are written in, decided from plain facts: the
 * zone settings the server gives a writer's session, an operator's declaration, and what the
 * last run recorded. The columns are TIMESTAMP without time zone, filled by `DEFAULT now()` in
 * the writer's session zone, so every horizon and bucket must be computed in that zone.
 */

/** The settings a writer's session would start with, as rasdb can read them. */
export interface ZoneFacts {
  /** `ALTER DATABASE <this> SET timezone`, canonical; null when there is none. */
  readonly database: string | null;
  /** `ALTER ROLE r [IN DATABASE <this>] SET timezone`, canonical, one entry per setting. */
  readonly roles: readonly { readonly role: string; readonly zone: string }[];
  /** The server's own setting (postgresql.conf, ALTER SYSTEM), canonical; undefined when unreadable. */
  readonly server: string | undefined;
  /** The role rasdb runs as, for the message when the server's setting is unreadable. */
  readonly currentRole: string;
  readonly declared: { readonly timeZone: string; readonly declaredAt: string; readonly declaredBy: string } | null;
}

/** The zone a run computes in, where that came from, and what the server's settings said. */
export interface DataZone {
  readonly timeZone: string;
  /** Names the setting or the declaration, for messages and the status. */
  readonly source: string;
  /** The zone the server's settings give writers; null when they do not tell one zone. */
  readonly writersTimeZone: string | null;
}

const UTC_NAMES = new Set([
  'utc',
  'etc/utc',
  'universal',
  'etc/universal',
  'zulu',
  'etc/zulu',
  'gmt',
  'etc/gmt',
  'gmt0',
  'etc/gmt0',
  'gmt+0',
  'gmt-0',
  'etc/gmt+0',
  'etc/gmt-0',
  'greenwich',
  'etc/greenwich',
  'uct',
  'etc/uct',
]);

/**
 * One spelling per zone, so that a setting spelled `Etc/UTC` and a run that recorded `UTC` agree.
 * `spelled` is PostgreSQL's own spelling of the name when it lists it (pg_timezone_names).
 *
 * @example
 * canonicalZone('Etc/UTC') // 'UTC'
 * canonicalZone('america/new_york', 'America/New_York') // 'America/New_York'
 */
export function canonicalZone(name: string, spelled?: string | null): string {
  const trimmed = name.trim().replace(/^'(.*)'$/, '$1');
  if (UTC_NAMES.has(trimmed.toLowerCase())) return 'UTC';
  return spelled ?? isoHours(trimmed) ?? trimmed;
}

/**
 * `SET timezone = '-03'` reads a bare number as hours east of UTC (ISO 8601), but `AT TIME ZONE
 * '-03'` reads the same text the POSIX way, west of UTC: six hours apart. A setting that is a bare
 * number is rewritten as PostgreSQL itself shows it (`<-03>+03`), which both read alike.
 */
function isoHours(text: string): string | undefined {
  if (!/^[+-]?\d+(\.\d+)?$/.test(text)) return undefined;
  const hours = Number(text);
  const whole = Math.trunc(Math.abs(hours));
  const minutes = Math.round((Math.abs(hours) - whole) * 60);
  const span = `${String(whole).padStart(2, '0')}${minutes ? `:${String(minutes).padStart(2, '0')}` : ''}`;
  if (hours === 0) return 'UTC';
  return hours < 0 ? `<-${span}>+${span}` : `<+${span}>-${span}`;
}

/**
 * Whether two zone names name the same zone: PostgreSQL reads zone names case-insensitively, and
 * UTC has many names.
 *
 * @example
 * sameZone('Etc/UTC', 'UTC') // true
 * sameZone('america/new_york', 'America/New_York') // true
 */
export function sameZone(a: string, b: string): boolean {
  return canonicalZone(a).toLowerCase() === canonicalZone(b).toLowerCase();
}

/**
 * Decides the zone of the data: a declaration wins; otherwise the zone every writer's session
 * would start with, when the settings name exactly one. Returns `{ refusal }` when rasdb cannot
 * tell.
 *
 * @example
 * decideZone({ database: 'America/New_York', roles: [], server: 'UTC', currentRole: 'rasdb', declared: null })
 * // { timeZone: 'America/New_York', source: "the database setting timezone = 'America/New_York'", writersTimeZone: 'America/New_York' }
 */
export function decideZone(facts: ZoneFacts): DataZone | { refusal: string } {
  const writers = writersZone(facts);
  if (facts.declared) {
    const { timeZone, declaredAt, declaredBy } = facts.declared;
    return {
      timeZone,
      source: `the zone declared ${declaredAt} by ${declaredBy}`,
      writersTimeZone: 'zone' in writers ? writers.zone : null,
    };
  }
  if ('zone' in writers) return { timeZone: writers.zone, source: writers.source, writersTimeZone: writers.zone };
  return {
    refusal: `cannot tell which time zone this database's rows are written in: ${writers.why}; declare it with rasdb retention policy time-zone <zone> --reason "..." (for example America/New_York or UTC)`,
  };
}

function writersZone(facts: ZoneFacts): { zone: string; source: string } | { why: string } {
  const base =
    facts.database !== null
      ? { zone: facts.database, source: `the database setting timezone = '${facts.database}'` }
      : facts.server !== undefined
        ? { zone: facts.server, source: `the server setting timezone = '${facts.server}'` }
        : undefined;
  if (!base) {
    return {
      why: `the database has no timezone setting of its own (ALTER DATABASE ... SET timezone), and role "${facts.currentRole}" may not read the server's (the view pg_file_settings, a superuser's unless granted)`,
    };
  }
  const others = facts.roles.filter((r) => !sameZone(r.zone, base.zone));
  if (others.length) {
    const listed = others.map((r) => `role "${r.role}" sets timezone = '${r.zone}'`).join(', ');
    return { why: `${listed}, while ${base.source}: writers may use either` };
  }
  return base;
}

/**
 * Refuses a zone that differs from the one the last run recorded: rows written before and after
 * a change are in different zones, and a horizon computed in the new one is off for the old rows.
 * Null when nothing changed (or no run recorded a zone yet).
 *
 * @example
 * zoneChange({ timeZone: 'Europe/Berlin', source: '...', writersTimeZone: 'Europe/Berlin' }, { runId: 7, timeZone: 'UTC', writersTimeZone: 'UTC' })
 * // 'the data\'s time zone is Europe/Berlin (...), but retention run 7 computed in UTC; ...'
 */
export function zoneChange(
  current: DataZone,
  last: { runId: number; timeZone: string; writersTimeZone: string | null } | null,
): string | null {
  if (!last) return null;
  const next = `check the rows written since, then declare the zone they are written in: rasdb retention policy time-zone <zone> --reason "..."`;
  if (!sameZone(last.timeZone, current.timeZone)) {
    return `the data's time zone is ${current.timeZone} (${current.source}), but retention run ${last.runId} computed in ${last.timeZone}; ${next}`;
  }
  if (
    last.writersTimeZone !== null &&
    current.writersTimeZone !== null &&
    !sameZone(last.writersTimeZone, current.writersTimeZone)
  ) {
    return `the server's settings give writers the time zone ${current.writersTimeZone} now, and ${last.writersTimeZone} at retention run ${last.runId}; ${next}`;
  }
  return null;
}
