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
import { matchResource } from './arn-match.ts';
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
export type Grant = 'direct' | 'role' | 'account';

export interface Context {
  /** A context key's values by lower-cased name; undefined when absent. */
  readonly get: (lowerKey: string) => readonly string[] | undefined;
  readonly lookup: (lowerKey: string) => string | undefined;
}

/** The request's context keys, indexed by lower-cased name only when a condition or variable first asks. */
export function contextOf(raw: Readonly<Record<string, ContextValue>> | undefined): Context {
  let values: Map<string, readonly string[]> | undefined;
  const get = (lowerKey: string) => {
    if (!values) {
      values = new Map();
      for (const key in raw) {
        const value = raw[key] as ContextValue;
        values.set(
          key.toLowerCase(),
          typeof value === 'string' ? [value] : Array.isArray(value) ? value.map(String) : [String(value)],
        );
      }
    }
    return values.get(lowerKey);
  };
  // Policy variables take single-valued keys only (IAM User Guide, "Policy variables").
  const lookup = (lowerKey: string) => {
    const v = get(lowerKey);
    return v && v.length === 1 ? v[0] : undefined;
  };
  return { get, lookup };
}

const ACCOUNT_ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;

export function grantOf(spec: PrincipalSpec, p: RequestPrincipal): Grant | undefined {
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

/** Whether a NotPrincipal lists this very principal. */
export function listedExactly(spec: PrincipalSpec, p: RequestPrincipal): boolean {
  if (spec.everyone) return true;
  for (const value of spec.aws) {
    if (value === p.arn) return true;
    const account = /^\d{12}$/.test(value) ? value : ACCOUNT_ROOT.exec(value)?.[1];
    if (account !== undefined && p.type === 'root' && p.account === account) return true;
  }
  if (p.service !== undefined && (spec.service.includes(p.service) || spec.federated.includes(p.service))) return true;
  return p.canonicalUser !== undefined && spec.canonicalUser.includes(p.canonicalUser);
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

/** Why a statement cannot apply as written: a resource policy's needs a Principal, any other a Resource. */
export function malformedStatement(kind: PolicyKind, s: CompiledStatement): string | undefined {
  if (kind === 'resource') return s.principal === undefined ? 'the statement has no Principal' : undefined;
  return s.resources === undefined ? 'the statement has no Resource' : undefined;
}

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
    const resourceMatch = s.resources.some((r) => matchResource(r, request.resource, ctx.lookup) === true);
    if (resourceMatch === s.notResource) return none;
  }
  let grant: Grant | undefined;
  if (withPrincipal && s.principal) {
    if (s.notPrincipal) {
      // NotPrincipal is for Deny only ("using NotPrincipal with Allow is not supported"); it spares exactly
      // the principals it lists — an account's root, not the account's users; a session, not its role's other
      // sessions — and never a principal with a permissions boundary (IAM User Guide, "NotPrincipal").
      if (s.effect !== 'Deny') return none;
      if (!hasBoundary && listedExactly(s.principal, request.principal)) return none;
      grant = 'direct';
    } else {
      grant = grantOf(s.principal, request.principal);
      if (grant === undefined) return none;
    }
  }
  // Every condition is looked at, so each missing key is reported, not only the first.
  let missing: string[] | undefined;
  let holds = true;
  for (const condition of s.conditions) {
    const outcome = evaluateCondition(condition, ctx.get(condition.lowerKey), ctx.lookup);
    if (outcome.missing) (missing ??= []).push(condition.key);
    if (!outcome.result) holds = false;
  }
  if (!holds) return missing ? { applies: false, missing } : NOT_APPLICABLE;
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
      // IAM refuses these at write time; if one reaches the engine it is scoped by its action alone, so that as
      // a Deny it denies and as an Allow it allows nothing.
      const malformed = malformedStatement(kind, s);
      const result = statementApplies(s, request, action, ctx, withPrincipal && !malformed, hasBoundary);
      for (const key of result.missing) outcome.missing.push(key);
      if (!result.applies) continue;
      const matched: MatchedStatement = {
        kind,
        policyId: policy.id,
        index: s.index,
        ...(s.sid !== undefined && { sid: s.sid }),
        effect: s.effect,
      };
      const error = s.error ?? malformed;
      if (error !== undefined) {
        outcome.unevaluable.push({ kind, policyId: policy.id, index: s.index, reason: error });
        if (s.effect === 'Deny') outcome.denies.push(matched);
        continue;
      }
      if (s.effect === 'Deny') outcome.denies.push(matched);
      else outcome.allows.push({ statement: matched, ...(result.grant !== undefined && { grant: result.grant }) });
    }
  }
  return outcome;
}

