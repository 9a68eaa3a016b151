import { describe, expect, it } from 'vitest';
import { canonicalZone, decideZone, sameZone, zoneChange, type ZoneFacts } from '../../src/retention/time-zone-plan.js';

const facts = (extra: Partial<ZoneFacts> = {}): ZoneFacts => ({
  database: null,
  roles: [],
  server: 'UTC',
  currentRole: 'rasdb',
  declared: null,
  ...extra,
});

describe('canonicalZone', () => {
  it('spells every alias of UTC one way, and other zones as PostgreSQL does', () => {
    for (const name of ['UTC', 'Etc/UTC', 'etc/utc', 'GMT', 'Zulu', 'Universal'])
      expect(canonicalZone(name)).toBe('UTC');
    expect(canonicalZone('america/new_york', 'America/New_York')).toBe('America/New_York');
    expect(canonicalZone('EST5EDT')).toBe('EST5EDT');
  });

  it('spells a bare number of hours as SET reads it (east of UTC), so AT TIME ZONE reads it alike', () => {
    expect(canonicalZone('-03')).toBe('<-03>+03');
    expect(canonicalZone('5')).toBe('<+05>-05');
    expect(canonicalZone('-3.5')).toBe('<-03:30>+03:30');
    expect(canonicalZone('0')).toBe('UTC');
    // With a colon PostgreSQL reads it the POSIX way in both places: left as written.
    expect(canonicalZone('-03:30')).toBe('-03:30');
  });
});

describe('sameZone', () => {
  it('reads zone names as PostgreSQL does: without regard to case, with every alias of UTC one zone', () => {
    expect(sameZone('Etc/UTC', 'UTC')).toBe(true);
    expect(sameZone('america/new_york', 'America/New_York')).toBe(true);
    expect(sameZone('America/New_York', 'America/Chicago')).toBe(false);
  });
});

describe('decideZone', () => {
  it("takes the database's setting over the server's", () => {
    expect(decideZone(facts({ database: 'America/New_York' }))).toEqual({
      timeZone: 'America/New_York',
      source: "the database setting timezone = 'America/New_York'",
      writersTimeZone: 'America/New_York',
    });
    expect(decideZone(facts())).toMatchObject({ timeZone: 'UTC', source: "the server setting timezone = 'UTC'" });
  });

  it('refuses when it cannot read the server setting and the database has none', () => {
    const decided = decideZone(facts({ server: undefined, currentRole: 'app' }));
    expect(decided).toHaveProperty('refusal');
    expect((decided as { refusal: string }).refusal).toMatch(
      /role "app" may not read the server's .*rasdb retention policy time-zone <zone>/,
    );
  });

  it('refuses when roles write in other zones than the database', () => {
    const decided = decideZone(facts({ database: 'UTC', roles: [{ role: 'ingest', zone: 'Europe/Berlin' }] }));
    expect((decided as { refusal: string }).refusal).toMatch(
      /role "ingest" sets timezone = 'Europe\/Berlin', while the database setting timezone = 'UTC'/,
    );
    expect(decideZone(facts({ database: 'UTC', roles: [{ role: 'ingest', zone: 'UTC' }] }))).toMatchObject({
      timeZone: 'UTC',
    });
  });

  it('takes a declaration over every setting, and still notes what the settings say', () => {
    const declared = { timeZone: 'America/Chicago', declaredAt: '2026-11-01T00:00:00.000Z', declaredBy: 'dba' };
    expect(decideZone(facts({ server: undefined, declared }))).toMatchObject({
      timeZone: 'America/Chicago',
      writersTimeZone: null,
    });
    expect(decideZone(facts({ database: 'America/New_York', declared }))).toMatchObject({
      timeZone: 'America/Chicago',
      source: 'the zone declared 2026-11-01T00:00:00.000Z by dba',
      writersTimeZone: 'America/New_York',
    });
  });
});

describe('zoneChange', () => {
  const ny = {
    timeZone: 'America/New_York',
    source: "the database setting timezone = 'America/New_York'",
    writersTimeZone: 'America/New_York',
  };

  it('lets a run go on in the zone the last run recorded, or when none recorded one', () => {
    expect(zoneChange(ny, null)).toBeNull();
    expect(zoneChange(ny, { runId: 4, timeZone: 'America/New_York', writersTimeZone: 'America/New_York' })).toBeNull();
    expect(zoneChange(ny, { runId: 4, timeZone: 'america/new_york', writersTimeZone: 'AMERICA/NEW_YORK' })).toBeNull();
    expect(
      zoneChange({ ...ny, writersTimeZone: null }, { runId: 4, timeZone: 'America/New_York', writersTimeZone: 'UTC' }),
    ).toBeNull();
  });

  it('refuses a zone other than the last run computed in, naming both and the setting', () => {
    expect(zoneChange(ny, { runId: 4, timeZone: 'UTC', writersTimeZone: 'UTC' })).toMatch(
      /^the data's time zone is America\/New_York \(the database setting timezone = 'America\/New_York'\), but retention run 4 computed in UTC; .*policy time-zone/,
    );
  });

  it('refuses when the settings changed under a declaration', () => {
    const declared = { timeZone: 'UTC', source: 'the zone declared ...', writersTimeZone: 'Europe/Berlin' };
    expect(zoneChange(declared, { runId: 9, timeZone: 'UTC', writersTimeZone: 'UTC' })).toMatch(
      /give writers the time zone Europe\/Berlin now, and UTC at retention run 9/,
    );
  });
});
