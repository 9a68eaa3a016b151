import type { Command } from 'commander';
import type pg from 'pg';
import { ExitCode, usageError } from '../../errors.js';
import type { DemoResult } from '../../seed/demo/demo.js';
import type { RowNote, SeedMode, SetResult } from '../../seed/seed.js';
import { parseSetNames } from '../../seed/sets.js';
import { withExamples } from '../help.js';
import type { CommandOutcome } from '../main.js';
import { flag, lockWaitOption, timeOption } from '../options.js';
import type { Output } from '../output.js';
import { count, duration, num, rate } from '../text.js';
import { runCommand } from '../session-command.js';
import { withOptions, type OptionSpec, type RawValue } from '../settings.js';

const NOTES_PER_TABLE = 20;

const text = (raw: RawValue): string | undefined => (typeof raw === 'string' ? raw : undefined);

const SEED_OPTIONS = {
  only: {
    flags: '--only <sets>',
    description: 'seed only these sets, comma-separated: controls, integrations, metrics, reports, workflows',
    parse: (raw) => parseSetNames(text(raw)),
  } satisfies OptionSpec<ReturnType<typeof parseSetNames>>,
  check: flag('--check', 'write nothing; exit 4 naming every reference row that differs from the seeds'),
  dryRun: flag('--dry-run', 'write nothing; report what a run would insert, update and keep'),
  demo: flag(
    '--demo',
    'after the reference data, load demo data (real Tenable sample export, synthetic activity); needs phase 4 and empty tables',
  ),
  scale: {
    flags: '--scale <n>',
    description: 'with --demo: multiply the synthetic volume (1 gives about 50,000 API call logs)',
    needs: 'demo',
    defaultValue: '1',
    parse: (raw, name) => {
      const scale = Number(raw);
      if (!/^\d+(\.\d+)?$/.test(String(raw)) || !(scale > 0) || scale > 1000)
        throw usageError(`${name} must be a number above 0 and at most 1000, got "${String(raw)}"`);
      return scale;
    },
  } satisfies OptionSpec<number>,
  seed: {
    flags: '--seed <s>',
    description: 'with --demo: the random seed, a whole number; the same seed gives the same rows',
    needs: 'demo',
    defaultValue: '1',
    parse: (raw, name) => {
      if (!/^\d{1,9}$/.test(String(raw)))
        throw usageError(`${name} must be a whole number from 0 to 999999999, got "${String(raw)}"`);
      return Number(raw);
    },
  } satisfies OptionSpec<number>,
  asOf: {
    ...timeOption(
      '--as-of <date>',
      'with --demo: the UTC day the synthetic history ends, YYYY-MM-DD (default: today)',
      'asOf',
      {
        dateOnly: true,
      },
    ),
    needs: 'demo',
  },

  lockWaitMs: lockWaitOption(),
} as const;

/** `rasdb seed [--only sets] [--check] [--dry-run] [--demo ...]`: reference data, then demo data. */
export function registerSeed(program: Command, outcome: CommandOutcome): void {
  withExamples(withOptions(program.command('seed'), SEED_OPTIONS), [
    'rasdb seed',
    'rasdb seed --only controls,metrics --dry-run',
    'rasdb seed --demo --scale 5 --seed 7',
  ])
    .description(
      'upsert the reference data every installation shares (controls, integrations, metrics, reports, workflows)',
    )
    .action(async (_options, command: Command) => {
      outcome.exitCode = await runSeed(command);
    });
}

