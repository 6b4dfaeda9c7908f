/**
 * A per-statement trace of one request against the policies that apply to it, for `rolecall explain`: for every
 * statement of every policy, whether its Action, Resource and Principal matched and what each condition saw
 * (the request's values, the policy's values, the result). It walks the same compiled forms and uses the same
 * matchers as `evaluate`, but it is a separate function, so the hot path stays as it is; it is called only when
 * someone asks why. Pure: no I/O. The decision itself still comes from `evaluate` — a trace says why each
 * statement did or did not take part, not how the parts combine.
 */
import { matchResource } from './arn-match.ts';
import type { CompiledPolicy, CompiledStatement } from './compile.ts';
import { evaluateCondition } from './conditions.ts';
import { contextOf, grantOf, listedExactly, malformedStatement, type Context, type Grant } from './evaluate.ts';
import type { EvaluationRequest, PolicyKind, PolicySet } from './types.ts';
import { wildcardMatch } from './wildcard.ts';

/** One element (Action, Resource or Principal) of a statement against the request. */
export interface ElementTrace {
  /** Whether the element lets the statement apply (for Not* elements: the request is NOT listed). */
  readonly matched: boolean;
  /** True for NotAction, NotResource, NotPrincipal. */
  readonly negated: boolean;
  /** The element's values as written (actions lower-cased, as the engine compares them). */
  readonly values: readonly string[];
  /** The values that matched the request, if any. */
  readonly hits: readonly string[];
}

export interface PrincipalTrace extends ElementTrace {
  /** How the Principal names the caller: directly, through its role, or through its account. */
  readonly grant?: Grant;
}

export interface ConditionTrace {
  readonly operator: string;
  readonly key: string;
  /** The policy's values as written. */
  readonly policyValues: readonly string[];
  /** The request's values for the key; absent when the request did not carry it. */
  readonly requestValues?: readonly string[];
  readonly result: boolean;
  /** The key was absent and that decided the result. */
  readonly missing: boolean;
}

export interface StatementTrace {
  readonly index: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly action: ElementTrace;
  /** Absent when the statement has no Resource element (trust policies). */
  readonly resource?: ElementTrace;
  /** Only for resource policies. */
  readonly principal?: PrincipalTrace;
  readonly conditions: readonly ConditionTrace[];
  /** Every element matched and every condition held: the statement took part in the decision. */
  readonly applies: boolean;
  /** Why the engine could not evaluate the statement: as an Allow it allowed nothing, as a Deny it denied. */
  readonly error?: string;
}

export interface PolicyTrace {
  readonly kind: PolicyKind;
  readonly policyId: string;
  /** For SCPs and RCPs: the level of the organization (0 = root). */
  readonly level?: number;
  readonly statements: readonly StatementTrace[];
  /** Why the whole policy could not be read; such a policy denies. */
  readonly error?: string;
}

function traceAction(s: CompiledStatement, action: string): ElementTrace {
  const hits = s.actions.filter((pattern) => pattern === action || wildcardMatch(pattern, action));
  return { matched: hits.length > 0 !== s.notAction, negated: s.notAction, values: s.actions, hits };
}

function traceResource(s: CompiledStatement, resource: string, ctx: Context): ElementTrace | undefined {
  if (s.resources === undefined) return undefined;
  const hits = s.resources.filter((r) => matchResource(r, resource, ctx.lookup) === true).map((r) => r.source);
  return {
    matched: hits.length > 0 !== s.notResource,
    negated: s.notResource,
    values: s.resources.map((r) => r.source),
    hits,
  };
}

