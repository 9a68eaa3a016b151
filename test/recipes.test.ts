import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { BIN, runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { codeBlocks, type CodeBlock } from './support/markdown-blocks.js';

/**
 * Every recipe the documentation gives, checked as a reader would use it: shell lines parse and,
 * where they only call rasdb, run against a test database; crontab lines have five valid fields
 * and run; systemd units pass systemd-analyze verify; YAML parses; the Dockerfile the Kubernetes
 * recipe needs exists and names what it builds.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOCS = ['README.md', 'docs/retention.md', 'docs/ci.md'].map((f) => join(ROOT, f));
const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
const blocks = DOCS.flatMap((file) => codeBlocks(file));
const where = (b: CodeBlock) => `${b.file.slice(ROOT.length)}:${b.line}`;

let db: TestDatabase;
let work: string;
let envFile: string;
let shimDir: string;

beforeAll(async () => {
  db = await createTestDatabase('recipes');
  expect((await runCli(['migrate'], { env: { DATABASE_URL: db.url } })).code).toBe(0);
  work = mkdtempSync(join(tmpdir(), 'rasdb-recipes-'));
  // `rasdb` on the PATH, as an installed package puts it there.
  shimDir = join(work, 'bin');
  execFileSync('mkdir', ['-p', shimDir]);
  writeFileSync(join(shimDir, 'rasdb'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(shimDir, 'rasdb'), 0o755);
  envFile = join(work, 'env');
  writeFileSync(envFile, `# the recipe's env file\nDATABASE_URL=${db.url}\n`, { mode: 0o600 });
});
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await db.drop();
});

const shellEnv = () => ({
  ...process.env,
  PATH: `${shimDir}:${process.env.PATH}`,
  DATABASE_URL: db.url,
  NO_COLOR: '1',
});
const onlyRasdb = (text: string) =>
  text
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l && !l.startsWith('#'))
    .every((l) => /^rasdb /.test(l));

describe('the documented recipes', () => {
  it('found the recipes of every kind', () => {
    const kinds = new Set(blocks.map((b) => b.lang));
    for (const kind of ['sh', 'cron', 'ini', 'yaml']) expect(kinds).toContain(kind);
  });

  it.each(blocks.filter((b) => b.lang === 'sh').map((b) => [where(b), b] as const))(
    '%s: the shell parses',
    (_w, block) => {
      const result = spawnSync('sh', ['-n'], { input: block.text, encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
    },
  );

  it.each(
    blocks
      .filter((b) => b.lang === 'sh' && b.file.endsWith('retention.md') && onlyRasdb(b.text))
      .map((b) => [where(b), b] as const),
  )(
    '%s: runs as written against a database',
    (_w, block) => {
      const result = spawnSync('sh', ['-e'], { input: block.text, encoding: 'utf8', env: shellEnv() });
      expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    },
    60_000,
  );

  it.each(blocks.filter((b) => b.lang === 'cron').map((b) => [where(b), b] as const))(
    '%s: crontab lines are valid and run',
    async (_w, block) => {
      const lines = block.text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
      expect(lines.length).toBeGreaterThan(0);
      const ranges = [
        [0, 59],
        [0, 23],
        [1, 31],
        [1, 12],
        [0, 7],
      ];
      for (const line of lines) {
        const fields = line.trim().split(/\s+/);
        const command = line.trim().split(/\s+/).slice(5).join(' ');
        for (const [i, [min, max]] of ranges.entries()) {
          for (const part of fields[i].split(',')) {
            if (part === '*' || /^\*\/\d+$/.test(part)) continue;
            const [a, b] = part.split('-').map(Number);
            expect(
              Number.isInteger(a) && a >= min && a <= max && (b === undefined || (b >= a && b <= max)),
              `${fields[i]} in ${line}`,
            ).toBe(true);
          }
        }
        const [before] = await db.query(`SELECT count(*)::int AS n FROM rasdb.retention_runs`);
        // cron's environment has no DATABASE_URL: the line must take it from the env file.
        const env = Object.fromEntries(Object.entries(shellEnv()).filter(([name]) => name !== 'DATABASE_URL'));
        const run = spawnSync('sh', ['-c', command.replaceAll('/etc/rasdb/env', envFile)], {
          encoding: 'utf8',
          env,
          cwd: work,
        });
        expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
        const [after] = await db.query(`SELECT count(*)::int AS n FROM rasdb.retention_runs`);
        expect(after.n, 'the line ran against the database its env file names').toBeGreaterThan(before.n);
      }
    },
    60_000,
  );

  it('the systemd units pass systemd-analyze verify, reading the same env file', () => {
    const units = blocks.filter((b) => b.lang === 'ini');
    expect(units.length).toBeGreaterThanOrEqual(2);
    const dir = join(work, 'units');
    execFileSync('mkdir', ['-p', dir]);
    const paths = units.map((unit) => {
      const name = /^# \/etc\/systemd\/system\/(\S+)$/m.exec(unit.text)?.[1];
      expect(name, `${where(unit)} names its unit file in its first line`).toBeDefined();
      const text = unit.text.replaceAll('/usr/bin/rasdb', join(shimDir, 'rasdb')).replaceAll('/etc/rasdb/env', envFile);
      writeFileSync(join(dir, name as string), text);
      return join(dir, name as string);
    });
    const verify = spawnSync('systemd-analyze', ['verify', ...paths], { encoding: 'utf8' });
    expect(verify.status, verify.stderr).toBe(0);
    expect(verify.stderr.split('\n').filter((l) => l.includes(dir))).toEqual([]);
  });

  it.each(blocks.filter((b) => b.lang === 'yaml').map((b) => [where(b), b] as const))(
    '%s: the YAML parses',
    (_w, block) => {
      const documents = parseAllDocuments(block.text);
      for (const document of [documents].flat()) expect(document.errors).toEqual([]);
    },
  );

  it('the Kubernetes CronJob runs the image the Dockerfile builds', () => {
    const cronJob = blocks
      .filter((b) => b.lang === 'yaml')
      .flatMap((b) => [parseAllDocuments(b.text)].flat().map((d) => d.toJS() as { kind?: string }))
      .find((d) => d?.kind === 'CronJob') as {
      spec: { jobTemplate: { spec: { template: { spec: { containers: { image: string }[] } } } } };
    };
    expect(cronJob).toBeDefined();
    const image = cronJob.spec.jobTemplate.spec.template.spec.containers[0].image;
    expect(image).toBe(`rasdb:${VERSION}`);
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const instructions = dockerfile.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    for (const line of instructions) expect(line).toMatch(/^(FROM|ARG|COPY|RUN|USER|WORKDIR|ENTRYPOINT|CMD|ENV) /);
    expect(dockerfile).toMatch(new RegExp(`^ARG TARBALL=rasdb-${VERSION.replaceAll('.', '\\.')}\\.tgz$`, 'm'));
    expect(dockerfile).toMatch(/^ENTRYPOINT \["rasdb"\]$/m);
    expect(
      blocks.some((b) => b.text.includes(`docker build --build-arg TARBALL=rasdb-${VERSION}.tgz -t ${image} .`)),
    ).toBe(true);
    // Where an engine answers, the image is built for real.
    if (spawnSync('docker', ['info'], { encoding: 'utf8' }).status === 0) {
      execFileSync('npm', ['pack', '--pack-destination', ROOT], { cwd: ROOT, stdio: 'ignore' });
      const build = spawnSync('docker', ['build', '--build-arg', `TARBALL=rasdb-${VERSION}.tgz`, '-t', image, '.'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      expect(build.status, build.stderr).toBe(0);
    }
  }, 300_000);
});
