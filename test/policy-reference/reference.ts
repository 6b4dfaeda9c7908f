/**
 * A small reference evaluator for IAM policies, written from the IAM User Guide alone and sharing nothing with
 * src/policy but its types. It is meant to be obviously correct, not fast: wildcards are matched by dynamic
 * programming over the whole text, conditions are read literally from "Condition operators", and the decision
 * follows "How AWS enforcement code logic evaluates requests" step by step (deny, RCPs, SCPs, resource-based
 * policy, identity-based policy, permissions boundary, session policy; cross-account: both sides). It takes the
 * same input document as `rolecall simulate` (src/cli/simulate.ts); the corpus runner and the differential tests
 * compare it with the engine.
 */
import { BlockList, isIP } from 'node:net';
import type { DecisionName, PolicyKind } from '../../src/policy/types.ts';

export interface ReferenceResult {
  decision: DecisionName;
  blockedBy?: PolicyKind;
  missingContextKeys: string[];
}

type Obj = Record<string, unknown>;
type Ctx = Map<string, string[]>;
type Grant = 'direct' | 'role' | 'account';
type Who = { type: string; arn: string; account: string; roleArn?: string };
class Unevaluable extends Error {}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
function strings(v: unknown): string[] {
  const out = asList(v);
  if (!out.every((x) => typeof x === 'string')) throw new Unevaluable('not a list of strings');
  return out as string[];
}

/** Who is asking, read from the forms `rolecall simulate` accepts. */
function who(text: string): Who {
  if (text === '*' || text === 'anonymous') return { type: 'anonymous', arn: '*', account: '' };
  if (/^\d{12}$/.test(text)) return { type: 'root', arn: `arn:aws:iam::${text}:root`, account: text };
  if (/^[a-z0-9.-]+\.amazonaws\.com$/.test(text)) return { type: 'service', arn: text, account: '' };
  const [, partition, service, account = '', rest = ''] = /^arn:([a-z-]+):(iam|sts)::(\d{12}):(.+)$/.exec(text) ?? [];
  const role = /^assumed-role\/([^/]+)\/.+$/.exec(rest)?.[1];
  const iam = ['root', 'user', 'role'].find((t) => rest === 'root' || rest.startsWith(`${t}/`));
  const sts = rest.startsWith('federated-user/') ? 'federated-user' : role && 'assumed-role';
  const type = service === 'iam' ? (rest === 'root' ? 'root' : iam) : service === 'sts' ? sts : undefined;
  if (type === undefined) throw new Error(`reference: not a principal: ${text}`);
  return { type, arn: text, account, ...(role && { roleArn: `arn:${partition}:iam::${account}:role/${role}` }) };
}

// ---- wildcards and policy variables -------------------------------------------------------------------------
const STAR = Symbol('*');
const ONE = Symbol('?');
/** Wildcards that stay inside one colon-separated ARN segment. */
const SEG_STAR = Symbol('*:');
const SEG_ONE = Symbol('?:');
type Tok = string | symbol;

/** dp[j] says whether the tokens so far match text[0..j). */
function glob(tokens: readonly Tok[], text: string): boolean {
  let dp = Array.from({ length: text.length + 1 }, (_, j) => j === 0);
  for (const t of tokens) {
    const next: boolean[] = [];
    for (let j = 0; j <= text.length; j++) {
      const c = text[j - 1];
      if (t === STAR || t === SEG_STAR)
        next[j] = dp[j] === true || (j > 0 && next[j - 1] === true && (t === STAR || c !== ':'));
      else next[j] = j > 0 && dp[j - 1] === true && (t === ONE || (t === SEG_ONE && c !== ':') || t === c);
    }
    dp = next;
  }
  return dp[text.length] === true;
}

