import { ExitCode, RasdbError } from '../errors.js';

/**
 * Statements that end or open a transaction. A migration that sends one (`COMMIT` inside `up`)
 * would leave its DDL committed while rasdb reports it rolled back, and its ledger row would
 * commit apart from it: such files are refused before anything runs.
 */
const CONTROL =
  /^(commit|end|rollback|abort|begin|start\s+transaction|prepare\s+transaction|commit\s+prepared|rollback\s+prepared)\b/i;

/**
 * The first transaction-control statement among `statements`, or undefined. String literals and
 * comments are left out, so `'commit'` as data does not count; several statements in one string
 * are looked at one by one.
 *
 * @example
 * transactionControlIn(['create table t ()', 'commit']) // 'commit'
 */
export function transactionControlIn(statements: readonly string[]): string | undefined {
  for (const statement of statements) {
    const code = statement
      .replace(/'(?:[^']|'')*'/g, "''")
      .replace(/--[^\n]*/g, '')
      .replace(/\/\*[\s\S]*?\*\//g, '');
    const found = code
      .split(';')
      .map((part) => part.trim())
      .find((part) => CONTROL.test(part));
    if (found) return found.split(/\s+/).slice(0, 2).join(' ');
  }
  return undefined;
}

/**
 * Refuses (exit 4) migrations whose SQL controls the transaction itself, naming each.
 *
 * @example
 * assertNoTransactionControl([{ name: '0003-commits', direction: 'up', statements }]);
 */
export function assertNoTransactionControl(
  migrations: readonly { name: string; direction: 'up' | 'down'; statements: readonly string[] }[],
): void {
  const offenders = migrations
    .map((m) => ({ ...m, found: transactionControlIn(m.statements) }))
    .filter((m): m is typeof m & { found: string } => m.found !== undefined);
  if (offenders.length === 0) return;
  const list = offenders.map((m) => `${m.name} (${m.found.toUpperCase()} in ${m.direction})`).join(', ');
  throw new RasdbError(
    ExitCode.check,
    `refusing to run ${list}: rasdb runs each migration in a transaction of its own and commits it with its ledger row; ` +
      'remove the transaction control, or export transactional = false and write the migration to be safe to run twice',
    { migrations: offenders.map((m) => ({ name: m.name, direction: m.direction, statement: m.found })) },
  );
}
