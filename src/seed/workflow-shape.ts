/**
 * The JSON shape of workflows.trigger_conditions and workflows.workflow_steps (version 1), checked
 * by the seed before it writes: steps form a graph from `start` to at least one `end`, every
 * target exists, every step is reachable, and the row's approval_required / approval_roles agree
 * with the approval steps it contains.
 */
import { ShapeCheck } from './definition-shapes.js';

type Json = Record<string, unknown>;

const STEP_TYPES = ['task', 'decision', 'approval', 'integration', 'notification', 'end'] as const;
const OPERATORS = ['eq', 'neq', 'in', 'gt', 'gte', 'lt', 'lte', 'exists'] as const;
/** The approval types of the approvals table (design document, section 6). */
const APPROVAL_TYPES = ['vulnerability_acceptance', 'remediation_plan', 'poam_closure'] as const;

export interface WorkflowColumns {
  workflow_name: string;
  trigger_conditions: unknown;
  workflow_steps: unknown;
  approval_required: boolean;
  approval_roles: readonly string[] | null;
}

/**
 * @example
 * assertWorkflow(row) // throws, listing every problem, when the graph or the columns disagree
 */
export function assertWorkflow(row: WorkflowColumns): void {
  const check = new ShapeCheck(`workflow "${row.workflow_name}"`);
  const trigger = row.trigger_conditions;
  if (check.object(trigger, 'trigger_conditions')) {
    check.that(trigger.version === 1, 'trigger_conditions.version must be 1');
    check.that(
      typeof trigger.event === 'string' && /^[a-z_]+\.[a-z_]+$/.test(trigger.event),
      'trigger_conditions.event must look like entity.event',
    );
    check.oneOf(trigger.match, ['all', 'any'], 'trigger_conditions.match');
    if (Array.isArray(trigger.conditions))
      (trigger.conditions as Json[]).forEach((c, i) => condition(check, c, `trigger_conditions.conditions[${i}]`));
    else check.that(false, 'trigger_conditions.conditions must be an array');
  }
  const definition = row.workflow_steps;
  if (check.object(definition, 'workflow_steps') && check.list(definition.steps, 'workflow_steps.steps')) {
    check.that(definition.version === 1, 'workflow_steps.version must be 1');
    const steps = definition.steps as Json[];
    const ids = new Set(steps.map((step) => step.id as string));
    check.unique(
      steps.map((step) => step.id),
      'steps[].id',
    );
    check.that(ids.has(definition.start as string), `start "${String(definition.start)}" is not a step`);
    const edges = new Map<string, string[]>();
    for (const step of steps) edges.set(step.id as string, stepTargets(check, step, ids));
    check.that(
      steps.some((step) => step.type === 'end'),
      'there must be an end step',
    );
    const reached = new Set<string>();
    const visit = (id: string): void => {
      if (reached.has(id) || !ids.has(id)) return;
      reached.add(id);
      for (const next of edges.get(id) ?? []) visit(next);
    };
    visit(definition.start as string);
    for (const id of ids) check.that(reached.has(id), `step ${id} cannot be reached from start`);
    const approvals = steps.filter((step) => step.type === 'approval').map((step) => step.approval as Json | undefined);
    check.that(
      row.approval_required === approvals.length > 0,
      'approval_required must be true exactly when the workflow has an approval step',
    );
    for (const approval of approvals) {
      check.that(
        (row.approval_roles ?? []).includes(approval?.approver_role as string),
        `approver_role "${String(approval?.approver_role)}" must be listed in approval_roles`,
      );
    }
  }
  check.done();
}

function condition(check: ShapeCheck, value: unknown, at: string): void {
  if (!check.object(value, at)) return;
  check.text(value.field, `${at}.field`);
  check.oneOf(value.operator, OPERATORS, `${at}.operator`);
  check.that(
    value.operator === 'exists' || value.value !== undefined,
    `${at}.value is required for ${String(value.operator)}`,
  );
}

/** The steps one step can lead to, after checking the fields its type needs. */
function stepTargets(check: ShapeCheck, step: Json, ids: ReadonlySet<string>): string[] {
  const at = `step ${String(step.id)}`;
  check.text(step.name, `${at}.name`);
  if (!check.oneOf(step.type, STEP_TYPES, `${at}.type`)) return [];
  const targets: string[] = [];
  if (step.type === 'decision') {
    if (check.list(step.branches, `${at}.branches`)) {
      for (const branch of step.branches as Json[]) {
        condition(check, branch.when, `${at}.branches[].when`);
        targets.push(branch.next as string);
      }
    }
    targets.push(step.default as string);
  } else if (step.type === 'approval') {
    const approval = step.approval as Json | undefined;
    if (check.object(approval, `${at}.approval`)) {
      check.oneOf(approval.approval_type, APPROVAL_TYPES, `${at}.approval.approval_type`);
      check.text(approval.approver_role, `${at}.approval.approver_role`);
      check.integer(approval.expires_after_hours, `${at}.approval.expires_after_hours`, 1);
      targets.push(approval.on_approve as string, approval.on_reject as string);
    }
  } else if (step.type !== 'end') {
    if (step.type === 'task') check.text(step.assignee_role, `${at}.assignee_role`);
    if (step.type === 'integration' && check.object(step.integration, `${at}.integration`)) {
      check.text(step.integration.system_type, `${at}.integration.system_type`);
      check.text(step.integration.action, `${at}.integration.action`);
    }
    targets.push(step.next as string);
  }
  for (const target of targets) check.that(ids.has(target), `${at} leads to "${target}", which is not a step`);
  return targets.filter((target) => ids.has(target));
}
