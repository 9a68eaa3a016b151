import { describe, expect, it } from 'vitest';
import { RasdbError } from '../../src/errors.js';
import { NEWEST_TESTED_MAJOR, OLDEST_SUPPORTED_MAJOR, checkServerVersion } from '../../src/db/server-version.js';

describe('checkServerVersion', () => {
  it('refuses a major older than 15 with exit 4 and the version as the server prints it', () => {
    for (const [num, text] of [
      [140011, '14.11 (Debian 14.11-1.pgdg120+1)'],
      [130023, '13.23'],
      [90624, '9.6.24'],
    ] as const) {
      let caught: unknown;
      try {
        checkServerVersion({ num, text });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(RasdbError);
      expect(caught).toMatchObject({
        exitCode: 4,
        message: `the server is PostgreSQL ${text.split(' ')[0]}; rasdb needs 15 or newer`,
      });
    }
  });

  it('accepts 15 to 18 silently, a beta or a packager suffix included', () => {
    for (const [num, text] of [
      [150000, '15.0'],
      [150019, '15.19 (Ubuntu 15.19-1)'],
      [170010, '17.10'],
      [180004, '18.4'],
      [180000, '18beta1'],
    ] as const) {
      expect(checkServerVersion({ num, text })).toBeUndefined();
    }
    expect([OLDEST_SUPPORTED_MAJOR, NEWEST_TESTED_MAJOR]).toEqual([15, 18]);
  });

  it('allows a major newer than 18 with a one-line warning naming both versions', () => {
    const warning = checkServerVersion({ num: 190001, text: '19.1' });
    expect(warning).toBe(
      'rasdb: the server is PostgreSQL 19.1, newer than 18, the newest rasdb is tested on; carrying on',
    );
  });
});