const BUCKET_POLICY_ACTIONS = new Set(['s3:getbucketpolicy', 's3:putbucketpolicy', 's3:deletebucketpolicy']);

/** The outcome of no policies at all; shared, never changed. */
const NOTHING: PolicyOutcome = Object.freeze({ allows: [], denies: [], missing: [], unevaluable: [] }) as PolicyOutcome;

/** The account segment of an ARN, when it is a 12-digit account id. */
export function accountOfArn(arn: string): string | undefined {
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
  const ctx = contextOf(request.context);
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

  // Authentication operations no policy controls (STS API reference: GetCallerIdentity, GetSessionToken).
  if (action === 'sts:getcalleridentity' || action === 'sts:getsessiontoken') return finish('Allowed', [], []);

  const hasBoundary = (policies.boundaries ?? []).length > 0;
  const evaluateKind = (list: readonly CompiledPolicy[], kind: PolicyKind) =>
    evaluatePolicies(list, kind, request, action, ctx, hasBoundary);
  const identity = evaluateKind(policies.identity ?? [], 'identity');
  const resource = evaluateKind(policies.resource ? [policies.resource] : [], 'resource');
  const boundary = evaluateKind(policies.boundaries ?? [], 'boundary');
  const session = evaluateKind(policies.session ?? [], 'session');
  const scpLevels = (policies.scps ?? []).map((level) => evaluateKind(level, 'scp'));
  const rcpLevels = (policies.rcps ?? []).map((level) => evaluateKind(level, 'rcp'));
  // SCPs apply to the users and roles of member accounts, not to service principals or anonymous callers.
  const byService = principal.type === 'service' || principal.type === 'anonymous';
  const scpsApply = byService ? [] : scpLevels;
  const all = [identity, resource, boundary, session, ...scpsApply, ...rcpLevels];

  // The account root may always read and change its own bucket's policy, even past a Deny in it (Amazon S3
  // User Guide, "bucket policies": the root user of the bucket owner).
  const isRoot = principal.type === 'root';
  const resourceAccount = request.resourceAccount ?? accountOfArn(request.resource) ?? principal.account;
  const sameAccount = resourceAccount === principal.account;
  if (isRoot && sameAccount && BUCKET_POLICY_ACTIONS.has(action)) return finish('Allowed', [], all);

  const denies = all.flatMap((p) => p.denies);
  if (denies.length > 0) return finish('ExplicitlyDenied', denies, all);

  // RCPs (for the resource) are evaluated before SCPs (for the principal).
  if (rcpLevels.some((level) => level.allows.length === 0)) return finish('ImplicitlyDenied', [], all, 'rcp');
  if (scpsApply.some((level) => level.allows.length === 0)) return finish('ImplicitlyDenied', [], all, 'scp');

  const statementsOf = (...parts: PolicyOutcome[]) => parts.flatMap((p) => p.allows.map((a) => a.statement));
  const grants = (g: Grant) => resource.allows.filter((a) => a.grant === g);
  const boundaryOk = !hasBoundary || boundary.allows.length > 0;
  // A federated user's session (GetFederationToken) has no permissions without a session policy.
  const sessionOk =
    (policies.session ?? []).length === 0 ? principal.type !== 'federated-user' : session.allows.length > 0;

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
    // A trust policy that names a user still leaves the user within its permissions boundary ("Update a role
    // trust policy").
    const directOk = !policies.resourceIsTrustPolicy || principal.type !== 'user' || boundaryOk;
    if (direct.length > 0 && directOk)
      return finish(
        'Allowed',
        direct.map((a) => a.statement),
        all,
      );
    if (direct.length > 0) return finish('ImplicitlyDenied', [], all, 'boundary');
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