async function runSeed(command: Command): Promise<number> {
  const combinations = (s: { check: boolean; dryRun: boolean; demo: boolean; only: unknown }) => [
    s.check && s.dryRun && 'give either --check or --dry-run, not both',
    s.demo &&
      (s.check || s.dryRun || s.only !== undefined) &&
      '--demo loads every reference set and then the demo data; it does not combine with --only, --check or --dry-run',
  ];
  return runCommand(
    command,
    SEED_OPTIONS,
    async ({ session, out, settings }) => {
      const { seed } = await import('../../seed/seed.js');
      const { only, lockWaitMs } = settings;
      const mode: SeedMode = settings.check ? 'check' : settings.dryRun ? 'dry-run' : 'apply';
      if (mode === 'dry-run') out.line(`Dry run against ${session.label}: nothing is written.`);
      else if (mode === 'apply') out.line(`Seeding ${session.label}`);
      const result = await seed(session.client, { only, mode, lockWaitMs, onSet: (set) => printSet(out, set, mode) });
      const demoOptions = {
        scale: settings.scale,
        seed: settings.seed,
        asOf: settings.asOf ?? new Date().toISOString().slice(0, 10),
      };
      const demo = settings.demo ? await runDemo(session.client, out, demoOptions, lockWaitMs) : undefined;
      const ok = mode !== 'check' || result.differences === 0;
      out.json({ ok, database: session.label, ...result, ...(demo ? { demo } : {}) });
      const applied = result.sets.filter((set) => set.status !== 'skipped');
      const t = result.totals;
      const kept = t.kept ? `; ${count(t.kept, 'row')} kept as operators left ${t.kept === 1 ? 'it' : 'them'}` : '';
      if (mode === 'check' && applied.length === 0) {
        // A check that could look at nothing has not passed: the database lacks every set's tables.
        out.error(
          'rasdb: no reference set could be checked: the database lacks their tables (listed above); run rasdb migrate first',
        );
        return ExitCode.check;
      }
      if (mode === 'check') {
        if (ok) out.always(`The reference rows of ${count(applied.length, 'set')} match the seeds.`);
        else {
          const rows = count(result.differences, 'reference row differs', 'reference rows differ');
          out.error(
            `rasdb: ${rows} from the seeds (listed above); \`rasdb seed\` inserts missing rows and updates the seed's own rows, and keeps rows operators changed`,
          );
        }
        return ok ? ExitCode.ok : ExitCode.check;
      }
      const verb = mode === 'dry-run' ? 'Would insert' : 'Inserted';
      if (t.inserted + t.updated === 0) {
        out.always(
          `Nothing to change: all ${count(t.unchanged + t.kept, 'seeded row')} of ${count(applied.length, 'set')} are as the seeds left them${kept}.`,
        );
      } else {
        out.always(
          `${verb} ${num(t.inserted)} and ${mode === 'dry-run' ? 'update' : 'updated'} ${count(t.updated, 'row')} in ${count(applied.length, 'set')}; ${num(t.unchanged)} unchanged${kept}.`,
        );
      }
      return ExitCode.ok;
    },
    combinations,
  );
}

function printSet(out: Output, set: SetResult, mode: SeedMode): void {
  if (set.status === 'skipped') {
    out.always(
      `${set.name}: skipped, needs phase ${set.phase} (not migrated yet: ${set.missingTables.join(', ')}); run \`rasdb migrate --phase ${set.phase}\` first`,
    );
    return;
  }
  const when = mode === 'apply' ? ` ${out.color.dim(duration(set.durationMs))}` : '';
  out.line(`${set.name}: ${set.title}${when}`);
  const would = mode === 'apply' ? '' : 'would be ';
  for (const table of set.tables) {
    out.line(
      `  ${table.table.padEnd(26)} ${num(table.inserted)} ${would}inserted, ${num(table.updated)} ${would}updated, ${num(table.unchanged)} unchanged${table.kept ? `, ${num(table.kept)} kept` : ''}`,
    );
    printNotes(
      out,
      set.notes.filter((note) => note.table === table.table),
      mode,
    );
  }
  const held = set.heldBack;
  if (held.length) {
    const waiting = [...new Set(held.flatMap((row) => row.missing))].join(', ');
    const keys =
      held
        .slice(0, 5)
        .map((row) => row.key)
        .join(', ') + (held.length > 5 ? `, and ${num(held.length - 5)} more` : '');
    out.line(`  ${count(held.length, 'row waits', 'rows wait')} for tables not migrated yet (${waiting}): ${keys}`);
  }
}

function printNotes(out: Output, notes: RowNote[], mode: SeedMode): void {
  for (const note of notes.slice(0, NOTES_PER_TABLE)) {
    const columns = note.differing.length ? ` (${note.differing.join(', ')})` : '';
    const line = `    ${describe(note, mode)} ${note.table} ${note.key}${columns}`;
    if (mode === 'check') out.always(line);
    else out.line(line);
  }
  if (notes.length > NOTES_PER_TABLE)
    out.line(`    ... and ${num(notes.length - NOTES_PER_TABLE)} more (--json lists every one)`);
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

async function runDemo(client: pg.Client, out: Output, options: DemoOptions, lockWaitMs: number): Promise<DemoResult> {
  const { loadDemo } = await import('../../seed/demo/demo.js');
  out.line(`Demo data: --seed ${options.seed} --scale ${options.scale}, history up to ${options.asOf} (UTC)`);
  const { progressBar } = await import('../progress.js');
  const progress = progressBar(out.flags, 'generated');
  const result = await loadDemo(client, {
    ...options,
    lockWaitMs,
    onProgress: (p) => progress?.update(p.table, p.done, p.total),
    onStep: (step) => (
      progress?.done(),
      out.line(
        `  ${step.table.padEnd(26)} ${count(step.rows, 'row').padStart(14)}${step.failed ? `, ${num(step.failed)} rejected by the mappings` : ''}  ${out.color.dim(duration(step.durationMs))}`,
      )
    ),
  });
  progress?.done();
  if (result.status === 'already_loaded')
    out.always('This demo data (same --seed, --scale and --as-of) is already loaded; nothing to do.');
  else {
    const speed = rate(result.generatedRows, Math.max(result.generationMs, 1), 'rows');
    out.always(
      `Loaded ${count(result.totalRows, 'demo row')} in ${duration(result.durationMs)}; the synthetic activity, ${count(result.generatedRows, 'row')}, at ${speed}.`,
    );
  }
  return result;
}
