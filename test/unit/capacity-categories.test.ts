import { describe, expect, it } from 'vitest';
import { DOCUMENT_TABLES, ESTIMATES, mapCategories, SECTIONS } from '../../src/capacity/categories.js';

describe('the category mapping', () => {
  it('covers the 31 tables of the document once each, in its 9 sections', () => {
    expect(DOCUMENT_TABLES).toHaveLength(31);
    expect(new Set(DOCUMENT_TABLES.map((t) => t.table)).size).toBe(31);
    expect(SECTIONS.map((s) => s.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const s of SECTIONS) expect(DOCUMENT_TABLES.some((t) => t.section === s.number)).toBe(true);
  });

  it("adds up to the document's ~450 GB a year", () => {
    expect(ESTIMATES.reduce((sum, e) => sum + e.gbPerYear, 0)).toBe(450);
  });

  it('maps by section heading, and says which tables have no estimate', () => {
    const mapping = mapCategories();
    const of = (table: string) => mapping.find((m) => m.table === table);
    expect(of('api_call_logs')).toMatchObject({ section: 1, category: 'integration', source: 'document' });
    expect(of('poams_extended')).toMatchObject({ section: 4, category: 'enhanced-management' });
    expect(of('ml_predictions')?.category).toBe('analytics');
    expect(of('approvals')?.category).toBe('workflow');
    expect(of('data_subject_requests')?.category).toBe('audit-security');
    expect(mapping.filter((m) => m.category === null).map((m) => m.table)).toEqual([
      'performance_metrics',
      'integration_health',
      'alerts',
      'report_templates',
      'generated_reports',
      'dashboards',
    ]);
    expect(mapping.filter((m) => m.category === 'enhanced-management')).toHaveLength(9);
  });

  it('lets an operator move a table, or take it out with none', () => {
    const mapping = mapCategories(['performance_metrics=analytics', 'sync_policies=none,alerts=audit-security']);
    const of = (table: string) => mapping.find((m) => m.table === table);
    expect(of('performance_metrics')).toMatchObject({ category: 'analytics', source: 'override' });
    expect(of('sync_policies')).toMatchObject({ category: null, source: 'override' });
    expect(of('alerts')?.category).toBe('audit-security');
  });

  it('names the first few problems of a flood of them and counts the rest, in a line of bounded length', () => {
    const flood = Array.from({ length: 30_000 }, (_, i) => `t${i}=analytics`);
    let message = '';
    try {
      mapCategories(flood);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(
      /"t0=analytics" is not table=category; .*"t4=analytics" is not table=category; and 29995 more \(categories: /,
    );
    expect(message.length).toBeLessThan(1_000);
  });

  it('refuses unknown tables and categories, a table given twice, and a malformed entry, all at once', () => {
    expect(() =>
      mapCategories(['nope=analytics', 'alerts=storage', 'alerts=workflow', 'alerts=analytics', 'junk']),
    ).toThrow(
      /"nope" is not a table of the document; "storage" is not a category; alerts is given twice; "junk" is not table=category/,
    );
    try {
      mapCategories(['x']);
    } catch (error) {
      expect((error as { exitCode: number }).exitCode).toBe(2);
    }
  });
});