function tracePrincipal(s: CompiledStatement, request: EvaluationRequest, hasBoundary: boolean): PrincipalTrace {
  const spec = s.principal;
  if (!spec) return { matched: false, negated: false, values: [], hits: [] };
  const values = [
    ...(spec.everyone && !spec.aws.includes('*') ? ['*'] : []),
    ...spec.aws.map((v) => `AWS:${v}`),
    ...spec.service.map((v) => `Service:${v}`),
    ...spec.federated.map((v) => `Federated:${v}`),
    ...spec.canonicalUser.map((v) => `CanonicalUser:${v}`),
  ];
  if (s.notPrincipal) {
    // Mirrors evaluate.ts: NotPrincipal is for Deny only and never spares a principal with a boundary.
    const listed = listedExactly(spec, request.principal);
    const matched = s.effect === 'Deny' && (hasBoundary || !listed);
    return { matched, negated: true, values, hits: listed ? [request.principal.arn] : [], grant: 'direct' };
  }
  const grant = grantOf(spec, request.principal);
  return {
    matched: grant !== undefined,
    negated: false,
    values,
    hits: grant === undefined ? [] : [request.principal.arn],
    ...(grant !== undefined && { grant }),
  };
}

function traceStatement(
  s: CompiledStatement,
  kind: PolicyKind,
  request: EvaluationRequest,
  action: string,
  ctx: Context,
  hasBoundary: boolean,
): StatementTrace {
  const malformed = malformedStatement(kind, s);
  const actionTrace = traceAction(s, action);
  const resourceTrace = traceResource(s, request.resource, ctx);
  const principalTrace = kind === 'resource' && !malformed ? tracePrincipal(s, request, hasBoundary) : undefined;
  const conditions = s.conditions.map((c): ConditionTrace => {
    const actual = ctx.get(c.lowerKey);
    const outcome = evaluateCondition(c, actual, ctx.lookup);
    return {
      operator: c.operator,
      key: c.key,
      policyValues: c.sources,
      ...(actual !== undefined && { requestValues: actual }),
      result: outcome.result,
      missing: outcome.missing,
    };
  });
  const applies =
    actionTrace.matched &&
    (resourceTrace?.matched ?? true) &&
    (principalTrace?.matched ?? true) &&
    conditions.every((c) => c.result);
  const error = s.error ?? malformed;
  return {
    index: s.index,
    ...(s.sid !== undefined && { sid: s.sid }),
    effect: s.effect,
    action: actionTrace,
    ...(resourceTrace && { resource: resourceTrace }),
    ...(principalTrace && { principal: principalTrace }),
    conditions,
    applies,
    ...(error !== undefined && { error }),
  };
}

function tracePolicy(
  policy: CompiledPolicy,
  kind: PolicyKind,
  request: EvaluationRequest,
  ctx: Context,
  hasBoundary: boolean,
  level?: number,
): PolicyTrace {
  const action = request.action.toLowerCase();
  return {
    kind,
    policyId: policy.id,
    ...(level !== undefined && { level }),
    statements: policy.statements.map((s) => traceStatement(s, kind, request, action, ctx, hasBoundary)),
    ...(policy.error !== undefined && { error: policy.error }),
  };
}

/** Traces every statement of every policy in the set, in the order identity, resource, boundary, session, SCP, RCP. */
export function tracePolicies(request: EvaluationRequest, policies: PolicySet<CompiledPolicy>): PolicyTrace[] {
  const ctx = contextOf(request.context);
  const hasBoundary = (policies.boundaries ?? []).length > 0;
  const out: PolicyTrace[] = [];
  const add = (list: readonly CompiledPolicy[] | undefined, kind: PolicyKind, level?: number) => {
    for (const p of list ?? []) out.push(tracePolicy(p, kind, request, ctx, hasBoundary, level));
  };
  add(policies.identity, 'identity');
  add(policies.resource ? [policies.resource] : [], 'resource');
  add(policies.boundaries, 'boundary');
  add(policies.session, 'session');
  (policies.scps ?? []).forEach((level, i) => add(level, 'scp', i));
  (policies.rcps ?? []).forEach((level, i) => add(level, 'rcp', i));
  return out;
}
