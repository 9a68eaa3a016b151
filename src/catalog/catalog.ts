/** The smallest client `readCatalog` needs: a pg `Client`, `Pool` or `PoolClient` fits. */
export interface CatalogClient {
  query(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
}

export interface CatalogColumn {
  readonly name: string;
  /** As `format_type` spells it: `character varying(100)`, `numeric(5,2)`, `text[]`. */
  readonly type: string;
  readonly notNull: boolean;
  /** As `pg_get_expr` spells it: `now()`, `'pending'::character varying`; null when none. */
  readonly default: string | null;
}

/** p primary key, u unique, f foreign key, c check, x exclusion, t trigger, n not null (PG 18+). */
export type ConstraintType = 'p' | 'u' | 'f' | 'c' | 'x' | 't' | 'n';

export interface CatalogConstraint {
  readonly name: string;
  readonly type: ConstraintType;
  /** `pg_get_constraintdef`: `FOREIGN KEY (user_id) REFERENCES users(id)`. */
  readonly definition: string;
}

export interface CatalogIndex {
  readonly name: string;
  /** `pg_get_indexdef`: `CREATE INDEX idx_x ON public.t USING btree (a, b)`. */
  readonly definition: string;
}

/** A sequence owned by a column (SERIAL, or an identity column). */
export interface CatalogSequence {
  readonly name: string;
  readonly column: string;
  readonly dataType: string;
}

export interface CatalogTable {
  readonly name: string;
  /** In ordinal (attnum) order. */
  readonly columns: readonly CatalogColumn[];
  /** The next three are sorted by name. */
  readonly constraints: readonly CatalogConstraint[];
  readonly indexes: readonly CatalogIndex[];
  readonly sequences: readonly CatalogSequence[];
}

export interface Catalog {
  readonly schema: string;
  /** Sorted by name. */
  readonly tables: readonly CatalogTable[];
}

export interface ReadCatalogOptions {
  /** Defaults to `public`. */
  readonly schema?: string;
  /** Only these tables; all ordinary and partitioned tables of the schema when omitted. */
  readonly tables?: readonly string[];
}

// Every query reads the tables `t` of schema $1, limited to the names in $2 unless it is null.
const FROM_TABLES = 'FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace';
const WHERE_TABLES = `n.nspname = $1 AND t.relkind IN ('r', 'p')
  AND ($2::text[] IS NULL OR t.relname = ANY($2::text[]))`;

const TABLES_SQL = `SELECT t.relname AS "table" ${FROM_TABLES} WHERE ${WHERE_TABLES}`;

const COLUMNS_SQL = `
  SELECT t.relname AS "table", a.attname AS name, a.attnum AS position,
         format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS "notNull",
         pg_get_expr(d.adbin, d.adrelid) AS "default"
  ${FROM_TABLES}
  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE ${WHERE_TABLES}`;

// PostgreSQL 18 also lists each NOT NULL here (contype 'n'), 15 to 17 do not: the column's notNull
// says it on every version, so a database built on 18 compares equal to the same one built on 15.
const CONSTRAINTS_SQL = `
  SELECT t.relname AS "table", c.conname AS name, c.contype::text AS type,
         pg_get_constraintdef(c.oid) AS definition
  ${FROM_TABLES} JOIN pg_constraint c ON c.conrelid = t.oid
  WHERE ${WHERE_TABLES} AND c.contype <> 'n'`;

const INDEXES_SQL = `
  SELECT t.relname AS "table", i.relname AS name, pg_get_indexdef(i.oid) AS definition
  ${FROM_TABLES} JOIN pg_index x ON x.indrelid = t.oid JOIN pg_class i ON i.oid = x.indexrelid
  WHERE ${WHERE_TABLES}`;

// A SERIAL column owns its sequence ('a' dependency), an identity column too ('i').
const SEQUENCES_SQL = `
  SELECT t.relname AS "table", s.relname AS name, a.attname AS "column",
         format_type(q.seqtypid, NULL) AS "dataType"
  ${FROM_TABLES}
  JOIN pg_depend dep ON dep.refobjid = t.oid AND dep.refclassid = 'pg_class'::regclass
    AND dep.classid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i')
  JOIN pg_class s ON s.oid = dep.objid AND s.relkind = 'S'
  JOIN pg_sequence q ON q.seqrelid = s.oid
  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = dep.refobjsubid
  WHERE ${WHERE_TABLES}`;

/** Code-point order, independent of the database's collation. */
const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Rows keyed by their `table` column. */
function grouped(rows: readonly any[]): Map<string, any[]> {
  const map = new Map<string, any[]>();
  for (const row of rows) {
    const list = map.get(row.table);
    if (list) list.push(row);
    else map.set(row.table, [row]);
  }
  return map;
}

/**
 * Reads a normalized, deterministic, JSON-serializable description of a schema's tables from
 * pg_catalog: columns in ordinal order, then constraints, indexes and owned sequences sorted by
 * name. Two databases built the same way give deep-equal catalogs, so they can be diffed as JSON.
 * Reads only; prints nothing.
 *
 * @example
 * const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1/rasdb' })
 * const catalog = await readCatalog(pool, { tables: ['users', 'audit_logs'] })
 * catalog.tables[0].columns[0] // { name: 'id', type: 'integer', notNull: true,
 *                              //   default: "nextval('audit_logs_id_seq'::regclass)" }
 */
export async function readCatalog(client: CatalogClient, options: ReadCatalogOptions = {}): Promise<Catalog> {
  const schema = options.schema ?? 'public';
  const params = [schema, options.tables ? [...options.tables] : null];
  // One query at a time: a single pg Client must not be sent concurrent queries.
  const run = async (text: string): Promise<any[]> => (await client.query(text, params)).rows;
  const tables: { table: string }[] = await run(TABLES_SQL);
  const columns = grouped(await run(COLUMNS_SQL));
  const constraints = grouped(await run(CONSTRAINTS_SQL));
  const indexes = grouped(await run(INDEXES_SQL));
  const sequences = grouped(await run(SEQUENCES_SQL));

  const result: CatalogTable[] = tables
    .map(({ table }) => ({
      name: table,
      columns: (columns.get(table) ?? [])
        .sort((a, b) => a.position - b.position)
        .map((c) => ({ name: c.name, type: c.type, notNull: c.notNull, default: c.default })),
      constraints: (constraints.get(table) ?? [])
        .map((c) => ({ name: c.name, type: c.type, definition: c.definition }))
        .sort(byName),
      indexes: (indexes.get(table) ?? []).map((i) => ({ name: i.name, definition: i.definition })).sort(byName),
      sequences: (sequences.get(table) ?? [])
        .map((q) => ({ name: q.name, column: q.column, dataType: q.dataType }))
        .sort(byName),
    }))
    .sort(byName);
  return { schema, tables: result };
}
