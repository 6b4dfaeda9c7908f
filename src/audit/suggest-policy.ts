/**
 * `rolecall suggest-policy`: a least-privilege identity policy from what a role's sessions were recorded doing
 * (allowed and denied), and how it differs from what the role is granted today. Pure: the events, the catalogue
 * and the role's current policy documents come in; the document and the differences come out.
 *
 * The rules, so a reader can predict the output:
 *  - every check of every recorded request counts (allowed or denied; S3 CopyObject contributes two), except the
 *    authentication operations no policy controls (sts:GetCallerIdentity, sts:GetSessionToken);
 *  - one statement per service and set of resources: actions of a service that were used on exactly the same
 *    resources share a statement, whose Sid is the service's name (`S3`, then `S3Group2`, … when a service needs
 *    several statements); services, statements, actions and resources are sorted, so the output is stable;
 *  - resources are the ARNs observed, exactly. Only when WILDCARD_THRESHOLD (5) or more distinct ARNs of one
 *    action share everything up to their last `/` or `:` (objects under one S3 prefix, streams of one log group)
 *    are they replaced by that prefix and `*`; a prefix that would leave no resource path (`arn:aws:s3:::*`) is
 *    never used;
 *  - `*` appears only for actions authorized against no resource (their catalogue entry lists no resource type,
 *    so rolecall recorded `*`);
 *  - an observed ARN holding `*`, `?` or `$` (an S3 key may) is written with the policy variables `${*}`, `${?}`,
 *    `${$}`, which stand for those characters, so it stays exact.
 */
import { expandAction, type IamCatalogue } from '../lint/catalogue.ts';
import type { ContextValue } from '../policy/index.ts';
import type { AuditEvent } from './types.ts';
import { allowStatements } from './allow-statements.ts';

export const WILDCARD_THRESHOLD = 5;

/** The authentication operations no policy controls (STS API reference). */
const UNCONTROLLED = new Set(['sts:getcalleridentity', 'sts:getsessiontoken']);

export interface Observation {
  readonly action: string;
  readonly resource: string;
  readonly allowed: number;
  readonly denied: number;
  readonly lastSeen: string;
  /** The condition keys of its latest check, to re-evaluate it against today's policies. */
  readonly context?: Readonly<Record<string, ContextValue>>;
}

/** Every distinct action and resource the events' checks name, with how often each was allowed and denied. */
export function observe(events: readonly AuditEvent[]): Observation[] {
  type Mutable = { -readonly [K in keyof Observation]: Observation[K] };
  const byKey = new Map<string, Mutable>();
  for (const e of events) {
    for (const c of e.authorization?.checks ?? []) {
      if (UNCONTROLLED.has(c.action.toLowerCase())) continue;
      const key = `${c.action.toLowerCase()} ${c.resource}`;
      let o = byKey.get(key);
      if (!o) {
        o = { action: c.action, resource: c.resource, allowed: 0, denied: 0, lastSeen: e.eventTime };
        if (c.context) o.context = c.context;
        byKey.set(key, o);
      }
      if (c.decision === 'Allowed') o.allowed++;
      else o.denied++;
      if (e.eventTime >= o.lastSeen) {
        o.lastSeen = e.eventTime;
        if (c.context) o.context = c.context;
      } else if (!o.context && c.context) o.context = c.context;
    }
  }
  return [...byKey.values()].sort((a, b) => compare(a.action, b.action) || compare(a.resource, b.resource));
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** An ARN as literal text in a Resource element (Version 2012-10-17). */
export const literalArn = (arn: string): string => arn.replace(/[*?$]/g, (c) => `\${${c}}`);

/** Where an ARN's resource part ends its last path step: after the last `/` or `:` past the account. */
function parentPrefix(arn: string): string | undefined {
  let colons = 0;
  let start = -1;
  for (let i = 0; i < arn.length; i++) {
    if (arn[i] === ':' && ++colons === 5) {
      start = i + 1;
      break;
    }
  }
  if (start < 0) return undefined;
  const cut = Math.max(arn.lastIndexOf('/'), arn.lastIndexOf(':'));
  // The prefix must keep some of the resource part: `arn:aws:s3:::` alone would be every bucket.
  if (cut < start) return undefined;
  return arn.slice(0, cut + 1);
}

/** The observed resources of one action, merged by the wildcard rule. */
export function mergeResources(resources: readonly string[], threshold = WILDCARD_THRESHOLD): string[] {
  const unique = [...new Set(resources)];
  if (unique.includes('*')) return ['*'];
  const groups = new Map<string, string[]>();
  for (const arn of unique) {
    const prefix = parentPrefix(arn);
    if (prefix === undefined || prefix.includes('*') || prefix.includes('?') || prefix.includes('$')) continue;
    groups.set(prefix, [...(groups.get(prefix) ?? []), arn]);
  }
  const out = new Set<string>();
  for (const arn of unique) {
    const prefix = parentPrefix(arn);
    const group = prefix === undefined ? undefined : groups.get(prefix);
    out.add(prefix !== undefined && group && group.length >= threshold ? `${prefix}*` : literalArn(arn));
  }
  return [...out].sort(compare);
}

export interface SuggestedStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
}

