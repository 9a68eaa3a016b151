/** The checks the seed runs on its own definitions before writing, and the mapping rules; no database. */
import { describe, expect, it } from 'vitest';
import { assertNoSecrets, resolveReferences } from '../src/seed/connection-config.js';
import { assertDashboard, assertReportDefinition, assertRule } from '../src/seed/definition-shapes.js';
import { mapRecord, type FieldMapping } from '../src/seed/field-mapping.js';
import { parseCsv } from '../src/seed/reference-files.js';
import { transform } from '../src/seed/transforms.js';
import { assertWorkflow } from '../src/seed/workflow-shape.js';
import { WORKFLOWS } from '../seeds/sets/workflows.js';
import { integrationsSet } from '../seeds/sets/integrations.js';
import { metricsSet } from '../seeds/sets/metrics.js';
import { reportsSet } from '../seeds/sets/reports.js';
import { workflowsSet } from '../seeds/sets/workflows.js';

const METRICS = new Set(['m1', 'm2']);

describe('definition shapes', () => {
  it('the shipped sets pass their own checks', () => {
    expect(() => [integrationsSet(), metricsSet(), reportsSet(), workflowsSet()]).not.toThrow();
    expect(metricsSet().tables[0].rows.length).toBeGreaterThanOrEqual(15);
  });

  it('a report template lists every problem: unknown metric, bad section type, a query with two statements', () => {
    const bad = {
      version: 1,
      title: 'T',
      sections: [
        { id: 'a', title: 'A', type: 'metrics', metrics: ['m1', 'nope'] },
        { id: 'b', title: 'B', type: 'chart' },
        { id: 'c', title: 'C', type: 'table', query: 'SELECT 1; DROP TABLE users', columns: [{ name: 'x' }] },
      ],
    };
    expect(() => assertReportDefinition('T', bad, METRICS)).toThrow(
      /"nope" is not a seeded metric.*sections\[1\]\.type must be one of.*one SELECT or WITH statement/,
    );
  });

  it('a dashboard may not overlap widgets, leave one unplaced, or go past the grid', () => {
    const widgets = {
      version: 1,
      widgets: [
        { id: 'w1', title: 'W', type: 'kpi', metric: 'm1' },
        { id: 'w2', title: 'W', type: 'bar', metric: 'm2' },
      ],
    };
    const layout = {
      version: 1,
      columns: 12,
      items: [
        { widget: 'w1', x: 0, y: 0, w: 6, h: 2 },
        { widget: 'w2', x: 4, y: 1, w: 10, h: 2 },
      ],
    };
    expect(() => assertDashboard('D', layout, widgets, METRICS)).toThrow(/wider than the grid/);
    layout.items[1] = { widget: 'w2', x: 4, y: 1, w: 4, h: 2 };
    expect(() => assertDashboard('D', layout, widgets, METRICS)).toThrow(/overlaps another widget at 4,1/);
    layout.items.pop();
    expect(() => assertDashboard('D', layout, widgets, METRICS)).toThrow(/widget w2 must be placed exactly once/);
  });

  it('a workflow must reach an end from its start, and its approval columns must match its approval steps', () => {
    const base = WORKFLOWS[0];
    const steps = structuredClone(base.workflow_steps) as { start: string; steps: { id: string; next?: string }[] };
    steps.steps = steps.steps.map((step) => (step.id === 'remediate' ? { ...step, next: 'nowhere' } : step));
    expect(() =>
      assertWorkflow({
        ...base,
        workflow_steps: steps,
        approval_required: true,
        approval_roles: ['authorizing_official'],
      } as never),
    ).toThrow(/step remediate leads to "nowhere", which is not a step/);
    expect(() => assertWorkflow({ ...base, approval_required: false, approval_roles: [] } as never)).toThrow(
      /approval_required must be true exactly when.*approver_role "authorizing_official" must be listed/,
    );
  });

  it('a mapping rule must be a known type with its settings', () => {
    expect(() => assertRule('m', { type: 'lookup' })).toThrow(/transformation_rule.map is required for lookup/);
    expect(() => assertRule('m', { type: 'uppercase' })).toThrow(/must be one of/);
  });
});

