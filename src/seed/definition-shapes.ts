/**
 * The JSON shapes of report templates and dashboards (documented in the README, "Reference data"),
 * checked by the seed before it writes anything: a malformed definition is a bug in rasdb and
 * stops the run with every problem listed.
 */
import { ExitCode, RasdbError } from '../errors.js';
import { RULE_SETTINGS, type Rule } from './transforms.js';

type Json = Record<string, unknown>;

/** Collects every problem of one definition, then throws them together. */
export class ShapeCheck {
  readonly problems: string[] = [];

  constructor(readonly where: string) {}

  that(ok: boolean, problem: string): boolean {
    if (!ok) this.problems.push(problem);
    return ok;
  }

  object(value: unknown, path: string): value is Json {
    return this.that(value !== null && typeof value === 'object' && !Array.isArray(value), `${path} must be an object`);
  }

  list(value: unknown, path: string): value is unknown[] {
    return this.that(Array.isArray(value) && value.length > 0, `${path} must be a non-empty array`);
  }

  text(value: unknown, path: string): value is string {
    return this.that(typeof value === 'string' && value.trim() !== '', `${path} must be a non-empty string`);
  }

  integer(value: unknown, path: string, min = 0): value is number {
    return this.that(Number.isInteger(value) && (value as number) >= min, `${path} must be a whole number >= ${min}`);
  }

  oneOf(value: unknown, allowed: readonly string[], path: string): boolean {
    return this.that(
      allowed.includes(value as string),
      `${path} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`,
    );
  }

  unique(values: unknown[], path: string): void {
    const seen = new Set<unknown>();
    for (const value of values)
      this.that(!seen.has(value) && Boolean(seen.add(value)), `${path}: "${String(value)}" appears twice`);
  }

  done(): void {
    if (this.problems.length) {
      throw new RasdbError(
        ExitCode.failed,
        `internal error: ${this.where} is malformed (this is a bug in rasdb): ${this.problems.join('; ')}`,
      );
    }
  }
}

/** A mapping's transformation rule must name a known type with its settings. */
export function assertRule(where: string, rule: Rule | null): void {
  const check = new ShapeCheck(where);
  if (
    rule !== null &&
    check.object(rule, 'transformation_rule') &&
    check.oneOf(rule.type, Object.keys(RULE_SETTINGS), 'transformation_rule.type')
  ) {
    for (const setting of RULE_SETTINGS[rule.type])
      check.that(rule[setting] !== undefined, `transformation_rule.${setting} is required for ${rule.type}`);
  }
  check.done();
}

const SECTION_TYPES = ['metrics', 'table', 'text'] as const;
const WIDGET_TYPES = ['kpi', 'bar', 'line', 'table', 'gauge', 'pie'] as const;

/**
 * Checks a report_templates.template_definition against shape version 1.
 *
 * @example
 * assertReportDefinition('Executive summary', definition, new Set(['open_critical_high_findings']));
 */
export function assertReportDefinition(name: string, definition: unknown, metrics: ReadonlySet<string>): void {
  const check = new ShapeCheck(`report template "${name}"`);
  if (check.object(definition, 'template_definition')) {
    check.that(definition.version === 1, 'version must be 1');
    check.text(definition.title, 'title');
    if (check.list(definition.sections, 'sections')) {
      const sections = definition.sections as Json[];
      check.unique(
        sections.map((s) => s?.id),
        'sections[].id',
      );
      sections.forEach((section, i) => {
        const at = `sections[${i}]`;
        if (!check.object(section, at)) return;
        check.that(typeof section.id === 'string' && /^[a-z0-9_]+$/.test(section.id), `${at}.id must match [a-z0-9_]+`);
        check.text(section.title, `${at}.title`);
        if (!check.oneOf(section.type, SECTION_TYPES, `${at}.type`)) return;
        if (section.type === 'metrics' && check.list(section.metrics, `${at}.metrics`)) {
          for (const metric of section.metrics)
            check.that(metrics.has(metric as string), `${at}.metrics: "${String(metric)}" is not a seeded metric`);
        }
        if (section.type === 'text') check.text(section.body, `${at}.body`);
        if (section.type === 'table') {
          check.that(
            typeof section.query === 'string' &&
              /^\s*(select|with)\b/i.test(section.query) &&
              !section.query.includes(';'),
            `${at}.query must be one SELECT or WITH statement without ';'`,
          );
          if (check.list(section.columns, `${at}.columns`)) {
            const columns = section.columns as Json[];
            columns.forEach(
              (column, j) =>
                check.object(column, `${at}.columns[${j}]`) && check.text(column.name, `${at}.columns[${j}].name`),
            );
            check.unique(
              columns.map((column) => column?.name),
              `${at}.columns[].name`,
            );
          }
        }
      });
    }
  }
  check.done();
}

/**
 * Checks a dashboard's layout_config and widget_config (shape version 1): every widget placed
 * exactly once, inside the grid, without overlapping another, and showing a seeded metric.
 */
export function assertDashboard(name: string, layout: unknown, widgets: unknown, metrics: ReadonlySet<string>): void {
  const check = new ShapeCheck(`dashboard "${name}"`);
  if (check.object(widgets, 'widget_config') && check.object(layout, 'layout_config')) {
    check.that(widgets.version === 1 && layout.version === 1, 'both configs must have version 1');
    const columns = check.integer(layout.columns, 'layout_config.columns', 1) ? layout.columns : 12;
    const list = check.list(widgets.widgets, 'widget_config.widgets') ? (widgets.widgets as Json[]) : [];
    const items = check.list(layout.items, 'layout_config.items') ? (layout.items as Json[]) : [];
    check.unique(
      list.map((w) => w.id),
      'widget_config.widgets[].id',
    );
    for (const widget of list) {
      check.text(widget.title, `widget ${String(widget.id)}: title`);
      check.oneOf(widget.type, WIDGET_TYPES, `widget ${String(widget.id)}: type`);
      check.that(
        metrics.has(widget.metric as string),
        `widget ${String(widget.id)}: "${String(widget.metric)}" is not a seeded metric`,
      );
      check.that(
        items.filter((item) => item.widget === widget.id).length === 1,
        `widget ${String(widget.id)} must be placed exactly once`,
      );
    }
    const cells = new Set<string>();
    for (const item of items) {
      const at = `layout item ${String(item.widget)}`;
      check.that(
        list.some((widget) => widget.id === item.widget),
        `${at}: no such widget`,
      );
      const fits =
        ['x', 'y'].every((k) => check.integer(item[k], `${at}.${k}`)) &&
        ['w', 'h'].every((k) => check.integer(item[k], `${at}.${k}`, 1));
      if (!fits || !check.that((item.x as number) + (item.w as number) <= columns, `${at} is wider than the grid`))
        continue;
      for (let x = item.x as number; x < (item.x as number) + (item.w as number); x++) {
        for (let y = item.y as number; y < (item.y as number) + (item.h as number); y++) {
          check.that(!cells.has(`${x},${y}`), `${at} overlaps another widget at ${x},${y}`);
          cells.add(`${x},${y}`);
        }
      }
    }
  }
  check.done();
}
