/**
 * The `controls` set: NIST SP 800-53 Rev 5 and FedRAMP Rev 5 controls in controls_extended, and
 * their baseline memberships in control_baselines (migration 3004).
 *
 * The seed owns only the existence of these rows: a control's identity (framework, label) and its
 * baseline memberships. Every other column of controls_extended (implementation and assessment
 * status, owners, guidance, dates) is the operator's, so `owned` is empty and a re-run never
 * touches those columns. Withdrawn NIST controls are not seeded.
 */
import { readReferenceCsv } from '../../src/seed/reference-files.js';
import { defineTable, type BuiltSet } from '../../src/seed/types.js';

export const NIST_FRAMEWORK = 'nist_800_53';
export const FEDRAMP_FRAMEWORK = 'fedramp';

/** Baselines per framework: the column of the reference file and the value stored in control_baselines. */
export const BASELINES = {
  [NIST_FRAMEWORK]: ['low', 'moderate', 'high', 'privacy'],
  [FEDRAMP_FRAMEWORK]: ['low', 'moderate', 'high', 'li_saas'],
} as const;

interface Catalog {
  framework: keyof typeof BASELINES;
  rows: Record<string, string>[];
}

/**
 * Builds the set from seeds/reference/nist-800-53-rev5.csv and fedramp-rev5-baselines.csv.
 *
 * @example
 * controlsSet().tables[0].rows.length // 1,421: 1,011 NIST + 410 FedRAMP
 */
export function controlsSet(): BuiltSet {
  const catalogs: Catalog[] = [
    {
      framework: NIST_FRAMEWORK,
      rows: readReferenceCsv('nist-800-53-rev5.csv').filter((row) => row.withdrawn === '0'),
    },
    { framework: FEDRAMP_FRAMEWORK, rows: readReferenceCsv('fedramp-rev5-baselines.csv') },
  ];
  const controls = defineTable({
    table: 'controls_extended',
    key: ['framework', 'control_id'],
    owned: [],
    rows: catalogs.flatMap(({ framework, rows }) =>
      rows.map((row) => ({ key: `${framework}/${row.label}`, values: { framework, control_id: row.label } })),
    ),
  });
  const baselines = defineTable({
    table: 'control_baselines',
    key: ['control_id', 'baseline'],
    owned: [],
    lookups: { control_id: { table: 'controls_extended', key: ['framework', 'control_id'] } },
    rows: catalogs.flatMap(({ framework, rows }) =>
      rows.flatMap((row) =>
        BASELINES[framework]
          .filter((baseline) => row[baseline] === '1')
          .map((baseline) => ({
            key: `${framework}/${row.label}/${baseline}`,
            values: { baseline },
            parents: { control_id: [framework, row.label] },
          })),
      ),
    ),
  });
  return { tables: [controls, baselines] };
}