describe('connection_config references', () => {
  it('refuses a secret in place of a reference', () => {
    expect(() => assertNoSecrets('x', { credentials: { secret_key: 'abc123' } })).toThrow(/credentials.secret_key/);
    expect(() => assertNoSecrets('x', { api_key: 'abc123' })).toThrow(/api_key/);
    expect(() =>
      assertNoSecrets('x', { credentials: { secret_key: { env: 'S' }, cert: { file: '/run/secrets/c' } }, timeout: 5 }),
    ).not.toThrow();
  });

  it('resolves env and file references, naming a missing variable but never a value', () => {
    const config = { credentials: { key: { env: 'K' }, cert: { file: '/x' } }, timeout: 5 };
    expect(resolveReferences(config, { K: 'v1' }, () => 'pem\n')).toEqual({
      credentials: { key: 'v1', cert: 'pem' },
      timeout: 5,
    });
    expect(() => resolveReferences(config, {}, () => '')).toThrow(/credentials.key: environment variable K is not set/);
  });
});

describe('transformation rules and the mapper', () => {
  const ctx = { record: {} };
  it('reads CVSS 3 vectors with or without the CVSS:3.x prefix, and computes the exploitability sub-score', () => {
    const pr = { type: 'cvss_vector', metric: 'PR', map: { N: 'none', L: 'low', H: 'high' } };
    expect(transform(pr, 'AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', ctx)).toBe('low');
    expect(transform(pr, 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H', ctx)).toBe('high');
    expect(transform({ type: 'cvss3_exploitability' }, 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', ctx)).toBe(3.9);
    expect(transform({ type: 'cvss3_exploitability' }, 'AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', ctx)).toBe(1.8);
    expect(transform({ type: 'timestamp_utc' }, '2018-03-14T20:43:04.159Z', ctx)).toBe('2018-03-14 20:43:04.159');
    expect(transform({ type: 'milestones' }, '(1) Test - 2026-01-31\n(2) Deploy - 2026-02-28', ctx)).toEqual([
      { number: 1, description: 'Test', due_date: '2026-01-31' },
      { number: 2, description: 'Deploy', due_date: '2026-02-28' },
    ]);
  });

  it('rejects a record whose required field fails, keeps going on an optional one', () => {
    const mappings: FieldMapping[] = [
      {
        external_field_name: 'id',
        internal_field_name: 't.id',
        transformation_rule: null,
        validation_rules: { type: 'uuid' },
        is_required: true,
        default_value: null,
      },
      {
        external_field_name: 'sev',
        internal_field_name: 't.sev',
        transformation_rule: { type: 'lookup', map: { high: 3 } },
        validation_rules: null,
        is_required: false,
        default_value: null,
      },
      {
        external_field_name: 'x.flag',
        internal_field_name: 't.doc.flag',
        transformation_rule: { type: 'boolean' },
        validation_rules: null,
        is_required: false,
        default_value: 'false',
      },
    ];
    const good = mapRecord({ id: '2d520484-6b83-4c63-b3d0-bf094315cc0f', sev: 'high' }, mappings);
    expect(good).toEqual({
      rows: { t: { id: '2d520484-6b83-4c63-b3d0-bf094315cc0f', sev: 3, doc: { flag: 'false' } } },
      errors: [],
    });
    const bad = mapRecord({ id: 'not-a-uuid', sev: 'weird' }, mappings);
    expect(bad.errors).toEqual([
      'id: "not-a-uuid" is not a UUID',
      'id: required, but empty',
      'sev: "weird" has no entry in the lookup (high)',
    ]);
  });

  it('parses quoted CSV fields', () => {
    expect(parseCsv('a,b\n"x, y","say ""hi"""\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
    ]);
  });
});
