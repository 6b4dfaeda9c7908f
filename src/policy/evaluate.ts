/**
 * AWS's policy evaluation logic (IAM User Guide, "Policy evaluation logic", "Cross-account policy evaluation
 * logic"; shared/AWS-FACTS.md; docs/research/evaluation-logic.md), as one pure function. In order:
 *   1. sts:GetCallerIdentity is always allowed.
 *   2. An explicit Deny in any applicable policy denies.
 *   3. RCPs (for the resource) and SCPs (for the principal) must allow at every level of the organization.
 *   4. Same account: a resource policy that names the caller directly allows on its own; one that names a
 *      role allows within the caller's boundary and session policies; one that names the account delegates to
 *      identity policies. Role trust policies must always allow, identity policies alone never suffice.
 *   5. Otherwise identity policies must allow, then the permissions boundary (if any), then the session policy.
 *   6. Cross-account: the principal's side (5) and the resource policy must both allow.
 * Never throws; anything it cannot evaluate is reported and never turned into an Allow.
 */
import { matchArn, splitSegments } from './arn-match.ts';
import type { CompiledPolicy, CompiledStatement, PrincipalSpec } from './compile.ts';
import { evaluateCondition } from './conditions.ts';
import { explain } from './explain.ts';
import type {
  ContextValue,
  Decision,
  EvaluationRequest,
  MatchedStatement,
  PolicyKind,
  PolicySet,
  RequestPrincipal,
  Unevaluable,
} from './types.ts';
import { wildcardMatch } from './wildcard.ts';

/** How a resource policy's Principal names the caller; direct grants need nothing from identity policies. */
type Grant = 'direct' | 'role' | 'account';

interface Context {
  readonly values: ReadonlyMap<string, readonly string[]>;
  readonly lookup: (lowerKey: string) => string | undefined;
  /** The request's resource cut into n segments, computed once per n. */
  readonly resourceSegments: (count: number) => readonly string[];
}

function contextOf(raw: Readonly<Record<string, ContextValue>> | undefined, resource: string): Context {
  const values = new Map<string, readonly string[]>();
  for (const key in raw) {
    const value = raw[key] as ContextValue;
    values.set(
      key.toLowerCase(),
      typeof value === 'string' ? [value] : Array.isArray(value) ? value.map(String) : [String(value)],
    );
  }
  // Policy variables take single-valued keys only (IAM User Guide, "Policy variables").
  const lookup = (lowerKey: string) => {
    const v = values.get(lowerKey);
    return v && v.length === 1 ? v[0] : undefined;
  };
  const splits = new Map<number, readonly string[]>();
  const resourceSegments = (count: number) => {
    let parts = splits.get(count);
    if (!parts) {
      parts = splitSegments(resource, count);
      splits.set(count, parts);
    }
    return parts;
  };
  return { values, lookup, resourceSegments };
}

const ACCOUNT_ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;

function grantOf(spec: PrincipalSpec, p: RequestPrincipal): Grant | undefined {
  if (spec.everyone) return 'direct';
  let best: Grant | undefined;
  const better = (g: Grant) => {
    if (best === undefined || g === 'direct' || (g === 'role' && best === 'account')) best = g;
  };
  const named = p.type !== 'service' && p.type !== 'anonymous';
  for (const value of spec.aws) {
    const account = /^\d{12}$/.test(value) ? value : ACCOUNT_ROOT.exec(value)?.[1];
    if (account !== undefined) {
      if (named && p.account === account) better(p.type === 'root' ? 'direct' : 'account');
    } else if (value === p.arn && named) {
      better(p.type === 'role' ? 'role' : 'direct');
    } else if (p.type === 'assumed-role' && value === p.roleArn) {
      better('role');
    }
  }
  if (p.type === 'service' && p.service !== undefined && spec.service.includes(p.service)) better('direct');
  if (p.type === 'federated' && p.service !== undefined && spec.federated.includes(p.service)) better('direct');
  if (p.canonicalUser !== undefined && spec.canonicalUser.includes(p.canonicalUser)) better('direct');
  return best;
}

interface StatementResult {
  readonly applies: boolean;
  readonly grant?: Grant;
  readonly missing: readonly string[];
}

/** Most statements do not apply; they share one result instead of allocating one each. */
const NOT_APPLICABLE: StatementResult = { applies: false, missing: [] };
const NO_MISSING: readonly string[] = [];
const NO_UNEVALUABLE: readonly Unevaluable[] = [];

