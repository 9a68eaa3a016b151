import type { TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../db/atomic-file.js';
import type { CapacityReport } from './capacity.js';
import { GIB } from './categories.js';
import { DAYS_PER_YEAR, projectStock, sumProjections } from './projection.js';

/** Years drawn: every year from now to the last horizon. */
const YEARS = [0, 1, 2, 3, 4, 5, 6, 7];

/** One point of the chart: a category's stock (GiB) at a year, projected or as the document estimates it. */
export interface ChartPoint {
  readonly category: string;
  readonly year: number;
  readonly gib: number;
  readonly series: 'projected (retention in force)' | 'no retention' | 'document estimate x years';
}

/**
 * The chart's data: per category, the projected stock under retention and without it, and the
 * document's yearly estimate accumulated year by year (its figures are flows; kept for ever they
 * add up so). Pure.
 *
 * @example
 * chartPoints(report).filter((p) => p.category === 'integration' && p.year === 7)
 */
export function chartPoints(report: CapacityReport): ChartPoint[] {
  const points: ChartPoint[] = [];
  for (const c of report.categories) {
    const members = report.tables.filter((t) => c.tables.includes(t.table));
    const stock = sumProjections(
      members.map((t) => projectStock(t.bytesPerYear / DAYS_PER_YEAR, t.keep, YEARS)),
      YEARS,
    );
    for (const s of stock) {
      points.push({
        category: c.name,
        year: s.years,
        gib: s.withRetention / GIB,
        series: 'projected (retention in force)',
      });
      points.push({ category: c.name, year: s.years, gib: s.withoutRetention / GIB, series: 'no retention' });
      if (c.estimateBytes !== null)
        points.push({
          category: c.name,
          year: s.years,
          gib: (c.estimateBytes * s.years) / GIB,
          series: 'document estimate x years',
        });
    }
  }
  return points;
}

/**
 * The Vega-Lite specification: one small panel per category (its own y scale), years 0-7 across.
 *
 * @example
 * chartSpec(report).facet // { field: 'category', ... }
 */
export function chartSpec(report: CapacityReport): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Projected stock per category over 7 years, against the design estimate`,
      // To the second, as the terminal table prints it.
      subtitle: `flow measured over the last ${report.windowDays} days as of ${report.asOf.replace(/\.\d+$/, '')} ${report.timeZone}`,
    },
    data: { values: chartPoints(report) },
    columns: 3,
    facet: { field: 'category', type: 'nominal', title: null, sort: report.categories.map((c) => c.name) },
    spec: {
      width: 220,
      height: 150,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'year', type: 'quantitative', title: 'years', scale: { domain: [0, 7] } },
        y: { field: 'gib', type: 'quantitative', title: 'GiB on disk' },
        color: {
          field: 'series',
          type: 'nominal',
          title: null,
          scale: {
            domain: ['projected (retention in force)', 'no retention', 'document estimate x years'],
            range: ['#1f77b4', '#aaaaaa', '#d62728'],
          },
        },
        strokeDash: {
          field: 'series',
          type: 'nominal',
          title: null,
          scale: {
            domain: ['projected (retention in force)', 'no retention', 'document estimate x years'],
            range: [
              [1, 0],
              [2, 2],
              [6, 3],
            ],
          },
        },
      },
    },
    resolve: { scale: { y: 'independent' } },
    config: { legend: { orient: 'top', labelLimit: 260 } },
  };
}

/**
 * Renders the chart to SVG with Vega (headless: no canvas, no browser) and writes it atomically.
 * Vega is loaded here only, so commands without --chart never load it.
 *
 * @example
 * await writeCapacityChart('capacity.svg', report) // { path: 'capacity.svg', bytes: 48213 }
 */
export async function writeCapacityChart(
  path: string,
  report: CapacityReport,
): Promise<{ path: string; bytes: number }> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vegaLite.compile(chartSpec(report)).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  writeFileAtomic(path, svg);
  return { path, bytes: Buffer.byteLength(svg) };
}
