/**
 * How much an Allow grants: iam:PassRole on every role (Access Analyzer's six PassRole checks), NotAction and
 * NotResource with Allow, "*" and "service:*", statements equivalent to administrator access, and actions known
 * to escalate privileges, expose credentials or move data out when they apply to every resource. The lists of
 * actions and their sources are in ./sensitive-actions.ts.
 */
import { member } from '../json.ts';
import { conditionKeys, hasConditions, location, type ElementItem, type PolicyStatement } from '../document.ts';
import type { LintContext } from '../context.ts';
import { arnSegments } from '../patterns.ts';
import { wildcardMatch } from '../../policy/wildcard.ts';
import type { IamCatalogue } from '../catalogue.ts';
import { COMBINATIONS, CREDENTIAL_ACTIONS, ESCALATION_ACTIONS, EXFILTRATION_ACTIONS } from '../sensitive-actions.ts';
import type { Location } from '../types.ts';

/** How a statement reaches an action: named as such, through a wildcard, through NotAction; or not at all. */
export type Reach = 'literal' | 'wildcard' | 'not-action' | undefined;

export function reach(s: PolicyStatement, action: string): Reach {
  const lower = action.toLowerCase();
  if (s.notAction)
    return s.notAction.items.some((i) => wildcardMatch(i.value.toLowerCase(), lower)) ? undefined : 'not-action';
  const items = s.action?.items ?? [];
  if (items.some((i) => i.value.toLowerCase() === lower)) return 'literal';
  return items.some((i) => wildcardMatch(i.value.toLowerCase(), lower)) ? 'wildcard' : undefined;
}

/** The Action entries (or the NotAction element) through which a statement reaches an action. */
export function reachLocations(s: PolicyStatement, action: string): Location[] {
  if (s.notAction) return [location(s.notAction.path, s.notAction.node)];
  const lower = action.toLowerCase();
  return (s.action?.items ?? [])
    .filter((i) => wildcardMatch(i.value.toLowerCase(), lower))
    .map((i) => location(i.path, i.node));
}

/**
 * Whether an ARN pattern names every resource of a kind: "*", or a resource part that is one of the service's
 * resource-type prefixes followed by wildcards only (`user/*`, `secret:*`; for S3 objects, a star, a slash and a
 * star).
 */
export function isBroadArn(catalogue: IamCatalogue, arn: string): boolean {
  if (arn === '*') return true;
  const seg = arnSegments(arn);
  if (!seg) return false;
  const rest = seg[4] ?? '';
  const onlyWild = (t: string) => t.includes('*') && /^[*?/:]*$/.test(t);
  if (onlyWild(rest)) return true;
  const service = catalogue.service((seg[1] ?? '').toLowerCase());
  if (!service) return false;
  for (const type of service.resourceTypes.values()) {
    const format = arnSegments(type.arn)?.[4] ?? '';
    const prefix = format.slice(0, format.indexOf('${') < 0 ? format.length : format.indexOf('${'));
    if (prefix !== '' && rest.startsWith(prefix) && onlyWild(rest.slice(prefix.length))) return true;
  }
  return false;
}

/** The Resource entries that reach every resource of a service (or all of them), for an action of that service. */
function broadItems(ctx: LintContext, s: PolicyStatement, service: string): ElementItem[] {
  return (s.resource?.items ?? []).filter(
    (r) => r.value === '*' || (arnSegments(r.value)?.[1] === service && isBroadArn(ctx.catalogue, r.value)),
  );
}

const isBroadFor = (ctx: LintContext, s: PolicyStatement, service: string): boolean =>
  s.notResource !== undefined || broadItems(ctx, s, service).length > 0;

const ROLE_STAR = /^arn:[^:]*:iam::[^:]*:role\/\*$/;

