/**
 * The transformation rules of data_field_mappings.transformation_rule: each is a JSON object with
 * a `type` and that type's settings; a missing rule copies the value. Rules are pure functions of
 * the extracted value (and, for `first`, the record, for its fallback fields), so a mapping
 * behaves the same in the seed's demo loader and in any application that reads the table.
 */
import type { JsonObject } from '../../generated/db.js';
import { parseExternalField, valueAt } from './field-paths.js';

export type Rule = JsonObject & { readonly type: string };

/** The settings each rule type needs, checked by the seed before it writes a mapping. */
export const RULE_SETTINGS: Readonly<Record<string, readonly string[]>> = {
  copy: [],
  text: [],
  integer: [],
  number: [],
  boolean: [],
  lookup: ['map'],
  timestamp_utc: [],
  date: [],
  first: [],
  cvss_vector: ['metric', 'map'],
  cvss3_exploitability: [],
  truncate: ['length'],
  split: ['separator'],
  milestones: [],
  control_ref: ['framework'],
};

export class TransformError extends Error {}

/** What a rule may need besides the value: the whole record, and control ids by `framework/label`. */
export interface TransformContext {
  readonly record: unknown;
  readonly controlIds?: ReadonlyMap<string, number>;
}

/**
 * Applies one rule to one value. `null` and `undefined` pass through as `null`, except where a
 * rule has a fallback.
 *
 * @example
 * transform({ type: 'cvss_vector', metric: 'PR', map: { N: 'none', L: 'low', H: 'high' } }, 'AV:N/AC:L/PR:L/UI:N', ctx) // 'low'
 */
export function transform(rule: Rule | null, value: unknown, context: TransformContext): unknown {
  if (!rule || rule.type === 'copy') return value ?? null;
  if (rule.type === 'first') return first(value) ?? fallback(rule, context.record);
  if (value === null || value === undefined || value === '') return null;
  // `value` is what a field path found in an external record: a scalar, or an array for a `[]`
  // path, and String() of it is what the rules mean ("text" keeps it as text, "lookup" uses it as
  // a key). An object, from a path that stops short of a scalar, would read "[object Object]":
  // nothing checks for that yet, and changing it would change what a mapping writes.
  /* eslint-disable @typescript-eslint/no-base-to-string */
  switch (rule.type) {
    case 'text':
      return String(value);
    case 'integer':
      return toNumber(value, (n) => Number.isInteger(n));
    case 'number':
      return toNumber(value, () => true);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (/^(yes|true|y|1)$/i.test(String(value))) return true;
      if (/^(no|false|n|0)$/i.test(String(value))) return false;
      throw new TransformError(`"${String(value)}" is not a yes/no value`);
    case 'lookup':
      return lookup(rule.map as Record<string, unknown>, String(value));
    case 'timestamp_utc':
      return isoDate(value).toISOString().replace('T', ' ').replace('Z', '');
    case 'date':
      return isoDate(value).toISOString().slice(0, 10);
    case 'cvss_vector':
      return lookup(rule.map as Record<string, unknown>, cvssMetrics(String(value))[String(rule.metric)] ?? '');
    case 'cvss3_exploitability':
      return cvss3Exploitability(cvssMetrics(String(value)));
    case 'truncate':
      return String(value).slice(0, Number(rule.length));
    case 'split':
      return String(value)
        .split(String(rule.separator))
        .map((part) => part.trim())
        .filter(Boolean);
    case 'milestones':
      return milestones(String(value));
    case 'control_ref': {
      const label =
        String(value)
          .split(/[,;\s]+/)
          .filter(Boolean)[0]
          ?.toUpperCase() ?? '';
      const id = context.controlIds?.get(`${String(rule.framework)}/${label}`);
      if (id === undefined) throw new TransformError(`control "${label}" is not in ${String(rule.framework)}`);
      return id;
    }
    default:
      throw new TransformError(`unknown transformation rule "${rule.type}"`);
  }
  /* eslint-enable @typescript-eslint/no-base-to-string */
}

function first(value: unknown): unknown {
  const item = Array.isArray(value) ? value[0] : value;
  return item === '' ? undefined : item;
}

function fallback(rule: Rule, record: unknown): unknown {
  for (const path of (rule.fallback as string[] | undefined) ?? []) {
    const value = first(valueAt(record, parseExternalField(path)));
    if (value !== undefined && value !== null) return value;
  }
  return null;
}

function toNumber(value: unknown, accept: (n: number) => boolean): number {
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isFinite(n) || !accept(n)) throw new TransformError(`"${String(value)}" is not a valid number here`);
  return n;
}

function lookup(map: Record<string, unknown>, key: string): unknown {
  if (!Object.hasOwn(map, key))
    throw new TransformError(`"${key}" has no entry in the lookup (${Object.keys(map).join(', ')})`);
  return map[key];
}

function isoDate(value: unknown): Date {
  const date = new Date(String(value));
  if (Number.isNaN(date.getTime())) throw new TransformError(`"${String(value)}" is not an ISO-8601 date or time`);
  return date;
}

/** `AV:N/AC:L/...` (Tenable leaves out the `CVSS:3.x/` prefix; it is accepted either way) as a map. */
function cvssMetrics(vector: string): Record<string, string> {
  // No prototype: a part named __proto__ is one more (unknown) metric, not the object's prototype.
  const metrics: Record<string, string> = Object.create(null);
  for (const part of vector.split('/')) {
    const [name, value] = part.split(':');
    if (name && value && name !== 'CVSS') metrics[name] = value;
  }
  return metrics;
}

/** CVSS v3 exploitability sub-score, 8.22 x AV x AC x PR x UI, to one decimal (FIRST CVSS v3.1 section 7.1). */
function cvss3Exploitability(m: Record<string, string>): number {
  const changed = m.S === 'C';
  const av = weight({ N: 0.85, A: 0.62, L: 0.55, P: 0.2 }, m.AV);
  const ac = weight({ L: 0.77, H: 0.44 }, m.AC);
  const pr = weight({ N: 0.85, L: changed ? 0.68 : 0.62, H: changed ? 0.5 : 0.27 }, m.PR);
  const ui = weight({ N: 0.85, R: 0.62 }, m.UI);
  if (av === undefined || ac === undefined || pr === undefined || ui === undefined)
    throw new TransformError('the CVSS vector lacks AV, AC, PR or UI');
  return Math.round(8.22 * av * ac * pr * ui * 10) / 10;
}

/** A metric's weight; a scanned value such as "constructor" is no metric, whatever every object has. */
function weight(weights: Record<string, number>, value: string | undefined): number | undefined {
  return value !== undefined && Object.hasOwn(weights, value) ? weights[value] : undefined;
}

/** FedRAMP "Planned Milestones": one per line, `(1) Apply the patch - 2026-03-31`. */
function milestones(text: string): { number: number; description: string; due_date: string | null }[] {
  return text
    .split(/\r?\n/)
    .map((line) => /^\s*\((\d+)\)\s*(.*?)\s*(?:[-:]\s*(\d{4}-\d{2}-\d{2}))?\s*$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ number: Number(match[1]), description: match[2], due_date: match[3] ?? null }));
}
