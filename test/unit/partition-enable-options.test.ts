import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ExitCode, RasdbError } from '../../src/errors.js';
import { enablePartitioning } from '../../src/partition/enable.js';

describe('enablePartitioning options', () => {
  it('refuses index workers it cannot use before it touches the database', async () => {
    // Never connected: any query would fail with another error than the usage one.
    const client = new pg.Client();
    for (const indexWorkers of [-1, 2.5, 1025, Number.NaN]) {
      const refused = enablePartitioning(client, 'api_call_logs', { interval: 'month', timeZone: 'UTC', indexWorkers });
      await expect(refused).rejects.toThrow(RasdbError);
      await expect(refused).rejects.toMatchObject({ exitCode: ExitCode.usage });
      await expect(refused).rejects.toThrow(/must be a whole number from 0 to 1024/);
    }
  });
});
