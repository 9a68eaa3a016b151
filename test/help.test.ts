import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

const COMMANDS = [
  ['migrate'],
  ['status'],
  ['rollback'],
  ['validate'],
  ['repair'],
  ['baseline'],
  ['codegen'],
  ['seed'],
  ['verify'],
  ['retention'],
  ['retention', 'summarize'],
  ['retention', 'prune'],
  ['retention', 'status'],
  ['retention', 'hold', 'add'],
  ['retention', 'hold', 'list'],
  ['retention', 'hold', 'release'],
  ['retention', 'policy', 'set'],
  ['psql'],
  ['embedded'],
  ['new'],
];

describe('help', () => {
  it.each(COMMANDS)('%s: its options, the global ones and examples', async (...path) => {
    const result = await runCli([...path, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: rasdb ${path.join(' ')}`);
    expect(result.stdout).toMatch(/Global Options:[\s\S]*--database-url/);
    expect(result.stdout.match(/^ {2}\$ rasdb /gm)?.length ?? 0).toBeGreaterThanOrEqual(2);
  });

  it('rasdb help reaches any depth, the same as --help', async () => {
    const viaHelp = await runCli(['help', 'retention', 'prune']);
    const viaFlag = await runCli(['retention', 'prune', '--help']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    const unknown = await runCli(['help', 'retention', 'nothing']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^rasdb: unknown command 'rasdb retention nothing'; see rasdb --help\n$/);
  });

  it('a group alone, or with an unknown command, names its commands in one line (exit 2)', async () => {
    const alone = await runCli(['retention']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toBe(
      'rasdb: rasdb retention needs a command: summarize, prune, status, hold, policy; see rasdb retention --help\n',
    );
    const wrong = await runCli(['retention', 'hold', 'remove']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe(
      "rasdb: unknown command 'remove' for rasdb retention hold (did you mean release?): add, list, release; see rasdb retention hold --help\n",
    );
  });

  it('a typo gets a suggestion on the same line; a required option says so', async () => {
    const typo = await runCli(['migrat']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe("rasdb: unknown command 'migrat' (Did you mean migrate?); see rasdb --help\n");
    const flag = await runCli(['migrate', '--lock-timout', '1s']);
    expect(flag.stderr).toMatch(/unknown option '--lock-timout' \(Did you mean --lock-timeout\?\)/);
    expect((await runCli(['repair', '--help'])).stdout).toMatch(
      /--accept <migration>\s+the migration whose new checksum to record\s+\(required\)/,
    );
    // --quiet's help says what it does: nothing on success (as the README and the output tests say).
    expect((await runCli(['retention', 'prune', '--help'])).stdout).toMatch(/-q, --quiet\s+print nothing on success/);
    const extra = await runCli(['status', 'extra']);
    expect(extra.stderr).toBe(
      "rasdb: too many arguments for 'status'. Expected 0 arguments but got 1; see rasdb --help\n",
    );
  });
});