export interface SuggestedPolicy {
  readonly Version: '2012-10-17';
  readonly Statement: readonly SuggestedStatement[];
}

/** `access-analyzer` → `AccessAnalyzer`, `s3` → `S3`: a Sid is alphanumeric. */
const sidOf = (service: string): string =>
  service
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p !== '')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('') || 'Service';

const one = (values: readonly string[]): string | readonly string[] =>
  values.length === 1 ? (values[0] ?? '') : values;

/** The least-privilege policy for the observations; undefined when nothing was observed. */
export function suggestPolicy(
  observations: readonly Observation[],
  threshold = WILDCARD_THRESHOLD,
): SuggestedPolicy | undefined {
  // service → action (as first written) → resources
  const services = new Map<string, Map<string, string[]>>();
  for (const o of observations) {
    const service = o.action.slice(0, o.action.indexOf(':')).toLowerCase();
    let actions = services.get(service);
    if (!actions) services.set(service, (actions = new Map()));
    const existing = [...actions.keys()].find((a) => a.toLowerCase() === o.action.toLowerCase()) ?? o.action;
    actions.set(existing, [...(actions.get(existing) ?? []), o.resource]);
  }
  const statements: SuggestedStatement[] = [];
  for (const service of [...services.keys()].sort(compare)) {
    const byResources = new Map<string, { actions: string[]; resources: string[] }>();
    for (const [action, resources] of services.get(service) ?? []) {
      const merged = mergeResources(resources, threshold);
      const key = merged.join('\n');
      const group = byResources.get(key) ?? { actions: [], resources: merged };
      group.actions.push(action);
      byResources.set(key, group);
    }
    const groups = [...byResources.values()]
      .map((g) => ({ ...g, actions: g.actions.sort(compare) }))
      .sort((a, b) => compare(a.actions[0] ?? '', b.actions[0] ?? ''));
    groups.forEach((g, i) => {
      statements.push({
        Sid: `${sidOf(service)}${i === 0 ? '' : `Group${i + 1}`}`,
        Effect: 'Allow',
        Action: one(g.actions),
        Resource: one(g.resources),
      });
    });
  }
  return statements.length === 0 ? undefined : { Version: '2012-10-17', Statement: statements };
}

/** Action patterns of Allow statements, and what could not be expanded (`*`, NotAction). */
function grantedPatterns(documents: readonly string[]): { actions: string[]; unexpandable: string[] } {
  const actions: string[] = [];
  const unexpandable: string[] = [];
  for (const st of allowStatements(documents)) {
    if (st.notActions !== undefined) {
      unexpandable.push(`NotAction ${st.notActions.join(', ')}`);
      continue;
    }
    for (const a of st.actions) {
      if (a === '*') unexpandable.push('*');
      else actions.push(a);
    }
  }
  return { actions, unexpandable: [...new Set(unexpandable)] };
}

/** At most this many granted actions are listed; `s3:*` alone expands to about 150. */
export const GRANTED_LIMIT = 2000;

export interface PermissionDiff {
  /** Actions the role's Allow statements grant (wildcards expanded against the catalogue) that were never used. */
  readonly unusedActions: readonly string[];
  /** Grants not expanded: `*` and NotAction statements, which grant every action or nearly. */
  readonly unexpanded: readonly string[];
  /** The expansion stopped at GRANTED_LIMIT actions. */
  readonly truncated: boolean;
  /** Services the role is granted something in but never used. */
  readonly unusedServices: readonly string[];
}

/** The role's granted actions the observations never used. The catalogue must hold the services the policies name. */
export function permissionDiff(
  documents: readonly string[],
  observations: readonly Observation[],
  catalogue: IamCatalogue,
): PermissionDiff {
  const { actions, unexpandable } = grantedPatterns(documents);
  const used = new Set(observations.map((o) => o.action.toLowerCase()));
  const usedServices = new Set(observations.map((o) => o.action.slice(0, o.action.indexOf(':')).toLowerCase()));
  const granted = new Map<string, string>();
  let truncated = false;
  for (const pattern of actions) {
    const expanded = expandAction(catalogue, pattern);
    // An action the catalogue does not know is kept as written: it is granted, and it was not used.
    const names = expanded.length > 0 ? expanded.map((e) => `${e.service.prefix}:${e.action.name}`) : [pattern];
    for (const name of names) {
      if (granted.size >= GRANTED_LIMIT) {
        truncated = true;
        break;
      }
      granted.set(name.toLowerCase(), name);
    }
  }
  const unusedActions = [...granted.entries()]
    .filter(([lower]) => !used.has(lower))
    .map(([, name]) => name)
    .sort(compare);
  const grantedServices = new Set([...granted.keys()].map((a) => a.slice(0, a.indexOf(':'))));
  const unusedServices = [...grantedServices].filter((s) => !usedServices.has(s)).sort(compare);
  return { unusedActions, unexpanded: unexpandable, truncated, unusedServices };
}

/** The service prefixes (or vendor patterns) a set of policy documents names, to load before permissionDiff. */
export function policyServices(documents: readonly string[]): string[] {
  const { actions } = grantedPatterns(documents);
  return [
    ...new Set(actions.map((a) => a.slice(0, Math.max(0, a.indexOf(':'))).toLowerCase()).filter((s) => s !== '')),
  ];
}
