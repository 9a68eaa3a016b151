import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { adminUrl, createTestDatabase, type TestDatabase } from './support/database.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOC = readFileSync(new URL('../docs/ci.md', import.meta.url), 'utf8');

/** The `npx rasdb ...` commands of each yaml block of docs/ci.md, in order, as argument lists. */
function workflowCommands(): string[][][] {
  const blocks = [...DOC.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.map((block) =>
    [...block.matchAll(/^\s*(?:run:|-)\s*npx rasdb (.+)$/gm)].map((m) => m[1].trim().split(/\s+/)),
  );
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('ci_gate');
});
afterAll(async () => {
  await db.drop();
});

// As in the workflows: the job's database in DATABASE_URL, the same server for verify's scratch.
const run = (args: string[]) =>
  runCli(args, { env: { DATABASE_URL: db.url, RASDB_SCRATCH_URL: adminUrl() }, cwd: ROOT });

describe('the CI gate of docs/ci.md', () => {
  it('GitHub Actions and GitLab CI run the same rasdb commands: migrate, verify, codegen --check', () => {
    const [github, gitlab, ...rest] = workflowCommands();
    expect(rest).toEqual([]);
    expect(github).toEqual([['migrate'], ['verify'], ['codegen', '--check']]);
    expect(gitlab).toEqual(github);
  });

  it('passes, command by command in the workflow order, on a fresh database', async () => {
    for (const args of workflowCommands()[0]) {
      const result = await run(args);
      expect(result.code, `rasdb ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
    }
  });

  it('stops at verify (exit 4) once the schema drifts', async () => {
    await db.query('ALTER TABLE alerts ALTER COLUMN severity DROP NOT NULL');
    const result = await run(['verify']);
    expect(result.code).toBe(4);
    expect(result.stdout).toMatch(/changed\s+column alerts\.severity\s+NOT NULL dropped/);
  });
});
