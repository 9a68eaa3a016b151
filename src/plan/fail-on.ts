import type pg from 'pg';
import { usageError } from '../errors.js';
import { LOCK_MODES, lockRank, modeName, modeSlug, type LockMode } from './lock-modes.js';
import type { LockPlan } from './types.js';

/**
 * A `--fail-on` rule: `<what>[>size][:table[,table...]]`, where `what` is a lock mode
 * (`access-exclusive`, `share-row-exclusive`, ...: that mode or a stronger one), `rewrite` or
 * `scan` (a rewrite reads the whole table too); `>size` limits it to tables bigger than that on the
 * target (`100MB`, `1.5GB`, `8kB`; units of 1024 as PostgreSQL's pg_size_pretty); `:tables` to
 * those tables.
 */
export interface FailRule {
  /** As the operator typed it. */
  readonly text: string;
  readonly what: { readonly mode: LockMode } | { readonly effect: 'rewrite' | 'scan' };
  /** Only tables bigger than this many bytes on the target. */
  readonly largerThanBytes?: number;
  /** Only these tables (`name` in public, `schema.name` elsewhere). */
  readonly tables?: readonly string[];
}

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };
const RULE = /^([a-z_-]+)(?:\s*>\s*([0-9]+(?:\.[0-9]+)?)\s*([a-z]+))?(?::([^:]+))?$/i;
const TABLE = /^(?:[a-z_][a-z0-9_$]*\.)?[a-z_][a-z0-9_$]*$/i;

/**
 * Parses one `--fail-on` rule, or throws a usage error naming what is wrong with it.
 *
 * @example
 * parseFailRule('access-exclusive>100MB') // { what: { mode: 'AccessExclusiveLock' }, largerThanBytes: 104857600, ... }
 * parseFailRule('share-row-exclusive:users') // { what: { mode: 'ShareRowExclusiveLock' }, tables: ['users'], ... }
 */
export function parseFailRule(text: string, flag = '--fail-on'): FailRule {
  const trimmed = text.trim();
  const match = RULE.exec(trimmed);
  const shape = `${flag} takes <lock mode|rewrite|scan>[>size][:table,...], such as access-exclusive>100MB or share-row-exclusive:users`;
  if (!match) throw usageError(`${shape}; got "${text}"`);
  const [, whatText, amount, unit, tableText] = match;
  const slug = whatText.toLowerCase().replace(/_/g, '-');
  const mode = LOCK_MODES.find((m) => modeSlug(m) === slug);
  if (!mode && slug !== 'rewrite' && slug !== 'scan') {
    throw usageError(
      `${flag}: "${whatText}" is not a lock mode; use one of ${LOCK_MODES.map(modeSlug).join(', ')}, rewrite or scan`,
    );
  }
  let largerThanBytes: number | undefined;
  if (amount !== undefined) {
    const factor = UNITS[unit.toLowerCase()];
    if (factor === undefined) throw usageError(`${flag}: "${unit}" is not a size unit; use B, kB, MB, GB or TB`);
    largerThanBytes = Math.round(Number(amount) * factor);
  }
  let tables: string[] | undefined;
  if (tableText !== undefined) {
    tables = tableText.split(',').map((t) => t.trim());
    const bad = tables.find((t) => !TABLE.test(t));
    if (bad !== undefined) throw usageError(`${flag}: "${bad}" is not a table name`);
    tables = tables.map((t) => t.toLowerCase().replace(/^public\./, ''));
  }
  return {
    text: trimmed,
    what: mode ? { mode } : { effect: slug as 'rewrite' | 'scan' },
    ...(largerThanBytes !== undefined ? { largerThanBytes } : {}),
    ...(tables ? { tables } : {}),
  };
}

/**
 * Refuses (exit 2) a rule naming a table the target does not have: rules judge the locks taken on
 * the tables it has now, so `access-exclusive:user` (for users) could never fail, and a CI gate
 * built on it would pass whatever the migrations do.
 *
 * @example
 * await assertRuleTablesExist(client, [parseFailRule('access-exclusive:nope')]) // throws: ... no table nope ...
 */
export async function assertRuleTablesExist(
  client: pg.Client,
  rules: readonly FailRule[],
  flag = '--fail-on',
): Promise<void> {
  const named = [...new Set(rules.flatMap((r) => r.tables ?? []))];
  if (!named.length) return;
  const { rows } = await client.query<{ name: string }>(
    `SELECT name FROM unnest($1::text[]) WITH ORDINALITY AS t(name, n)
      WHERE to_regclass(quote_ident(split_part(name, '.', 1)) || coalesce('.' || quote_ident(nullif(split_part(name, '.', 2), '')), '')) IS NULL
      ORDER BY n`,
    [named],
  );
  if (!rows.length) return;
  const missing = rows.map((r) => r.name);
  const rule = rules.find((r) => r.tables?.includes(missing[0]))!;
  throw usageError(
    `${flag} ${rule.text}: the database has no table ${missing.join(', ')}; a rule judges the tables it has now, so it could never fail`,
  );
}

/** A lock of the plan that a rule forbids. */
export interface Violation {
  readonly rule: string;
  readonly migration: string;
  readonly statement: number;
  readonly relation: string;
  readonly mode: LockMode;
  readonly rewrite: boolean;
  readonly scan: boolean | null;
  readonly totalBytes: number;
}

/**
 * The locks on existing tables (those the target has now) that `rules` forbid: one per rule,
 * migration and table, at the first statement that breaks it.
 *
 * @example
 * violations(plan, [parseFailRule('access-exclusive>100MB')]).map((v) => v.relation) // ['ingestion_assets']
 */
export function violations(plan: LockPlan, rules: readonly FailRule[]): Violation[] {
  const sizes = new Map(plan.tables.map((t) => [t.relation, t.target.totalBytes]));
  const found: Violation[] = [];
  const seen = new Set<string>();
  for (const rule of rules) {
    for (const migration of plan.migrations) {
      for (const statement of migration.statements) {
        for (const lock of statement.locks) {
          const totalBytes = sizes.get(lock.relation);
          if (lock.origin !== 'existing' || totalBytes === undefined) continue;
          if (rule.tables && !rule.tables.includes(lock.relation)) continue;
          if (rule.largerThanBytes !== undefined && !(totalBytes > rule.largerThanBytes)) continue;
          const what = rule.what;
          const breaks =
            'mode' in what
              ? lockRank(lock.mode) >= lockRank(what.mode)
              : what.effect === 'rewrite'
                ? lock.rewrite
                : lock.rewrite || lock.scan === true;
          const key = `${rule.text}\u0000${migration.name}\u0000${lock.relation}`;
          if (!breaks || seen.has(key)) continue;
          seen.add(key);
          found.push({
            rule: rule.text,
            migration: migration.name,
            statement: statement.index,
            relation: lock.relation,
            mode: lock.mode,
            rewrite: lock.rewrite,
            scan: lock.scan,
            totalBytes,
          });
        }
      }
    }
  }
  return found;
}

/**
 * One violation in words.
 *
 * @example
 * describeViolation(v) // '2001-asset-intelligence statement 1 locks ingestion_assets in SHARE ROW EXCLUSIVE (--fail-on share-row-exclusive:ingestion_assets)'
 */
export function describeViolation(v: Violation, flag = '--fail-on'): string {
  const effect = v.rewrite ? ' and rewrites it' : v.scan ? ' and scans it' : '';
  return `${v.migration} statement ${v.statement} locks ${v.relation} in ${modeName(v.mode)}${effect} (${flag} ${v.rule})`;
}