/** A pattern's tokens with `${key}`, `${key, 'default'}` and `${*}` `${?}` `${$}` resolved; undefined: no value. */
function tokens(pattern: string, vars: boolean, ctx: Ctx): Tok[] | undefined {
  const out: Tok[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const end = pattern.indexOf('}', i);
    if (!vars || !pattern.startsWith('${', i) || end < 0) {
      const c = pattern.charAt(i);
      out.push(c === '*' ? STAR : c === '?' ? ONE : c);
      continue;
    }
    const body = pattern.slice(i + 2, end).trim();
    i = end;
    const [, key = '', fallback] = /^([^,]*?)\s*(?:,\s*'(.*)')?$/.exec(body) ?? [];
    const values = ctx.get(key.toLowerCase());
    // Multivalued keys are no variables; ${*} ${?} ${$} stand for the character itself.
    const value = ['*', '?', '$'].includes(body) ? body : values?.length === 1 ? values[0] : fallback;
    if (value === undefined) return undefined;
    out.push(...value);
  }
  return out;
}
const asText = (t: readonly Tok[]) => t.map((x) => (x === STAR ? '*' : x === ONE ? '?' : String(x))).join('');

/** ARNs: the first five colons split segments; the sixth segment, the resource part, keeps its colons. */
function split6(arn: string): string[] {
  const parts = arn.split(':');
  return parts.length <= 6 ? parts : [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/** ArnEquals/ArnLike: "each of the six colon-delimited components of the ARN is checked separately". */
function arnMatch(pattern: string, arn: string, vars: boolean, ctx: Ctx): boolean {
  const [ps, as] = [split6(pattern), split6(arn)];
  return (
    ps.length === as.length &&
    ps.every((p, i) => {
      const t = tokens(p, vars, ctx);
      return t !== undefined && glob(t, as[i] ?? '');
    })
  );
}

/**
 * Resource and NotResource: wildcards stay "within the individual segments of an ARN", but "if the * wildcard is
 * the last character of a resource ARN segment, it can expand to match beyond the colon boundaries"; after the
 * fifth colon (the resource part) * and ? match anything (IAM User Guide, "Resource").
 */
function resourceMatch(pattern: string, arn: string, vars: boolean, ctx: Ctx): boolean {
  const t = tokens(pattern, vars, ctx);
  let colons = 0;
  const segmented = t?.map((tok, i) => {
    if (colons >= 5) return tok;
    if (tok === ':') colons++;
    if (tok === STAR) return t[i + 1] === undefined || t[i + 1] === ':' ? STAR : SEG_STAR;
    return tok === ONE ? SEG_ONE : tok;
  });
  return segmented !== undefined && glob(segmented, arn);
}

// ---- condition values ----------------------------------------------------------------------------------------
const num = (t: string) => (/^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(t) ? Number(t) : undefined);
function time(t: string): number | undefined {
  const ms = /^\s*\d+(\.\d+)?\s*$/.test(t) ? Number(t) * 1000 : Date.parse(t.trim()); // epoch seconds or ISO 8601
  return Number.isNaN(ms) ? undefined : ms;
}
/** A CIDR block (an address alone is /32 or /128), checked by Node's own BlockList; undefined if unreadable. */
function cidr(t: string): { family: number; list: BlockList } | undefined {
  const [address = '', prefix, extra] = t.split('/');
  const family = isIP(address);
  const bits = prefix === undefined ? (family === 4 ? 32 : 128) : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  if (family === 0 || extra !== undefined || !(bits <= (family === 4 ? 32 : 128))) return undefined;
  const list = new BlockList();
  list.addSubnet(address, bits, family === 4 ? 'ipv4' : 'ipv6');
  return { family, list };
}

// ---- conditions ----------------------------------------------------------------------------------------------
type Test = (policy: string, actual: string, vars: boolean, ctx: Ctx) => boolean;
const ordered = (parse: (t: string) => number | undefined, ok: (d: number) => boolean): Test => {
  return (policy, actual) => ok((parse(actual) ?? NaN) - (parse(policy) ?? NaN));
};
/** A variable with no value matches nothing ("there is no equal or like value"). */
const resolved = (p: string, vars: boolean, ctx: Ctx) => {
  const t = tokens(p, vars, ctx);
  return t && asText(t);
};
const str: Test = (p, a, vars, ctx) => resolved(p, vars, ctx) === a;
const stri: Test = (p, a, vars, ctx) => resolved(p, vars, ctx)?.toLowerCase() === a.toLowerCase();
const like: Test = (p, a, vars, ctx) => {
  const t = tokens(p, vars, ctx);
  return t !== undefined && glob(t, a);
};
const inBlock: Test = (p, a) => {
  const block = cidr(p);
  return block !== undefined && isIP(a) === block.family && block.list.check(a, block.family === 4 ? 'ipv4' : 'ipv6');
};
const isBool = (v: string) => ['true', 'false'].includes(v.toLowerCase());
type Op = [test: Test, negated: boolean, readable?: (policyValue: string) => boolean];
const numeric = (ok: Sign, negated = false): Op => [ordered(num, ok), negated, (v) => num(v) !== undefined];
const date = (ok: Sign, negated = false): Op => [ordered(time, ok), negated, (v) => time(v) !== undefined];
const ip_ = (negated: boolean): Op => [inBlock, negated, (v) => cidr(v) !== undefined];
type Sign = (difference: number) => boolean;
const [EQ, LT, LE, GT, GE]: [Sign, Sign, Sign, Sign, Sign] = [
  (d) => d === 0,
  (d) => d < 0,
  (d) => d <= 0,
  (d) => d > 0,
  (d) => d >= 0,
];
/** The operators of "IAM JSON policy elements: Condition operators", by name (case-sensitive). */
// prettier-ignore
const OPS: Record<string, Op> = {
  StringEquals: [str, false], StringNotEquals: [str, true],
  StringEqualsIgnoreCase: [stri, false], StringNotEqualsIgnoreCase: [stri, true],
  StringLike: [like, false], StringNotLike: [like, true],
  NumericEquals: numeric(EQ), NumericNotEquals: numeric(EQ, true), NumericLessThan: numeric(LT),
  NumericLessThanEquals: numeric(LE), NumericGreaterThan: numeric(GT), NumericGreaterThanEquals: numeric(GE),
  DateEquals: date(EQ), DateNotEquals: date(EQ, true), DateLessThan: date(LT), DateLessThanEquals: date(LE),
  DateGreaterThan: date(GT), DateGreaterThanEquals: date(GE),
  Bool: [(p, a) => p.toLowerCase() === a.toLowerCase(), false, isBool],
  BinaryEquals: [(p, a) => p === a, false],
  IpAddress: ip_(false), NotIpAddress: ip_(true),
  ArnEquals: [arnMatch, false], ArnLike: [arnMatch, false], ArnNotEquals: [arnMatch, true], ArnNotLike: [arnMatch, true],
};

interface Cond {
  key: string;
  /** `missing`: the key was absent and that made the condition false. */
  test: (actual: string[] | undefined, ctx: Ctx) => { ok: boolean; missing: boolean };
}

/** One `operator: {key: values}` pair; throws Unevaluable for an operator or a value it cannot read. */
function condition(operator: string, key: string, raw: unknown, vars: boolean): Cond {
  const [, set, name = '', ifExists] = /^(ForAnyValue:|ForAllValues:)?(.*?)(IfExists)?$/.exec(operator) ?? [];
  const values = asList(raw).map((v) => (['string', 'number', 'boolean'].includes(typeof v) ? String(v) : undefined));
  if (values.includes(undefined)) throw new Unevaluable('condition values are strings, numbers or booleans');
  const policy = values as string[];
  if (name === 'Null') {
    if (ifExists || !policy.every(isBool)) throw new Unevaluable('Null takes true or false, no IfExists');
    return {
      key,
      test: (a) => ({ ok: policy.some((v) => (v.toLowerCase() === 'true') === !a?.length), missing: false }),
    };
  }
  const op = Object.hasOwn(OPS, name) ? OPS[name] : undefined;
  if (!op) throw new Unevaluable(`unknown operator ${operator}`);
  const [positive, negated, readable] = op;
  if (readable && !policy.every(readable)) throw new Unevaluable(`a value ${name} cannot read`);
  // Several policy values are ORed; a negated operator is true when none of them matches (a NOR).
  const hit = (actual: string, ctx: Ctx) => policy.some((p) => positive(p, actual, vars, ctx));
  return {
    key,
    test(actual, ctx) {
      if (!actual?.length) {
        // A set qualifier quantifies over the request's values: "for all" of none is true, "for any" of none false
        // ("for no matching context key or a null dataset, the condition returns false"), whatever the operator.
        const ok = ifExists !== undefined || set === 'ForAllValues:' || (negated && set !== 'ForAnyValue:');
        return { ok, missing: !ok };
      }
      if (set === 'ForAllValues:') return { ok: actual.every((a) => hit(a, ctx) !== negated), missing: false };
      if (set === 'ForAnyValue:') return { ok: actual.some((a) => hit(a, ctx) !== negated), missing: false };
      return { ok: actual.some((a) => hit(a, ctx)) !== negated, missing: false }; // single-valued keys
    },
  };
}

// ---- policies ------------------------------------------------------------------------------------------------
interface Statement {
  effect: string;
  /** An Allow that cannot be read grants nothing; a Deny that cannot be read denies, within its scope if readable. */
  unevaluable: boolean;
  scope?: { actions: string[]; notAction: boolean; resources?: string[]; notResource: boolean; principal: unknown };
  notPrincipal?: boolean;
  conds: Cond[];
}
type Policy = { vars: boolean; statements: Statement[] };

function loadStatement(s: unknown, kind: PolicyKind, vars: boolean): Statement {
  const effect = isObj(s) ? s['Effect'] : undefined;
  if (!isObj(s) || (effect !== 'Allow' && effect !== 'Deny')) return { effect: 'Deny', unevaluable: true, conds: [] };
  const has = (k: string) => s[k] !== undefined;
  let scope: Statement['scope'];
  try {
    // The grammar: exactly one of Action/NotAction; at most one of Resource/NotResource, Principal/NotPrincipal;
    // "statements must include either a Resource or a NotResource element" (role trust policies have none);
    // "you must use the Principal element in resource-based policies".
    const needsResource = ['identity', 'boundary', 'session'].includes(kind);
    if (has('Action') === has('NotAction') || (has('Resource') && has('NotResource'))) throw new Unevaluable('');
    if ((has('Principal') && has('NotPrincipal')) || (needsResource && !has('Resource') && !has('NotResource'))) {
      throw new Unevaluable('');
    }
    const principal = s['Principal'] ?? s['NotPrincipal'];
    // "NotPrincipal must be used with "Effect":"Deny". Using it with "Effect":"Allow" is not supported."
    if ((kind === 'resource' && principal === undefined) || (has('NotPrincipal') && effect === 'Allow')) {
      throw new Unevaluable('');
    }
    if (principal !== undefined && principal !== '*') {
      if (!isObj(principal)) throw new Unevaluable('');
      for (const [k, v] of Object.entries(principal)) {
        if (!['AWS', 'Service', 'Federated', 'CanonicalUser'].includes(k) || !strings(v)) throw new Unevaluable(k);
      }
    }
    const resources = has('Resource') || has('NotResource') ? strings(s['Resource'] ?? s['NotResource']) : undefined;
    const actions = strings(s['Action'] ?? s['NotAction']);
    const [notAction, notResource] = [has('NotAction'), has('NotResource')];
    scope = { actions, notAction, notResource, principal, ...(resources && { resources }) };
    const block = s['Condition'] ?? {};
    if (!isObj(block)) throw new Unevaluable('');
    const conds = Object.entries(block).flatMap(([operator, keys]) => {
      if (!isObj(keys)) throw new Unevaluable('');
      return Object.entries(keys).map(([key, values]) => condition(operator, key, values, vars));
    });
    return { effect, unevaluable: false, scope, notPrincipal: has('NotPrincipal'), conds };
  } catch (err) {
    if (!(err instanceof Unevaluable)) throw err;
    return { effect, unevaluable: true, ...(scope && { scope }), notPrincipal: has('NotPrincipal'), conds: [] };
  }
}

/** A policy document, or undefined when it cannot be read at all (not JSON, no statements). */
function loadPolicy(doc: unknown, kind: PolicyKind): Policy | undefined {
  let d = doc;
  try {
    if (typeof d === 'string') d = JSON.parse(d);
  } catch {
    return undefined;
  }
  if (!isObj(d) || asList(d['Statement']).length === 0) return undefined;
  const vars = d['Version'] === '2012-10-17'; // older versions treat ${…} as text
  return { vars, statements: asList(d['Statement']).map((s) => loadStatement(s, kind, vars)) };
}

/** How a resource-based policy's Principal names the caller: the caller itself, its role, or its account. */
function named(spec: unknown, p: Who): Grant | undefined {
  const found = new Set<Grant>();
  const person = p.type !== 'service' && p.type !== 'anonymous';
  for (const v of spec === '*' ? ['*'] : isObj(spec) ? strings(spec['AWS']) : []) {
    const account = /^\d{12}$/.exec(v)?.[0] ?? /^arn:[a-z-]+:iam::(\d{12}):root$/.exec(v)?.[1];
    if (v === '*') found.add('direct');
    else if (account !== undefined && person && account === p.account)
      found.add(p.type === 'root' ? 'direct' : 'account');
    else if (person && v === p.arn) found.add(p.type === 'role' ? 'role' : 'direct');
    else if (v === p.roleArn) found.add('role');
  }
  if (p.type === 'service' && isObj(spec) && strings(spec['Service']).includes(p.arn)) found.add('direct');
  return (['direct', 'role', 'account'] as const).find((g) => found.has(g));
}

/**
 * NotPrincipal excludes only the principals it names themselves ("all principals except the user named Bob are
 * explicitly denied"; the account ARN next to Bob excludes the account principal, not everyone in it).
 */
function excluded(spec: unknown, p: Who): boolean {
  const listed = spec === '*' ? ['*'] : isObj(spec) ? [...strings(spec['AWS']), ...strings(spec['Service'])] : [];
  return listed.includes('*') || listed.includes(p.arn) || (p.type === 'root' && listed.includes(p.account));
}

interface Outcome {
  deny: boolean;
  allow: boolean;
  grants: Set<Grant>;
  missing: string[];
}
type Req = { who: Who; action: string; resource: string; ctx: Ctx; bounded: boolean };

function evaluateKind(list: unknown, kind: PolicyKind, req: Req): Outcome {
  const policies = asList(list).map((d) => loadPolicy(d, kind));
  const out: Outcome = { deny: policies.includes(undefined), allow: false, grants: new Set(), missing: [] };
  for (const policy of policies) {
    for (const s of policy?.statements ?? []) {
      // A statement whose scope cannot be read covers every request.
      const sc = s.scope;
      let grant: Grant | undefined = 'direct';
      if (sc) {
        const action = req.action.toLowerCase();
        if (sc.actions.some((a) => glob(tokens(a.toLowerCase(), false, req.ctx) ?? [], action)) === sc.notAction)
          continue;
        const vars = policy?.vars ?? false;
        const inResources = sc.resources?.some((r) => resourceMatch(r, req.resource, vars, req.ctx));
        if (inResources !== undefined && inResources === sc.notResource) continue;
        // "The NotPrincipal element with a Deny effect will always deny any IAM principal that has a permissions
        // boundary policy attached, regardless of the values specified in the NotPrincipal element."
        const spared = !req.bounded && excluded(sc.principal, req.who);
        if (kind === 'resource' && s.notPrincipal) grant = spared ? undefined : 'direct';
        else if (kind === 'resource') grant = named(sc.principal, req.who);
        if (grant === undefined) continue;
      }
      const results = s.conds.map((c) => ({ key: c.key, ...c.test(req.ctx.get(c.key.toLowerCase()), req.ctx) }));
      out.missing.push(...results.filter((r) => r.missing).map((r) => r.key));
      if (s.effect === 'Deny' && (s.unevaluable || results.every((r) => r.ok))) out.deny = true;
      if (s.effect === 'Allow' && !s.unevaluable && results.every((r) => r.ok)) {
        out.allow = true;
        out.grants.add(grant);
      }
    }
  }
  return out;
}

/** Evaluates one `rolecall simulate` input document. */
export function referenceEvaluate(input: unknown): ReferenceResult {
  const doc = isObj(input) ? input : {};
  const r = isObj(doc['request']) ? doc['request'] : {};
  const p = who(String(r['principal']));
  const context = Object.entries(isObj(r['context']) ? r['context'] : {});
  const ctx: Ctx = new Map(context.map(([k, v]) => [k.toLowerCase(), asList(v).map(String)]));
  const bounded = asList(doc['permissionsBoundaries']).length > 0;
  const req: Req = { who: p, action: String(r['action']), resource: String(r['resource']), ctx, bounded };
  const action = req.action.toLowerCase();
  // GetCallerIdentity: "If an administrator attaches a policy … that explicitly denies access to the
  // sts:GetCallerIdentity action, you can still perform this operation"; GetSessionToken: "You cannot use policies
  // to control authentication operations" (STS API reference).
  if (['sts:getcalleridentity', 'sts:getsessiontoken'].includes(action))
    return { decision: 'Allowed', missingContextKeys: [] };
  const resourceAccount = typeof r['resourceAccount'] === 'string' ? r['resourceAccount'] : undefined;
  const arnAccount = /^\d{12}$/.exec(split6(req.resource)[4] ?? '')?.[0];
  const sameAccount = (resourceAccount ?? arnAccount ?? p.account) === p.account;

  const run = (list: unknown, kind: PolicyKind) => evaluateKind(list, kind, req);
  const service = p.type === 'service' || p.type === 'anonymous';
  const identity = run(doc['identityPolicies'], 'identity');
  const resource = run(doc['trustPolicy'] ?? doc['resourcePolicy'], 'resource');
  const boundary = run(doc['permissionsBoundaries'], 'boundary');
  const session = run(doc['sessionPolicies'], 'session');
  // SCPs apply to the users and roles (and root) of member accounts, never to AWS service principals; RCPs apply
  // to every request for the resource but those of service-linked roles (Organizations User Guide).
  const scps = service ? [] : asList(doc['scps']).map((level) => run(level, 'scp'));
  const rcps = asList(doc['rcps']).map((level) => run(level, 'rcp'));
  const all = [identity, resource, boundary, session, ...scps, ...rcps];
  const missingContextKeys = [...new Set(all.flatMap((o) => o.missing))];
  const done = (decision: DecisionName, blockedBy?: PolicyKind): ReferenceResult =>
    blockedBy ? { decision, blockedBy, missingContextKeys } : { decision, missingContextKeys };

  // S3: "the root principal of the AWS account that owns a bucket can always use this operation, even if the
  // policy explicitly denies the root principal" (Get/Put/DeleteBucketPolicy, S3 API reference).
  const ownersRoot = p.type === 'root' && sameAccount && /^s3:(get|put|delete)bucketpolicy$/.test(action);
  if (all.some((o) => o.deny && !(ownersRoot && o === resource))) return done('ExplicitlyDenied');
  if (rcps.some((o) => !o.allow)) return done('ImplicitlyDenied', 'rcp');
  if (scps.some((o) => !o.allow)) return done('ImplicitlyDenied', 'scp');
  const grants = resource.grants;
  const verdict = (blockedBy: PolicyKind | undefined) => done(blockedBy ? 'ImplicitlyDenied' : 'Allowed', blockedBy);
  if (service) return verdict(grants.size > 0 ? undefined : 'resource');

  /** What the permissions boundary and session policies leave of an allow: undefined, or what blocks it. */
  const limits = (): PolicyKind | undefined => {
    if (bounded && !boundary.allow) return 'boundary';
    if (asList(doc['sessionPolicies']).length > 0) return session.allow ? undefined : 'session';
    // GetFederationToken: "if you do not pass any session policies, then the resulting federated user session has
    // no permissions".
    return p.type === 'federated-user' ? 'session' : undefined;
  };
  /** The principal's own side: identity-based policies, then the boundary, then session policies. */
  const ownSide = () => (p.type === 'root' ? undefined : identity.allow ? limits() : 'identity');

  if (!sameAccount) {
    return verdict(ownSide() ?? (grants.size > 0 ? undefined : 'resource')); // cross-account: both sides
  }
  const roleBlock = grants.has('role') ? limits() : 'resource';
  if (doc['trustPolicy'] !== undefined) {
    // Role trust policies must allow explicitly. A user named directly still needs its permissions boundary to
    // allow sts:AssumeRole ("Update a role trust policy"); a role named is limited by boundary and session policy.
    if (grants.has('direct')) return verdict(p.type === 'user' && bounded && !boundary.allow ? 'boundary' : undefined);
    if (roleBlock === undefined || !grants.has('account')) return verdict(roleBlock);
    return verdict(ownSide());
  }
  // Same account: a grant to the user or session itself is enough; to its role, within boundary and session
  // policies; otherwise (a grant to the account, or none) identity-based policies must allow.
  if (grants.has('direct') || p.type === 'root' || roleBlock === undefined) return verdict(undefined);
  const side = ownSide();
  return verdict(side && grants.has('role') ? roleBlock : side);
}
