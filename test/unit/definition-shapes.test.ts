import { describe, expect, it } from 'vitest';
import { ExitCode, RasdbError } from '../../src/errors.js';
import { assertDashboard, assertReportDefinition, assertRule, ShapeCheck } from '../../src/seed/definition-shapes.js';
import { assertWorkflow, type WorkflowColumns } from '../../src/seed/workflow-shape.js';

const METRICS = new Set(['open_findings', 'mean_time_to_remediate']);

/** The problems a check lists, in order; none when it passes. */
function problems(run: () => void): string[] {
  try {
    run();
    return [];
  } catch (error) {
    if (!(error instanceof RasdbError)) throw error;
    expect(error.exitCode).toBe(ExitCode.failed);
    return error.message.replace(/^internal error: .*? is malformed \(this is a bug in rasdb\): /, '').split('; ');
  }
}

describe('ShapeCheck', () => {
  it('collects every problem and throws them together, as a bug in rasdb', () => {
    const check = new ShapeCheck('thing "x"');
    expect(check.text('', 'name')).toBe(false);
    expect(check.integer(-1, 'size')).toBe(false);
    expect(check.integer(3, 'size')).toBe(true);
    expect(() => check.done()).toThrow(
      'internal error: thing "x" is malformed (this is a bug in rasdb): ' +
        'name must be a non-empty string; size must be a whole number >= 0',
    );
  });

  it('tells objects from arrays and null, and wants lists non-empty', () => {
    const check = new ShapeCheck('t');
    expect([check.object({}, 'a'), check.object([], 'b'), check.object(null, 'c')]).toEqual([true, false, false]);
    expect([check.list([1], 'd'), check.list([], 'e'), check.list('x', 'f')]).toEqual([true, false, false]);
    check.unique(['p', 'q', 'p'], 'ids');
    expect(check.problems).toEqual([
      'b must be an object',
      'c must be an object',
      'e must be a non-empty array',
      'f must be a non-empty array',
      'ids: "p" appears twice',
    ]);
  });

  it('does not throw when nothing is wrong', () => {
    const check = new ShapeCheck('t');
    check.oneOf('a', ['a', 'b'], 'kind');
    expect(() => check.done()).not.toThrow();
  });
});

describe('assertRule', () => {
  it('accepts no rule and known rules with their settings', () => {
    expect(problems(() => assertRule('m', null))).toEqual([]);
    expect(problems(() => assertRule('m', { type: 'truncate', length: 10 }))).toEqual([]);
  });

  it('names each missing setting', () => {
    expect(problems(() => assertRule('m', { type: 'cvss_vector' }))).toEqual([
      'transformation_rule.metric is required for cvss_vector',
      'transformation_rule.map is required for cvss_vector',
    ]);
  });
});

describe('assertReportDefinition', () => {
  const good = {
    version: 1,
    title: 'Executive summary',
    sections: [
      { id: 'kpis', title: 'KPIs', type: 'metrics', metrics: ['open_findings'] },
      { id: 'notes', title: 'Notes', type: 'text', body: 'Read me' },
      {
        id: 'top',
        title: 'Top',
        type: 'table',
        query: 'WITH x AS (SELECT 1) SELECT * FROM x',
        columns: [{ name: 'a' }],
      },
    ],
  };

  it('accepts a well-formed template', () => {
    expect(problems(() => assertReportDefinition('R', good, METRICS))).toEqual([]);
  });

  it('lists every problem of a bad one', () => {
    const bad = {
      version: 2,
      title: ' ',
      sections: [
        { id: 'Bad Id', title: 'A', type: 'text', body: '' },
        {
          id: 'Bad Id',
          title: 'B',
          type: 'table',
          query: 'DELETE FROM users',
          columns: [{ name: 'a' }, { name: 'a' }],
        },
      ],
    };
    expect(problems(() => assertReportDefinition('R', bad, METRICS))).toEqual([
      'version must be 1',
      'title must be a non-empty string',
      'sections[].id: "Bad Id" appears twice',
      'sections[0].id must match [a-z0-9_]+',
      'sections[0].body must be a non-empty string',
      'sections[1].id must match [a-z0-9_]+',
      "sections[1].query must be one SELECT or WITH statement without ';'",
      'sections[1].columns[].name: "a" appears twice',
    ]);
  });
});

