/**
 * Deterministic randomness in SQL. Every random value is a pure function of (seed, row index,
 * stream): `hashint8extended`, the hash PostgreSQL keeps stable for hash partitioning, of the index
 * and a stream number, salted with the seed. No state, no ordering dependence: a row's values do
 * not depend on which statement or chunk produced it, so the same seed gives the same rows
 * whether the demo is generated in one statement or in many.
 *
 * Everything spliced into SQL here is a number checked as such, or a constant of this code base.
 */

export class RandomSql {
  constructor(
    readonly seed: number,
    /** The end of the synthetic history: a UTC day, YYYY-MM-DD. */
    readonly asOf: string,
  ) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`seed must be a whole number, got ${seed}`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new Error(`asOf must be YYYY-MM-DD, got ${asOf}`);
  }

  /** The anchor every synthetic time is measured back from. */
  get anchor(): string {
    return `'${this.asOf} 00:00:00'::timestamp`;
  }

  /**
   * A uniform value in [0, 1) for row `index` (an SQL expression) and `stream` (a small number).
   *
   * @example
   * rand.u('g.i', 3) // ((hashint8extended((g.i)::bigint * 64 + 3, 42) & 2147483647)::float8 / 2147483648.0)
   */
  u(index: string, stream: number): string {
    return `((hashint8extended((${index})::bigint * 64 + ${int(stream)}, ${this.seed}) & 2147483647)::float8 / 2147483648.0)`;
  }

  /** A standard normal value (Box-Muller on two streams); 1 - u keeps the logarithm away from 0. */
  normal(index: string, stream: number): string {
    return `(sqrt(-2 * ln(1 - ${this.u(index, stream)})) * cos(2 * pi() * ${this.u(index, stream + 1)}))`;
  }

  /** A log-normal value with this median and spread: most near the median, a long tail above. */
  logNormal(index: string, stream: number, median: number, sigma: number): string {
    return `exp(ln(${median}) + ${sigma} * ${this.normal(index, stream)})`;
  }

  /** A UUID that is the same for the same seed, kind and index. */
  uuid(kind: string, index: string): string {
    return `md5('${constant(kind)}:${this.seed}:' || (${index}))::uuid`;
  }

  /** One of `values` (constants of this code base), chosen by a uniform expression. */
  pick(values: readonly (string | number)[], uniform: string): string {
    const list = values.map((v) => (typeof v === 'number' ? String(int(v)) : `'${constant(v)}'`)).join(', ');
    return `(ARRAY[${list}])[1 + floor(${uniform} * ${values.length})::int]`;
  }

  /** One of `values` with the given weights (they need not sum to 1). */
  weighted(values: readonly (readonly [string, number])[], uniform: string): string {
    const total = values.reduce((sum, [, w]) => sum + w, 0);
    let cumulative = 0;
    const whens = values.slice(0, -1).map(([value, weight]) => {
      cumulative += weight / total;
      return `WHEN ${uniform} < ${cumulative.toFixed(6)} THEN '${constant(value)}'`;
    });
    return `(CASE ${whens.join(' ')} ELSE '${constant(values[values.length - 1][0])}' END)`;
  }

  /**
   * Seconds before the anchor: 99 % spread over the last 400 days, 1 % between 400 days and 8 years
   * (older than every retention horizon of the design document, 7 years included).
   */
  ageSeconds(index: string, stream: number): string {
    return `(CASE WHEN ${this.u(index, stream)} < 0.01 THEN (400 + ${this.u(index, stream + 1)} * 2520) ELSE ${this.u(index, stream + 1)} * 400 END) * 86400`;
  }
}

function int(n: number): number {
  if (!Number.isSafeInteger(n)) throw new Error(`expected a whole number, got ${n}`);
  return n;
}

function constant(text: string): string {
  if (!/^[A-Za-z0-9 _.:/?&=()%,+-]*$/.test(text)) throw new Error(`not a plain constant: ${text}`);
  return text;
}
