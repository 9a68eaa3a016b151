import type { Command } from 'commander';
import { join } from 'node:path';
import { ExitCode } from '../../errors.js';
import { withExamples } from '../help.js';
import type { CommandOutcome } from '../main.js';
import { GLOBAL_OPTIONS, NEW_OPTIONS } from '../options.js';
import { Output } from '../output.js';
import { readSettings, withOptions } from '../settings.js';

/** `rasdb new <name> --phase N`: the next migration file of a phase, from a template. */
export function registerNew(program: Command, outcome: CommandOutcome): void {
  withExamples(withOptions(program.command('new <name>'), NEW_OPTIONS), [
    'rasdb new add-asset-tags --phase 2',
    'rasdb new add-asset-tags --phase 2 --migrations-dir ./migrations',
  ])
    .description(
      'write the next migration file of a phase from a template (no database needed); edit it, then rasdb migrate --dry-run',
    )
    .action(async (name: string, _options, command: Command) => {
      outcome.exitCode = await runNew(command, name);
    });
}

async function runNew(command: Command, name: string): Promise<number> {
  const settings = readSettings(command, { ...GLOBAL_OPTIONS, ...NEW_OPTIONS }, (s) => [
    s.phase === undefined && 'rasdb new needs --phase N: the phase the migration belongs to',
  ]);
  const out = new Output(settings);
  const { newMigration } = await import('../../migrate/new-migration.js');
  const { packageRoot } = await import('../../version.js');
  // The project's source folder, not the build: the new file is edited, then built with the rest.
  const dir = settings.migrationsDir ?? join(packageRoot(), 'migrations');
  const made = newMigration({ dir, phase: settings.phase!, name, compiled: settings.migrationsDir === undefined });
  out.json({ ok: true, ...made });
  // The project's own migrations run compiled (dist/migrations): a new one needs a build first.
  const next = settings.migrationsDir ? 'rasdb migrate --dry-run' : 'npm run build and rasdb migrate --dry-run';
  out.always(`Wrote ${made.path}; write its up() and down(), then run ${next}.`);
  out.finish(ExitCode.ok);
  return ExitCode.ok;
}
