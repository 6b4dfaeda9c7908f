/**
 * `rolecall explain REQUEST_ID`: finds the recorded request by the id the client saw, re-evaluates each permission
 * it needed against the policies that apply NOW (the principal's policies from the IAM state, the role's current
 * trust policy; a bucket policy as recorded), traces every statement, says when the decision changed since, and
 * what change would allow it.
 */
import { principalPolicies } from '../auth/policies.ts';
import { nameKey } from '../model/iam.ts';
import { parseArn } from '../model/arn.ts';
import {
  compilePolicy,
  evaluate,
  tracePolicies,
  type CompiledPolicy,
  type EvaluationRequest,
} from '../policy/index.ts';
import type { AwsManagedPolicies } from '../state/aws-managed-policies.ts';
import type { IamState } from '../state/iam-state.ts';
import { eventPrincipal, type EventPrincipal } from './event-principal.ts';
import { fixesFor, nearMisses } from './explain-fix.ts';
import { POLICY_KIND_WORDS } from '../policy/index.ts';
import type { CheckExplanation, ExplainReport } from './explain-types.ts';
import type { AuditCheck, AuditEvent, AuditTrail } from './types.ts';

export interface ExplainDeps {
  readonly state: IamState;
  readonly awsManaged: AwsManagedPolicies;
  readonly trail: AuditTrail;
}

/** The role's trust policy as it is now, under the id authorization gives it. */
function currentTrust(state: IamState, roleArn: string): CompiledPolicy | undefined {
  const parsed = parseArn(roleArn);
  if (!parsed) return undefined;
  const role = state.get('iam.role', parsed.account, nameKey(parsed.resource.split('/').pop() ?? ''));
  return role && role.arn === roleArn
    ? compilePolicy({ id: `${role.arn}#trust`, document: role.trustPolicy })
    : undefined;
}

function explainCheck(
  deps: ExplainDeps,
  event: AuditEvent,
  check: AuditCheck,
  principal: EventPrincipal | undefined,
  notes: Set<string>,
): CheckExplanation {
  const context = check.context ?? {};
  const recorded = {
    decision: check.decision,
    statements: check.statements,
    ...(check.blockedBy !== undefined && { blockedBy: check.blockedBy }),
    ...(check.missingContextKeys !== undefined && { missingContextKeys: check.missingContextKeys }),
  };
  if (!principal) {
    notes.add(
      `the caller (${event.userIdentity.type}) has no IAM policies to re-evaluate; the recorded decision stands.`,
    );
    return {
      action: check.action,
      resource: check.resource,
      recorded,
      changed: false,
      context,
      policies: [],
      nearMisses: [],
      fixes: [],
    };
  }
  const policies = principal.caller
    ? principalPolicies(deps.state, deps.awsManaged, principal.caller)
    : { identity: [], boundaries: [], session: [] };
  const trust = event.eventName === 'AssumeRole' && check.action.toLowerCase().startsWith('sts:');
  let resource: CompiledPolicy | undefined;
  if (trust) {
    const roleArn =
      typeof event.requestParameters?.['roleArn'] === 'string' ? event.requestParameters['roleArn'] : check.resource;
    resource = currentTrust(deps.state, roleArn);
  } else if (check.resourcePolicy) {
    resource = compilePolicy(check.resourcePolicy);
    notes.add(`the resource-based policy ${check.resourcePolicy.id} is evaluated as it was when the request ran.`);
  }
  if (principal.entityType === 'role' && policies.identity.length === 0 && policies.boundaries.length === 0) {
    const parsed = parseArn(principal.entityArn ?? '');
    const role = parsed && deps.state.get('iam.role', parsed.account, nameKey(parsed.resource.split('/').pop() ?? ''));
    if (!role || role.id !== principal.caller?.session?.roleId) {
      notes.add(
        `the role ${principal.entityArn ?? ''} has been deleted (or deleted and recreated) since: its old sessions have no permissions.`,
      );
    }
  }
  if (check.statements.some((s) => s.kind === 'session') || check.blockedBy === 'session') {
    notes.add(
      'the session had session policies; they are not part of the record, so the re-evaluation sees the role’s policies only.',
    );
  }
  const request: EvaluationRequest = {
    principal: principal.engine,
    action: check.action,
    resource: check.resource,
    ...(check.resourceAccount !== undefined && { resourceAccount: check.resourceAccount }),
    context,
  };
  const set = {
    identity: policies.identity,
    boundaries: policies.boundaries,
    session: policies.session,
    ...(resource && { resource }),
    ...(trust && { resourceIsTrustPolicy: true }),
  };
  const decision = evaluate(request, set);
  const traces = tracePolicies(request, set);
  const nearKinds = decision.decision === 'ImplicitlyDenied' ? [decision.blockedBy ?? 'identity'] : [];
  return {
    action: check.action,
    resource: check.resource,
    recorded,
    now: {
      decision: decision.decision,
      statements: decision.statements,
      ...(decision.blockedBy !== undefined && { blockedBy: decision.blockedBy }),
      missingContextKeys: decision.missingContextKeys,
      unevaluable: decision.unevaluable.map((u) => ({
        policyId: u.policyId,
        ...(u.index !== undefined && { index: u.index }),
        reason: u.reason,
      })),
      explanation: decision.explanation,
    },
    changed: decision.decision !== check.decision,
    context,
    policies: traces,
    nearMisses: nearMisses(traces, nearKinds, check.resource, principal.engine.arn),
    fixes: fixesFor({ action: check.action, resource: check.resource, principal, decision, traces, trust }),
  };
}

/** The report for one recorded request; undefined when the trail holds no request with that id. */
export function explainRequest(deps: ExplainDeps, requestId: string): ExplainReport | undefined {
  const event = deps.trail.byRequestId(requestId);
  if (!event) return undefined;
  const principal = eventPrincipal(event.userIdentity);
  const notes = new Set<string>();
  const auth = event.authorization;
  if (!auth) notes.add('the request never reached authorization (it failed authentication or decoding first).');
  else if (auth.decision === 'NotEvaluated') notes.add(`authorization was not evaluated (enforcement ${auth.mode}).`);
  else if (auth.mode === 'audit' && auth.decision !== 'Allowed') {
    notes.add('enforcement was audit: the request was let through, but this is what would have been denied.');
  }
  const checks = (auth?.checks ?? []).map((c) => explainCheck(deps, event, c, principal, notes));
  for (const c of checks) {
    if (c.changed && c.now) {
      notes.add(
        `the policies changed since the request: ${c.action} on ${c.resource} was ${c.recorded.decision}, it is ${c.now.decision} now.`,
      );
    }
  }
  if (principal?.entityType === 'root' && checks.length === 0) {
    notes.add(
      `an account root may do anything in its own account; only a resource-based policy or a ${POLICY_KIND_WORDS.scp} could deny it.`,
    );
  }
  return {
    requestId: event.requestID,
    eventTime: event.eventTime,
    eventSource: event.eventSource,
    eventName: event.eventName,
    awsRegion: event.awsRegion,
    ...(event.errorCode !== undefined && { errorCode: event.errorCode }),
    ...(event.errorMessage !== undefined && { errorMessage: event.errorMessage }),
    principal: {
      type: event.userIdentity.type,
      ...(event.userIdentity.arn !== undefined && { arn: event.userIdentity.arn }),
      ...(principal?.entityType === 'role' && principal.entityArn !== undefined && { roleArn: principal.entityArn }),
    },
    ...(auth && { mode: auth.mode }),
    recordedDecision: auth?.decision ?? 'NotEvaluated',
    checks,
    notes: [...notes],
  };
}