function statementApplies(
  s: CompiledStatement,
  request: EvaluationRequest,
  action: string,
  ctx: Context,
  withPrincipal: boolean,
  hasBoundary: boolean,
): StatementResult {
  const none = NOT_APPLICABLE;
  const actionMatch = s.actions.some((pattern) => pattern === action || wildcardMatch(pattern, action));
  if (actionMatch === s.notAction) return none;
  if (s.resources !== undefined) {
    const resourceMatch = s.resources.some(
      (r) => matchArn(r, request.resource, ctx.lookup, ctx.resourceSegments) === true,
    );
    if (resourceMatch === s.notResource) return none;
  }
  let grant: Grant | undefined;
  if (withPrincipal) {
    if (!s.principal) return none;
    const named = grantOf(s.principal, request.principal);
    // "The NotPrincipal element with a Deny effect will always deny any IAM principal that has a permissions
    // boundary", listed or not (IAM User Guide, "NotPrincipal").
    const boundaryTrap = s.notPrincipal && s.effect === 'Deny' && hasBoundary;
    if (!boundaryTrap && (s.notPrincipal ? named !== undefined : named === undefined)) return none;
    grant = s.notPrincipal ? 'direct' : named;
  }
  let missing: string[] | undefined;
  for (const condition of s.conditions) {
    const outcome = evaluateCondition(condition, ctx.values.get(condition.lowerKey), ctx.lookup);
    if (outcome.missing) (missing ??= []).push(condition.key);
    if (!outcome.result) return missing ? { applies: false, missing } : NOT_APPLICABLE;
  }
  return grant === undefined
    ? { applies: true, missing: missing ?? NO_MISSING }
    : { applies: true, missing: missing ?? NO_MISSING, grant };
}

interface PolicyOutcome {
  readonly allows: { statement: MatchedStatement; grant?: Grant }[];
  readonly denies: MatchedStatement[];
  readonly missing: string[];
  readonly unevaluable: Unevaluable[];
}

function evaluatePolicies(
  policies: readonly CompiledPolicy[],
  kind: PolicyKind,
  request: EvaluationRequest,
  action: string,
  ctx: Context,
  hasBoundary: boolean,
): PolicyOutcome {
  if (policies.length === 0) return NOTHING;
  const outcome: PolicyOutcome = { allows: [], denies: [], missing: [], unevaluable: [] };
  const withPrincipal = kind === 'resource';
  for (const policy of policies) {
    if (policy.error !== undefined) {
      // A policy that cannot be read denies: it might have said Deny.
      outcome.unevaluable.push({ kind, policyId: policy.id, reason: policy.error });
      outcome.denies.push({ kind, policyId: policy.id, index: 0, effect: 'Deny' });
      continue;
    }
    for (const s of policy.statements) {
      const result = statementApplies(s, request, action, ctx, withPrincipal, hasBoundary);
      for (const key of result.missing) outcome.missing.push(key);
      if (!result.applies) continue;
      const matched: MatchedStatement = {
        kind,
        policyId: policy.id,
        index: s.index,
        ...(s.sid !== undefined && { sid: s.sid }),
        effect: s.effect,
      };
      if (s.error !== undefined) {
        outcome.unevaluable.push({ kind, policyId: policy.id, index: s.index, reason: s.error });
        if (s.effect === 'Deny') outcome.denies.push(matched);
        continue;
      }
      if (s.effect === 'Deny') outcome.denies.push(matched);
      else outcome.allows.push({ statement: matched, ...(result.grant !== undefined && { grant: result.grant }) });
    }
  }
  return outcome;
}

/** The outcome of no policies at all; shared, never changed. */
const NOTHING: PolicyOutcome = Object.freeze({ allows: [], denies: [], missing: [], unevaluable: [] }) as PolicyOutcome;

/** The account segment of an ARN, when it is a 12-digit account id. */
function accountOfArn(arn: string): string | undefined {
  let start = 0;
  for (let i = 0; i < 4; i++) {
    start = arn.indexOf(':', start) + 1;
    if (start === 0) return undefined;
  }
  const account = arn.slice(start, start + 12);
  return arn.charAt(start + 12) === ':' && /^\d{12}$/.test(account) ? account : undefined;
}

