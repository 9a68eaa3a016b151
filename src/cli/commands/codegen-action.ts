import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { codegen } from '../../schema/codegen.js';
import { CODEGEN_COMMAND } from '../../schema/codegen-header.js';
import { withSession } from '../session-command.js';

export async function runCodegen(command: Command): Promise<number> {
  const options = command.opts();
  return withSession(command, async ({ session, out }) => {
    const result = await codegen(session.client, { outFile: options.out, check: Boolean(options.check) });
    const ok = result.status !== 'stale' && result.status !== 'missing';
    out.json({ ok, database: session.label, ...result });
    const source = `${result.tables.length} tables, ${result.migrations.length} applied migrations`;
    const rerun = `${CODEGEN_COMMAND}${options.out === 'generated/db.ts' ? '' : ` --out ${options.out}`}`;
    switch (result.status) {
      case 'written':
        out.always(`Wrote ${result.outFile} (${source}).`);
        return ExitCode.ok;
      case 'unchanged':
        out.always(`${result.outFile} is already up to date (${source}).`);
        return ExitCode.ok;
      case 'current':
        out.always(`${result.outFile} matches ${session.label} (${source}).`);
        return ExitCode.ok;
      case 'missing':
        out.error(`rasdb: ${result.outFile} does not exist; run \`${rerun}\` and commit it`);
        return ExitCode.check;
      case 'stale':
        out.always((result.diff ?? '').trimEnd());
        out.error(`rasdb: ${result.outFile} does not match ${session.label} (diff above: - on disk, + from the database); run \`${rerun}\` and commit it`);
        return ExitCode.check;
    }
  });
}
