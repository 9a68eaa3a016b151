import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

/**
 * Long work shows progress on a terminal and leaves nothing of it behind; pipes, cron and
 * terminals that cannot move the cursor get no escape codes at all.
 */
const ESC = String.fromCharCode(27);
let db: TestDatabase;
let work: string;
beforeAll(async () => {
  db = await createTestDatabase('progress');
  work = mkdtempSync(join(tmpdir(), 'rasdb-progress-'));
});
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await db.drop();
});

async function fresh(): Promise<void> {
  await db.query('DROP SCHEMA public CASCADE; DROP SCHEMA IF EXISTS rasdb CASCADE; CREATE SCHEMA public');
  expect((await runCli(['migrate', '-q'], { env: { DATABASE_URL: db.url } })).code).toBe(0);
}

describe('progress of seed --demo', () => {
  it('on a terminal: drawn while it runs, nothing of it left on the screen at the end', async () => {
    await fresh();
    const session = `rasdb-progress-${process.pid}`;
    const raw = join(work, 'raw');
    const command = `DATABASE_URL='${db.url}' ${process.execPath} ${BIN} seed --demo --scale 2; echo EXIT=$? > ${work}/done`;
    // script gives the command a terminal of its own and keeps every byte it wrote.
    execFileSync('tmux', [
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '220',
      '-y',
      '80',
      `script -qfec "${command.replaceAll('"', '\\"')}" ${raw}; sleep 60`,
    ]);
    try {
      for (let i = 0; i < 600 && spawnSync('test', ['-f', join(work, 'done')]).status !== 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      const screen = execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
      expect(readFileSync(join(work, 'done'), 'utf8')).toContain('EXIT=0');
      expect(screen).toMatch(/api_call_logs\s+\d{1,3}(,\d{3})* rows/);
      expect(screen).not.toMatch(/rows generated/);
      expect(readFileSync(raw, 'utf8')).toMatch(/api_call_logs: [\d,]+ rows generated/);
    } finally {
      spawnSync('tmux', ['kill-session', '-t', session]);
    }
  }, 120_000);

  it('with TERM=dumb, or through a pipe, no escape code is written', async () => {
    await fresh();
    const raw = join(work, 'dumb');
    const run = spawnSync('script', ['-qfec', `${process.execPath} ${BIN} seed --demo --scale 1`, raw], {
      env: { ...process.env, DATABASE_URL: db.url, TERM: 'dumb', NO_COLOR: '1' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(readFileSync(raw, 'utf8')).not.toContain(ESC);
    const summarized = spawnSync('script', ['-qfec', `${process.execPath} ${BIN} retention summarize`, raw], {
      env: { ...process.env, DATABASE_URL: db.url, TERM: 'dumb', NO_COLOR: '1' },
      encoding: 'utf8',
    });
    expect(summarized.status).toBe(0);
    expect(readFileSync(raw, 'utf8')).toMatch(/Summarized [\d,]+ rows/);
    expect(readFileSync(raw, 'utf8')).not.toContain(ESC);
    await fresh();
    const piped = await runCli(['seed', '--demo', '--scale', '1'], { env: { DATABASE_URL: db.url } });
    expect(piped.code).toBe(0);
    expect(piped.stdout + piped.stderr).not.toContain(ESC);
    expect(piped.stdout + piped.stderr).not.toContain('rows generated');
  }, 120_000);
});
