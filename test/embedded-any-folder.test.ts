import { existsSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embeddedFolder } from '../src/db/embedded.js';
import { runCli } from './support/cli.js';

describe('the README first command in a folder the postgres user cannot enter', () => {
  it('works as root in a private folder such as mktemp -d, and says where the data lives', async () => {
    const folder = realpathSync(mkdtempSync(join(tmpdir(), 'rasdb-private-')));
    expect(statSync(folder).mode & 0o077).toBe(0);
    const data = embeddedFolder({}, folder);
    try {
      const migrated = await runCli(['migrate', '-q'], { cwd: folder, timeoutMs: 180_000 });
      expect(migrated.code, migrated.stderr).toBe(0);
      expect(migrated.stderr).toContain(`Using the embedded PostgreSQL in ${data}`);
      const status = await runCli(['status', '--json'], { cwd: folder, timeoutMs: 120_000 });
      expect(JSON.parse(status.stdout)).toMatchObject({ currentPhase: 4, pending: 0 });
      if (process.getuid?.() === 0) {
        // The server runs as postgres, who cannot pass through the folder: the data lives apart.
        expect(data).toMatch(/^\/var\/tmp\/rasdb-[0-9a-f]{16}$/);
        expect(existsSync(join(folder, '.rasdb'))).toBe(false);
      } else {
        expect(data).toBe(join(folder, '.rasdb'));
      }
      expect(embeddedFolder({ RASDB_DATA_DIR: '/srv/chosen' }, folder)).toBe('/srv/chosen');
    } finally {
      rmSync(folder, { recursive: true, force: true });
      if (data.startsWith('/var/tmp/rasdb-')) rmSync(data, { recursive: true, force: true });
    }
  }, 240_000);
});
