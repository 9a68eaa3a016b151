/**
 * The `workflows` set (phase 4): vulnerability remediation, with an approval step when the owner
 * asks to accept the risk instead of fixing it; POA&M closure, with the ISSO's and the authorizing
 * official's approval before the item is closed in RAS DASH and in Xacta; and the BOD 22-01 path
 * for findings on the CISA KEV catalog. The seed owns a workflow's definition; its active flag is
 * the operator's. Shapes: README, "Reference data"; checked before anything is written.
 */
import type { Insertable } from 'kysely';
import type { Workflows } from '../../generated/db.js';
import { defineTable, type BuiltSet } from '../../src/seed/types.js';
import { assertWorkflow } from '../../src/seed/workflow-shape.js';

const ISSO = 'information_system_security_officer';
const AO = 'authorizing_official';

const step = (id: string, name: string, type: string, rest: Record<string, unknown> = {}) => ({
  id,
  name,
  type,
  ...rest,
});
const retry = { max_attempts: 3, backoff_seconds: 300 };

export const WORKFLOWS: Insertable<Workflows>[] = [
  {
    workflow_name: 'Vulnerability remediation',
    workflow_type: 'remediation',
    trigger_conditions: {
      version: 1,
      event: 'vulnerability.detected',
      match: 'all',
      conditions: [
        { field: 'severity', operator: 'gte', value: 2 },
        { field: 'state', operator: 'eq', value: 'Open' },
      ],
    },
    workflow_steps: {
      version: 1,
      start: 'triage',
      steps: [
        step('triage', 'Triage and assign an owner', 'task', {
          assignee_role: 'vulnerability_analyst',
          next: 'decide',
          timeout_minutes: 2880,
        }),
        step('decide', 'Remediate or request risk acceptance', 'decision', {
          branches: [{ when: { field: 'decision', operator: 'eq', value: 'accept_risk' }, next: 'risk_acceptance' }],
          default: 'remediate',
        }),
        step('remediate', 'Apply the fix', 'task', { assignee_role: 'system_owner', next: 'verify' }),
        step('verify', 'Confirm the fix with a Tenable rescan', 'integration', {
          integration: { system_type: 'tenable', action: 'vulnerability_export', entity_type: 'vulnerability' },
          next: 'closed',
        }),
        step('risk_acceptance', 'Approve the risk acceptance', 'approval', {
          approval: {
            approval_type: 'vulnerability_acceptance',
            approver_role: AO,
            on_approve: 'record_acceptance',
            on_reject: 'remediate',
            expires_after_hours: 168,
          },
        }),
        step('record_acceptance', 'Mark the finding Accepted and open a POA&M deviation', 'task', {
          assignee_role: ISSO,
          next: 'closed',
        }),
        step('closed', 'Closed', 'end'),
      ],
    },
    approval_required: true,
    approval_roles: [AO],
    timeout_minutes: 43200,
    retry_policy: retry,
    is_active: true,
  },
  {
    workflow_name: 'POA&M closure',
    workflow_type: 'compliance',
    trigger_conditions: {
      version: 1,
      event: 'poam.completion_requested',
      match: 'all',
      conditions: [{ field: 'status', operator: 'in', value: ['open', 'in_progress'] }],
    },
    workflow_steps: {
      version: 1,
      start: 'evidence',
      steps: [
        step('evidence', 'Attach evidence of remediation', 'task', {
          assignee_role: 'system_owner',
          next: 'isso_review',
        }),
        step('isso_review', 'ISSO review of the evidence', 'approval', {
          approval: {
            approval_type: 'poam_closure',
            approver_role: ISSO,
            on_approve: 'ao_approval',
            on_reject: 'evidence',
            expires_after_hours: 120,
          },
        }),
        step('ao_approval', 'Authorizing official approves the closure', 'approval', {
          approval: {
            approval_type: 'poam_closure',
            approver_role: AO,
            on_approve: 'sync_xacta',
            on_reject: 'evidence',
            expires_after_hours: 240,
          },
        }),
        step('sync_xacta', 'Send the closed item to Xacta 360', 'integration', {
          integration: { system_type: 'xacta', action: 'poam_export', entity_type: 'poam' },
          next: 'notify',
        }),
        step('notify', 'Tell the POA&M owner', 'notification', {
          notify: { roles: ['system_owner', ISSO], template: 'poam_closed' },
          next: 'closed',
        }),
        step('closed', 'Closed', 'end'),
      ],
    },
    approval_required: true,
    approval_roles: [ISSO, AO],
    timeout_minutes: 20160,
    retry_policy: retry,
    is_active: true,
  },
  {
    workflow_name: 'Known exploited vulnerability (BOD 22-01)',
    workflow_type: 'incident_response',
    trigger_conditions: {
      version: 1,
      event: 'vulnerability.detected',
      match: 'all',
      conditions: [{ field: 'threat_intelligence.cisa_kev', operator: 'exists' }],
    },
    workflow_steps: {
      version: 1,
      start: 'alert',
      steps: [
        step('alert', 'Alert the system owner and ISSO', 'notification', {
          notify: { roles: ['system_owner', ISSO], template: 'kev_finding' },
          next: 'remediate',
        }),
        step('remediate', 'Remediate by the CISA due date', 'task', { assignee_role: 'system_owner', next: 'verify' }),
        step('verify', 'Confirm the fix with a Tenable rescan', 'integration', {
          integration: { system_type: 'tenable', action: 'vulnerability_export', entity_type: 'vulnerability' },
          next: 'closed',
        }),
        step('closed', 'Closed', 'end'),
      ],
    },
    approval_required: false,
    approval_roles: null,
    timeout_minutes: 20160,
    retry_policy: retry,
    is_active: true,
  },
];

/**
 * @example
 * workflowsSet().tables[0].rows.map((r) => r.key) // ['Vulnerability remediation', 'POA&M closure', ...]
 */
export function workflowsSet(): BuiltSet {
  for (const w of WORKFLOWS) {
    assertWorkflow({
      workflow_name: w.workflow_name,
      trigger_conditions: w.trigger_conditions,
      workflow_steps: w.workflow_steps,
      approval_required: Boolean(w.approval_required),
      approval_roles: w.approval_roles ?? null,
    });
  }
  return {
    tables: [
      defineTable({
        table: 'workflows',
        key: ['workflow_name'],
        owned: [
          'workflow_type',
          'trigger_conditions',
          'workflow_steps',
          'approval_required',
          'approval_roles',
          'timeout_minutes',
          'retry_policy',
        ],
        initial: ['is_active'],
        stamp: 'updated_at',
        rows: WORKFLOWS.map((values) => ({ key: values.workflow_name, values })),
      }),
    ],
  };
}