function passRole(ctx: LintContext, s: PolicyStatement): void {
  const how = reach(s, 'iam:PassRole');
  if (how === undefined || conditionKeys(s).has('iam:passedtoservice')) return;
  const stars = (s.resource?.items ?? []).filter((r) => r.value === '*' || ROLE_STAR.test(r.value));
  const notResource = s.notResource;
  if (stars.length === 0 && !notResource) return;
  const where = [
    ...reachLocations(s, 'iam:PassRole'),
    ...(notResource ? [location(notResource.path, notResource.node)] : stars.map((r) => location(r.path, r.node))),
  ];
  const code = {
    literal: notResource ? 'PASS_ROLE_WITH_NOT_RESOURCE' : 'PASS_ROLE_WITH_STAR_IN_RESOURCE',
    wildcard: notResource
      ? 'PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE'
      : 'PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE',
    'not-action': notResource
      ? 'PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE'
      : 'PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION',
  }[how];
  // Access Analyzer's wording for each case (access-analyzer-reference-policy-checks.md).
  const details: Record<string, string> = {
    PASS_ROLE_WITH_STAR_IN_RESOURCE:
      'Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive because it allows iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.',
    PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE:
      'Using wildcards (*) in the action and the resource can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.',
    PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION:
      'Using a resource with wildcards (*) and NotAction can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.',
    PASS_ROLE_WITH_NOT_RESOURCE:
      'Using the iam:PassRole action with NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead.',
    PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE:
      'Using an action with a wildcard (*) and NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead.',
    PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE:
      'Using NotAction with NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead.',
  };
  ctx.report(code, details[code] ?? '', where, s);
}

/** Allow with no condition of everything, of all of IAM, or of NotAction that leaves IAM's escalation in. */
export function isAdminEquivalent(s: PolicyStatement): boolean {
  if (s.effect !== 'Allow' || hasConditions(s)) return false;
  const everywhere = s.notResource !== undefined || (s.resource?.items ?? []).some((r) => r.value === '*');
  if (!everywhere) return false;
  if (s.notAction) return ESCALATION_ACTIONS.some((a) => a.startsWith('iam:') && reach(s, a) !== undefined);
  return (s.action?.items ?? []).some((i) => {
    const v = i.value.toLowerCase();
    return v === '*' || v === '*:*' || v === 'iam:*';
  });
}

function sensitive(
  ctx: LintContext,
  s: PolicyStatement,
  code: string,
  actions: readonly string[],
  say: (names: string) => string,
): void {
  if (hasConditions(s)) return;
  const hits = actions.filter((a) => reach(s, a) !== undefined && isBroadFor(ctx, s, a.slice(0, a.indexOf(':'))));
  if (hits.length === 0) return;
  const locs = new Map<string, Location>();
  for (const a of hits) for (const l of reachLocations(s, a)) locs.set(JSON.stringify(l.path), l);
  ctx.report(code, say(hits.join(', ')), [...locs.values()], s);
}

function statementChecks(ctx: LintContext, s: PolicyStatement): void {
  passRole(ctx, s);
  if (s.notAction) {
    ctx.report(
      'ALLOW_WITH_NOT_ACTION',
      'Using Allow with NotAction allows every action not listed, in every service, including actions AWS adds later. We recommend that you list the actions to allow with Action.',
      [location(s.notAction.path, s.notAction.node)],
      s,
    );
  }
  if (s.notResource) {
    ctx.report(
      'ALLOW_WITH_NOT_RESOURCE',
      'Using Allow with NotResource allows every resource not listed, including resources created later. We recommend that you list the resources to allow with Resource.',
      [location(s.notResource.path, s.notResource.node)],
      s,
    );
  }
  if (isAdminEquivalent(s)) {
    const node = s.object && (member(s.object, 'Action') ?? member(s.object, 'NotAction'));
    ctx.report(
      'ADMIN_EQUIVALENT',
      "This statement grants administrator access: it allows, without any condition, every action on every resource, all of IAM, or every action outside a NotAction list that leaves IAM's privilege escalation actions in.",
      [location([...s.path, ...(node ? [{ value: node.key }] : [])], node?.value ?? s.node)],
      s,
    );
    return;
  }
  for (const item of s.action?.items ?? []) {
    const v = item.value.toLowerCase();
    if (v === '*' || v === '*:*') {
      ctx.report(
        'STAR_ACTION',
        'The action "*" allows every action of every service on the resources named. We recommend that you list the actions needed.',
        [location(item.path, item.node)],
        s,
      );
    } else if (/^[a-z0-9-]+:\*$/.test(v)) {
      ctx.report(
        'SERVICE_WILDCARD_ACTION',
        `The action ${item.value} allows every action of the service, including destructive and administrative ones and those added later. We recommend that you list the actions needed.`,
        [location(item.path, item.node)],
        s,
      );
    }
  }
  sensitive(
    ctx,
    s,
    'PRIVILEGE_ESCALATION',
    ESCALATION_ACTIONS,
    (names) =>
      `This statement allows ${names} on any resource without a condition: the principal can raise its own permissions (or those of a principal it controls) to anything.`,
  );
  sensitive(
    ctx,
    s,
    'CREDENTIALS_EXPOSURE',
    CREDENTIAL_ACTIONS,
    (names) =>
      `This statement allows ${names} on any resource without a condition: the principal can read or mint other identities' credentials and secrets.`,
  );
  sensitive(
    ctx,
    s,
    'DATA_EXFILTRATION',
    EXFILTRATION_ACTIONS,
    (names) =>
      `This statement allows ${names} on any resource without a condition: every such resource in reach can be read or shared outside the account.`,
  );
}

