import type { DB } from '../../generated/db.js';
import { option, usageError } from '../errors.js';

/** The five categories of the design document's "Estimated Storage Requirements". */
export type CategoryName = 'integration' | 'analytics' | 'audit-security' | 'workflow' | 'enhanced-management';

export interface CategoryEstimate {
  readonly name: CategoryName;
  readonly title: string;
  /** Data added per year, as the document estimates it, in GB (read as GiB, as pg_size_pretty prints). */
  readonly gbPerYear: number;
}

export const ESTIMATES: readonly CategoryEstimate[] = [
  { name: 'integration', title: 'Integration Tables', gbPerYear: 50 },
  { name: 'analytics', title: 'Analytics Tables', gbPerYear: 200 },
  { name: 'audit-security', title: 'Audit/Security Tables', gbPerYear: 100 },
  { name: 'workflow', title: 'Workflow Tables', gbPerYear: 25 },
  { name: 'enhanced-management', title: 'Enhanced Management', gbPerYear: 75 },
];

export const GIB = 1024 ** 3;

type ColumnOf<T extends keyof DB> = keyof DB[T] & string;

/** A table of the document, the column that tells when its rows arrived, and its section. */
export interface DocumentTable {
  readonly table: keyof DB;
  readonly timeColumn: string;
  readonly section: number;
}

function t<T extends keyof DB>(section: number, table: T, timeColumn: ColumnOf<T>): DocumentTable {
  return { table, timeColumn, section };
}

/**
 * The document's numbered sections ("## 1. External System Integration Tables" ...) and the
 * estimate category each heading falls under: §2-4 are the "extended asset/vuln data" of
 * Enhanced Management; §8 (performance and monitoring) and §9 (reporting) have no estimate.
 */
export const SECTIONS: readonly { number: number; title: string; category: CategoryName | null }[] = [
  { number: 1, title: 'External System Integration', category: 'integration' },
  { number: 2, title: 'Enhanced Asset Management', category: 'enhanced-management' },
  { number: 3, title: 'Vulnerability Intelligence', category: 'enhanced-management' },
  { number: 4, title: 'Compliance & Controls Enhancement', category: 'enhanced-management' },
  { number: 5, title: 'Analytics & Intelligence', category: 'analytics' },
  { number: 6, title: 'Workflow & Automation', category: 'workflow' },
  { number: 7, title: 'Advanced Security & Audit', category: 'audit-security' },
  { number: 8, title: 'Performance & Monitoring', category: null },
  { number: 9, title: 'Advanced Reporting', category: null },
];

/** The 31 tables in the document's order, each with its arrival time column. */
export const DOCUMENT_TABLES: readonly DocumentTable[] = [
  t(1, 'external_systems', 'created_at'),
  t(1, 'integration_operations', 'started_at'),
  t(1, 'api_call_logs', 'called_at'),
  t(1, 'data_field_mappings', 'created_at'),
  t(1, 'sync_policies', 'created_at'),
  t(1, 'sync_conflicts', 'created_at'),
  t(2, 'assets_extended', 'created_at'),
  t(2, 'asset_configurations', 'discovered_at'),
  t(2, 'asset_changes', 'detected_at'),
  t(3, 'vulnerability_intelligence', 'created_at'),
  t(3, 'vulnerability_remediation', 'created_at'),
  t(3, 'vulnerability_risk_assessments', 'assessment_date'),
  t(4, 'controls_extended', 'created_at'),
  t(4, 'control_evidence', 'collected_at'),
  t(4, 'poams_extended', 'created_at'),
  t(5, 'metrics_definitions', 'created_at'),
  t(5, 'metrics_values', 'created_at'),
  t(5, 'ml_models', 'created_at'),
  t(5, 'ml_predictions', 'prediction_date'),
  t(6, 'workflows', 'created_at'),
  t(6, 'workflow_executions', 'started_at'),
  t(6, 'approvals', 'created_at'),
  t(7, 'security_events_extended', 'occurred_at'),
  t(7, 'data_access_logs', 'accessed_at'),
  t(7, 'data_subject_requests', 'created_at'),
  t(8, 'performance_metrics', 'recorded_at'),
  t(8, 'integration_health', 'checked_at'),
  t(8, 'alerts', 'created_at'),
  t(9, 'report_templates', 'created_at'),
  t(9, 'generated_reports', 'generated_at'),
  t(9, 'dashboards', 'created_at'),
];

/** Where a table's category came from. */
export type MappingSource = 'document' | 'override';

export interface TableCategory extends DocumentTable {
  readonly sectionTitle: string;
  /** Null: the document gives this table's section no estimate (and no override gave it one). */
  readonly category: CategoryName | null;
  readonly source: MappingSource;
}

/**
 * Each document table with its category: the document's headings, then the operator's
 * `table=category` overrides (`none` takes a table out of every category). Refuses (exit 2) an
 * unknown table or category, or a table given twice, naming them all.
 *
 * @example
 * mapCategories(['performance_metrics=analytics']).find((m) => m.table === 'performance_metrics')?.category // 'analytics'
 */
export function mapCategories(overrides: readonly string[] = []): TableCategory[] {
  const parsed = parseOverrides(overrides);
  return DOCUMENT_TABLES.map((table) => {
    const section = SECTIONS.find((s) => s.number === table.section);
    if (!section) throw new Error(`bug: ${table.table} names section ${table.section}, which does not exist`);
    const override = parsed.get(table.table);
    return {
      section: table.section,
      table: table.table,
      timeColumn: table.timeColumn,
      sectionTitle: section.title,
      category: override === undefined ? section.category : override,
      source: override === undefined ? 'document' : 'override',
    };
  });
}

/** How many of the override problems one usage line names. */
const SHOWN_PROBLEMS = 5;

function parseOverrides(overrides: readonly string[]): Map<string, CategoryName | null> {
  const known = new Set<string>(DOCUMENT_TABLES.map((d) => d.table));
  const names = new Set<string>(ESTIMATES.map((e) => e.name));
  const result = new Map<string, CategoryName | null>();
  const problems: string[] = [];
  for (const entry of overrides
    .flatMap((o) => o.split(','))
    .map((o) => o.trim())
    .filter(Boolean)) {
    const match = /^([a-z_]+)=([a-z-]+)$/.exec(entry);
    if (!match) problems.push(`"${entry}" is not table=category`);
    else if (!known.has(match[1])) problems.push(`"${match[1]}" is not a table of the document`);
    else if (match[2] !== 'none' && !names.has(match[2])) problems.push(`"${match[2]}" is not a category`);
    else if (result.has(match[1])) problems.push(`${match[1]} is given twice`);
    else result.set(match[1], match[2] === 'none' ? null : (match[2] as CategoryName));
  }
  if (problems.length) {
    // A generated list of overrides can be wrong thousands of times: the line names the first few.
    const shown = problems.slice(0, SHOWN_PROBLEMS).join('; ');
    const more = problems.length > SHOWN_PROBLEMS ? `; and ${problems.length - SHOWN_PROBLEMS} more` : '';
    throw usageError(`${option('category')}: ${shown}${more} (categories: ${[...names].join(', ')}, or none)`);
  }
  return result;
}
