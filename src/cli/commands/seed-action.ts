import type { Command } from 'commander';
import type pg from 'pg';
import { ExitCode, usageError } from '../../errors.js';
import type { DemoResult } from '../../seed/demo/demo.js';
import type { RowNote, SeedMode, SetResult } from '../../seed/seed.js';
import { parseSetNames } from '../../seed/sets.js';
import { parseDuration } from '../duration.js';
import { formatMs, type Output } from '../output.js';
import { withSession } from '../session-command.js';

const NOTES_PER_TABLE = 20;

export async function runSeed(command: Command): Promise<number> {
  const options = command.opts();
  const only = parseSetNames(options.only);
  if (options.check && options.dryRun) throw usageError('give either --check or --dry-run, not both');
  if (options.demo && (options.check || options.dryRun || only)) throw usageError('--demo loads every reference set and then the demo data; it does not combine with --only, --check or --dry-run');
  const mode: SeedMode = options.check ? 'check' : options.dryRun ? 'dry-run' : 'apply';
  const demoOptions = options.demo ? parseDemoOptions(options) : undefined;
  const lockWaitMs = parseDuration('--lock-wait', options.lockWait, { maxMs: 86_400_000 });
  return withSession(command, async ({ session, out }) => {
    const { seed } = await import('../../seed/seed.js');
    if (mode === 'dry-run') out.line(`Dry run against ${session.label}: nothing is written.`);
    else if (mode === 'apply') out.line(`Seeding ${session.label}`);
    const result = await seed(session.client, { only, mode, lockWaitMs, onSet: (set) => printSet(out, set, mode) });
    const demo = demoOptions ? await runDemo(session.client, out, demoOptions, lockWaitMs) : undefined;
    const ok = mode !== 'check' || result.differences === 0;
    out.json({ ok, database: session.label, ...result, ...(demo ? { demo } : {}) });
    const applied = result.sets.filter((set) => set.status !== 'skipped');
    const t = result.totals;
    const kept = t.kept ? `; ${t.kept} ${t.kept === 1 ? 'row' : 'rows'} kept as operators left ${t.kept === 1 ? 'it' : 'them'}` : '';
    if (mode === 'check') {
      if (ok) out.always(`The reference rows of ${applied.length} ${applied.length === 1 ? 'set' : 'sets'} match the seeds.`);
      else out.error(`rasdb: ${result.differences} reference ${result.differences === 1 ? 'row differs' : 'rows differ'} from the seeds (listed above); \`rasdb seed\` inserts missing rows and updates the seed's own rows, and keeps rows operators changed`);
      return ok ? ExitCode.ok : ExitCode.check;
    }
    const verb = mode === 'dry-run' ? 'Would insert' : 'Inserted';
    if (t.inserted + t.updated === 0) out.always(`Nothing to change: all ${t.unchanged + t.kept} seeded rows of ${applied.length} sets are as the seeds left them${kept}.`);
    else out.always(`${verb} ${t.inserted} and ${mode === 'dry-run' ? 'update' : 'updated'} ${t.updated} rows in ${applied.length} sets; ${t.unchanged} unchanged${kept}.`);
    return ExitCode.ok;
  });
}

function printSet(out: Output, set: SetResult, mode: SeedMode): void {
  if (set.status === 'skipped') {
    out.always(`${set.name}: skipped, needs phase ${set.phase} (not migrated yet: ${set.missingTables.join(', ')}); run \`rasdb migrate --phase ${set.phase}\` first`);
    return;
  }
  const when = mode === 'apply' ? ` ${out.color.dim(formatMs(set.durationMs))}` : '';
  out.line(`${set.name}: ${set.title}${when}`);
  const would = mode === 'apply' ? '' : 'would be ';
  for (const table of set.tables) {
    out.line(`  ${table.table.padEnd(26)} ${table.inserted} ${would}inserted, ${table.updated} ${would}updated, ${table.unchanged} unchanged${table.kept ? `, ${table.kept} kept` : ''}`);
    printNotes(out, set.notes.filter((note) => note.table === table.table), mode);
  }
  const held = set.heldBack;
  if (held.length) {
    const waiting = [...new Set(held.flatMap((row) => row.missing))].join(', ');
    const keys = held.slice(0, 5).map((row) => row.key).join(', ') + (held.length > 5 ? `, and ${held.length - 5} more` : '');
    out.line(`  ${held.length} ${held.length === 1 ? 'row waits' : 'rows wait'} for tables not migrated yet (${waiting}): ${keys}`);
  }
}

function printNotes(out: Output, notes: RowNote[], mode: SeedMode): void {
  for (const note of notes.slice(0, NOTES_PER_TABLE)) {
    const columns = note.differing.length ? ` (${note.differing.join(', ')})` : '';
    const line = `    ${describe(note, mode)} ${note.table} ${note.key}${columns}`;
    if (mode === 'check') out.always(line);
    else out.line(line);
  }
  if (notes.length > NOTES_PER_TABLE) out.line(`    ... and ${notes.length - NOTES_PER_TABLE} more (--json lists every one)`);
}

function describe(note: RowNote, mode: SeedMode): string {
  if (note.action === 'insert') return 'missing:';
  if (note.action === 'update') return "differs (the seeds changed; the seed's own row):";
  const kept = mode === 'check' ? '' : ', kept';
  if (note.reason === 'edited') return `edited by an operator${kept}:`;
  if (note.reason === 'duplicate') return `several rows share this key${kept}:`;
  return `differs, not created by rasdb seed${kept}:`;
}

interface DemoOptions {
  scale: number;
  seed: number;
  asOf: string;
}

function parseDemoOptions(options: Record<string, string>): DemoOptions {
  const scale = Number(options.scale);
  if (!/^\d+(\.\d+)?$/.test(String(options.scale)) || !(scale > 0) || scale > 1000) throw usageError(`--scale must be a number above 0 and at most 1000, got "${options.scale}"`);
  if (!/^\d{1,9}$/.test(String(options.seed))) throw usageError(`--seed must be a whole number from 0 to 999999999, got "${options.seed}"`);
  const asOf = options.asOf ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(`${asOf}T00:00:00Z`))) throw usageError(`--as-of must be a date, YYYY-MM-DD, got "${asOf}"`);
  return { scale, seed: Number(options.seed), asOf };
}

async function runDemo(client: pg.Client, out: Output, options: DemoOptions, lockWaitMs: number): Promise<DemoResult> {
  const { loadDemo } = await import('../../seed/demo/demo.js');
  out.line(`Demo data: --seed ${options.seed} --scale ${options.scale}, history up to ${options.asOf} (UTC)`);
  const result = await loadDemo(client, {
    ...options,
    lockWaitMs,
    onStep: (step) => out.line(`  ${step.table.padEnd(26)} ${String(step.rows).padStart(9)} rows${step.failed ? `, ${step.failed} rejected by the mappings` : ''}  ${out.color.dim(formatMs(step.durationMs))}`),
  });
  if (result.status === 'already_loaded') out.always('This demo data (same --seed, --scale and --as-of) is already loaded; nothing to do.');
  else {
    const rate = Math.round(result.generatedRows / Math.max(result.generationMs / 1000, 0.001));
    out.always(`Loaded ${result.totalRows} demo rows in ${formatMs(result.durationMs)}; the synthetic activity, ${result.generatedRows} rows, at ${rate} rows/s.`);
  }
  return result;
}
