#!/usr/bin/env node
// What a user gets from the package: `npm pack`, an install of the tarball into an empty folder,
// then the README's first command there (`npx rasdb migrate`, on the embedded PostgreSQL) and
// `rasdb status`. Run by .ci/run after the tests; needs the npm registry for the dependencies.
import { mkdtempSync, chmodSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { $, cd } from 'zx';

$.verbose = false;
const root = new URL('..', import.meta.url).pathname;
// mode 755: as root, the embedded server runs as the postgres user, who must enter the folder.
const work = mkdtempSync(join(tmpdir(), 'rasdb-package-'));
chmodSync(work, 0o755);
try {
  cd(root);
  const packed = (await $`npm pack --silent --pack-destination ${work}`).stdout.trim().split('\n').pop();
  const tarball = join(work, packed);
  const listing = (await $`tar -tzf ${tarball}`).stdout;
  for (const wanted of [
    'package/docs/retention.md',
    'package/LICENSE',
    'package/dist/bundle/rasdb.mjs',
    'package/bin/rasdb.js',
  ]) {
    if (!listing.includes(wanted)) throw new Error(`the package lacks ${wanted}`);
  }
  if (listing.includes('package/dist/src/')) throw new Error('the package ships dist/src, which nothing runs');
  const app = join(work, 'app');
  await $`mkdir -p ${app} && chmod 755 ${app}`;
  cd(app);
  await $`npm init -y`;
  await $`npm install --no-audit --no-fund ${tarball}`;
  const env = {
    ...process.env,
    DATABASE_URL: undefined,
    PGHOST: undefined,
    PGDATABASE: undefined,
    RASDB_DATA_DIR: undefined,
  };
  const migrated = await $({ env })`npx rasdb migrate`;
  const status = await $({ env })`npx rasdb status --json`;
  const report = JSON.parse(status.stdout);
  if (report.currentPhase !== 4 || report.pending !== 0)
    throw new Error(`after migrate, status says phase ${report.currentPhase}, ${report.pending} pending`);
  if (!existsSync(join(app, '.rasdb'))) throw new Error('the embedded data folder is not where the README says');
  console.log(`package smoke: ${packed} installs and migrates (${migrated.stdout.trim().split('\n').pop()})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