/** Decides one request against the policies that apply to it. */
export function evaluate(request: EvaluationRequest, policies: PolicySet<CompiledPolicy>): Decision {
  const action = request.action.toLowerCase();
  const ctx = contextOf(request.context, request.resource);
  const principal = request.principal;
  const finish = (
    decision: Decision['decision'],
    statements: readonly MatchedStatement[],
    parts: readonly PolicyOutcome[],
    blockedBy?: PolicyKind,
  ): Decision => {
    let missingContextKeys: readonly string[] = NO_MISSING;
    let unevaluable: readonly Unevaluable[] = NO_UNEVALUABLE;
    for (const p of parts) {
      if (p.missing.length > 0) missingContextKeys = [...new Set([...missingContextKeys, ...p.missing])];
      if (p.unevaluable.length > 0) unevaluable = [...unevaluable, ...p.unevaluable];
    }
    // The explanation is written only when someone reads it: most decisions are never explained.
    let text: string | undefined;
    const result = {
      decision,
      statements,
      missingContextKeys,
      unevaluable,
      ...(blockedBy && { blockedBy }),
      get explanation(): string {
        text ??= explain(request, result);
        return text;
      },
    };
    return result;
  };

  if (action === 'sts:getcalleridentity') return finish('Allowed', [], []);

  const hasBoundary = (policies.boundaries ?? []).length > 0;
  const evaluateKind = (list: readonly CompiledPolicy[], kind: PolicyKind) =>
    evaluatePolicies(list, kind, request, action, ctx, hasBoundary);
  const identity = evaluateKind(policies.identity ?? [], 'identity');
  const resource = evaluateKind(policies.resource ? [policies.resource] : [], 'resource');
  const boundary = evaluateKind(policies.boundaries ?? [], 'boundary');
  const session = evaluateKind(policies.session ?? [], 'session');
  const scpLevels = (policies.scps ?? []).map((level) => evaluateKind(level, 'scp'));
  const rcpLevels = (policies.rcps ?? []).map((level) => evaluateKind(level, 'rcp'));
  const all = [identity, resource, boundary, session, ...scpLevels, ...rcpLevels];

  const denies = all.flatMap((p) => p.denies);
  if (denies.length > 0) return finish('ExplicitlyDenied', denies, all);

  const byService = principal.type === 'service' || principal.type === 'anonymous';
  if (!byService) {
    if (scpLevels.some((level) => level.allows.length === 0)) return finish('ImplicitlyDenied', [], all, 'scp');
    if (rcpLevels.some((level) => level.allows.length === 0)) return finish('ImplicitlyDenied', [], all, 'rcp');
  }

  const resourceAccount = request.resourceAccount ?? accountOfArn(request.resource) ?? principal.account;
  const sameAccount = resourceAccount === principal.account;
  const statementsOf = (...parts: PolicyOutcome[]) => parts.flatMap((p) => p.allows.map((a) => a.statement));
  const grants = (g: Grant) => resource.allows.filter((a) => a.grant === g);
  const boundaryOk = !hasBoundary || boundary.allows.length > 0;
  const sessionOk = (policies.session ?? []).length === 0 || session.allows.length > 0;
  const isRoot = principal.type === 'root';

  /** The principal's own side: identity policies, then the boundary, then the session policy. */
  const principalSide = (): { ok: true; statements: MatchedStatement[] } | { ok: false; blockedBy: PolicyKind } => {
    if (isRoot) return { ok: true, statements: [] };
    if (identity.allows.length === 0) return { ok: false, blockedBy: 'identity' };
    if (!boundaryOk) return { ok: false, blockedBy: 'boundary' };
    if (!sessionOk) return { ok: false, blockedBy: 'session' };
    return { ok: true, statements: statementsOf(identity, boundary, session) };
  };

  if (byService) {
    return resource.allows.length > 0
      ? finish('Allowed', statementsOf(resource), all)
      : finish('ImplicitlyDenied', [], all, 'resource');
  }

  if (sameAccount) {
    const direct = grants('direct');
    if (direct.length > 0)
      return finish(
        'Allowed',
        direct.map((a) => a.statement),
        all,
      );
    const role = grants('role');
    if (role.length > 0 && boundaryOk && sessionOk) {
      return finish('Allowed', [...role.map((a) => a.statement), ...statementsOf(boundary, session)], all);
    }
    const account = grants('account');
    if (policies.resourceIsTrustPolicy) {
      // Trust policies must allow explicitly; naming the account delegates to the caller's identity policies.
      if (account.length === 0)
        return finish(
          'ImplicitlyDenied',
          [],
          all,
          role.length > 0 ? (boundaryOk ? 'session' : 'boundary') : 'resource',
        );
      const side = principalSide();
      return side.ok
        ? finish('Allowed', [...account.map((a) => a.statement), ...side.statements], all)
        : finish('ImplicitlyDenied', [], all, side.blockedBy);
    }
    if (isRoot) return finish('Allowed', [], all);
    const side = principalSide();
    return side.ok ? finish('Allowed', side.statements, all) : finish('ImplicitlyDenied', [], all, side.blockedBy);
  }

  // Cross-account: both sides must allow.
  const side = principalSide();
  if (!side.ok) return finish('ImplicitlyDenied', [], all, side.blockedBy);
  if (resource.allows.length === 0) return finish('ImplicitlyDenied', [], all, 'resource');
  return finish('Allowed', [...statementsOf(resource), ...side.statements], all);
}