describe('assertDashboard', () => {
  const widgets = {
    version: 1,
    widgets: [
      { id: 'w1', title: 'Open', type: 'kpi', metric: 'open_findings' },
      { id: 'w2', title: 'MTTR', type: 'line', metric: 'mean_time_to_remediate' },
    ],
  };
  const layout = (second: Record<string, unknown>) => ({
    version: 1,
    columns: 12,
    items: [
      { widget: 'w1', x: 0, y: 0, w: 6, h: 2 },
      { widget: 'w2', ...second },
    ],
  });

  it('accepts widgets side by side that fill the grid exactly', () => {
    expect(problems(() => assertDashboard('D', layout({ x: 6, y: 0, w: 6, h: 2 }), widgets, METRICS))).toEqual([]);
  });

  it('refuses overlap at the first shared cell, and widgets past the grid', () => {
    expect(problems(() => assertDashboard('D', layout({ x: 5, y: 1, w: 2, h: 1 }), widgets, METRICS))).toEqual([
      'layout item w2 overlaps another widget at 5,1',
    ]);
    expect(problems(() => assertDashboard('D', layout({ x: 7, y: 0, w: 6, h: 1 }), widgets, METRICS))).toEqual([
      'layout item w2 is wider than the grid',
    ]);
  });

  it('refuses unknown metrics and types, and items for no widget', () => {
    const odd = { version: 1, widgets: [{ ...widgets.widgets[0], type: 'radar', metric: 'nope' }, widgets.widgets[1]] };
    const extra = { ...layout({ x: 6, y: 0, w: 6, h: 2 }) };
    extra.items = [...extra.items, { widget: 'w9', x: 0, y: 5, w: 1, h: 1 }];
    expect(problems(() => assertDashboard('D', extra, odd, METRICS))).toEqual([
      'widget w1: type must be one of kpi, bar, line, table, gauge, pie (got "radar")',
      'widget w1: "nope" is not a seeded metric',
      'layout item w9: no such widget',
    ]);
  });
});

describe('assertWorkflow', () => {
  const step = (id: string, type: string, rest: Record<string, unknown> = {}) => ({ id, name: id, type, ...rest });
  const workflow = (steps: unknown[], rest: Partial<WorkflowColumns> = {}): WorkflowColumns => ({
    workflow_name: 'W',
    trigger_conditions: {
      version: 1,
      event: 'vulnerability.detected',
      match: 'all',
      conditions: [{ field: 'x', operator: 'exists' }],
    },
    workflow_steps: { version: 1, start: 'a', steps },
    approval_required: false,
    approval_roles: null,
    ...rest,
  });
  const approval = {
    approval_type: 'poam_closure',
    approver_role: 'ao',
    on_approve: 'end',
    on_reject: 'a',
    expires_after_hours: 24,
  };
  const task = (id: string, next: string) => step(id, 'task', { assignee_role: 'r', next });

  it('accepts a graph from start to an end, with its approvals listed', () => {
    expect(problems(() => assertWorkflow(workflow([task('a', 'end'), step('end', 'end')])))).toEqual([]);
    const approvalSteps = [step('a', 'approval', { approval }), step('end', 'end')];
    const approving = workflow(approvalSteps, { approval_required: true, approval_roles: ['ao'] });
    expect(problems(() => assertWorkflow(approving))).toEqual([]);
  });

  it('finds steps that lead nowhere, cannot be reached, or a graph without an end', () => {
    const steps = [task('a', 'ghost'), step('orphan', 'notification', { next: 'a' })];
    expect(problems(() => assertWorkflow(workflow(steps)))).toEqual([
      'step a leads to "ghost", which is not a step',
      'there must be an end step',
      'step orphan cannot be reached from start',
    ]);
  });

  it('wants approval_required and approval_roles to agree with the approval steps', () => {
    const steps = [step('a', 'approval', { approval }), step('end', 'end')];
    expect(problems(() => assertWorkflow(workflow(steps, { approval_roles: ['isso'] })))).toEqual([
      'approval_required must be true exactly when the workflow has an approval step',
      'approver_role "ao" must be listed in approval_roles',
    ]);
  });

  it('checks trigger conditions: event, match and a value for every operator but exists', () => {
    const trigger = { version: 1, event: 'detected', match: 'some', conditions: [{ field: 'x', operator: 'eq' }] };
    const steps = [task('a', 'end'), step('end', 'end')];
    expect(problems(() => assertWorkflow(workflow(steps, { trigger_conditions: trigger })))).toEqual([
      'trigger_conditions.event must look like entity.event',
      'trigger_conditions.match must be one of all, any (got "some")',
      'trigger_conditions.conditions[0].value is required for eq',
    ]);
  });
});