export interface Combination {
  readonly partner: string;
  readonly passRole: PolicyStatement;
  readonly partnerStatement: PolicyStatement;
}

/** The services a PassRole statement's iam:PassedToService condition allows; undefined when it has none. */
function passedToServices(s: PolicyStatement): string[] | undefined {
  const tests = s.conditions.filter((t) => t.key.toLowerCase() === 'iam:passedtoservice');
  if (tests.length === 0) return undefined;
  return tests.flatMap((t) =>
    /^(ForAnyValue:)?String(Equals|Like)(IfExists)?$/.test(t.operator) ? t.values.map((v) => v.text.toLowerCase()) : [],
  );
}

/**
 * iam:PassRole on every role together with an action that hands a role to code the principal controls (Rhino
 * Security Labs' escalation methods 3, 15–16, 18, 20, 21), across the given statements — one policy's, or every
 * policy of a principal. A PassRole limited by iam:PassedToService counts only with that service's actions.
 */
export function findCombinations(catalogue: IamCatalogue, statements: readonly PolicyStatement[]): Combination[] {
  const allows = statements.filter((s) => s.effect === 'Allow' && !isAdminEquivalent(s));
  const passers = allows.filter(
    (s) =>
      reach(s, 'iam:PassRole') !== undefined &&
      (s.notResource !== undefined ||
        (s.resource?.items ?? []).some(
          (r) => r.value === '*' || (arnSegments(r.value)?.[1] === 'iam' && isBroadArn(catalogue, r.value)),
        )),
  );
  const out: Combination[] = [];
  for (const combo of COMBINATIONS) {
    const passRole = passers.find((s) => {
      const services = passedToServices(s);
      return services === undefined || services.some((p) => wildcardMatch(p, combo.servicePrincipal));
    });
    const partnerStatement = allows.find((s) => reach(s, combo.action) !== undefined);
    if (passRole && partnerStatement) out.push({ partner: combo.action, passRole, partnerStatement });
  }
  return out;
}

export function permissionChecks(ctx: LintContext): void {
  if (ctx.type !== 'identity' && ctx.type !== 'session') return;
  for (const s of ctx.doc.statements) if (s.effect === 'Allow') statementChecks(ctx, s);
  const combinations = findCombinations(ctx.catalogue, ctx.doc.statements);
  for (const passer of new Set(combinations.map((c) => c.passRole))) {
    const mine = combinations.filter((c) => c.passRole === passer);
    const locations = new Map<string, Location>();
    for (const l of reachLocations(passer, 'iam:PassRole')) locations.set(JSON.stringify(l.path), l);
    for (const c of mine)
      for (const l of reachLocations(c.partnerStatement, c.partner)) locations.set(JSON.stringify(l.path), l);
    ctx.report(
      'PRIVILEGE_ESCALATION_COMBINATION',
      `This policy allows iam:PassRole on any role together with ${mine.map((c) => c.partner).join(', ')}: the principal can hand any role, an administrator's too, to code it runs.`,
      [...locations.values()],
      passer,
    );
  }
}
