/**
 * GET /_rolecall/suggest-policy: reads a role's recorded requests from the trail, suggests the least-privilege
 * policy (suggest-policy.ts), checks it with IAM's own validator, and compares it with the role's policies today:
 * granted actions never used, and observed permissions the role lacks now (re-evaluated by the engine with the
 * request's recorded context).
 */
import { principalPolicies } from '../auth/policies.ts';
import type { Principal } from '../auth/principal.ts';
import type { Clock } from '../model/clock.ts';
import { nameKey, type RoleRecord } from '../model/iam.ts';
import { evaluate, policySize, validatePolicy } from '../policy/index.ts';
import type { AwsManagedPolicies } from '../state/aws-managed-policies.ts';
import type { IamState } from '../state/iam-state.ts';
import { findManagedPolicy } from '../state/policies.ts';
import type { ServiceReference } from '../state/service-reference.ts';
import {
  observe,
  permissionDiff,
  policyServices,
  suggestPolicy,
  WILDCARD_THRESHOLD,
  type Observation,
  type PermissionDiff,
  type SuggestedPolicy,
} from './suggest-policy.ts';
import type { AuditEvent, AuditTrail } from './types.ts';

export interface SuggestDeps {
  readonly state: IamState;
  readonly awsManaged: AwsManagedPolicies;
  readonly trail: AuditTrail;
  readonly clock: Clock;
  /** The Service Authorization Reference, opened on first use. */
  readonly reference: () => Promise<ServiceReference>;
}

export interface SuggestQuery {
  readonly account: string;
  /** The role's name or ARN. */
  readonly role: string;
  /** Only requests at or after this time; all recorded ones when absent. */
  readonly since?: Date;
}

export interface SuggestReport {
  readonly role: string;
  readonly since?: string;
  readonly until: string;
  /** How many recorded requests of the role's sessions were read. */
  readonly events: number;
  /** The suggested identity policy; absent when the role's sessions were never recorded doing anything. */
  readonly policy?: SuggestedPolicy;
  /** IAM's MalformedPolicyDocument message for the suggestion, if it has one (it should not). */
  readonly invalid?: string;
  /** The suggestion's size as IAM counts it (whitespace excluded); an inline role policy may hold 10,240. */
  readonly size?: number;
  readonly wildcardThreshold: number;
  readonly observed: readonly Omit<Observation, 'context'>[];
  /** What the role is granted today and never used, and what it used but lacks now. */
  readonly diff: PermissionDiff & {
    readonly lacking: readonly { readonly action: string; readonly resource: string }[];
  };
  /** The command that applies the suggestion as an inline policy (after saving it as policy.json). */
  readonly command?: string;
  readonly notes: readonly string[];
}

/** At most this many events are read for one suggestion. */
export const EVENT_LIMIT = 50_000;
const PAGE = 1000;

export class SuggestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function findRole(state: IamState, account: string, role: string): RoleRecord | undefined {
  if (role.startsWith('arn:')) {
    const m = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(role);
    if (!m) return undefined;
    const found = state.get('iam.role', m[1] ?? '', nameKey(m[2] ?? ''));
    return found?.arn === role ? found : undefined;
  }
  return state.get('iam.role', account, nameKey(role));
}

function readEvents(
  trail: AuditTrail,
  roleArn: string,
  since: Date | undefined,
): { events: AuditEvent[]; capped: boolean } {
  const events: AuditEvent[] = [];
  let after: string | undefined;
  for (;;) {
    const page = trail.find({ principalArn: roleArn, ...(since && { since }) }, PAGE, after);
    // The filter names the role; a session's issuer must be the role itself, not a user of the same ARN.
    for (const e of page) if (e.userIdentity.sessionContext?.sessionIssuer?.arn === roleArn) events.push(e);
    if (page.length < PAGE) return { events, capped: false };
    if (events.length >= EVENT_LIMIT) return { events, capped: true };
    after = page[page.length - 1]?.eventID;
  }
}

/** The documents of the role's identity policies today: inline, then attached. */
function roleDocuments(deps: SuggestDeps, account: string, role: RoleRecord): string[] {
  const attached = role.attachedPolicyArns.flatMap((arn) => {
    const policy = findManagedPolicy(deps.state, deps.awsManaged, account, arn);
    const version = policy?.versions.find((v) => v.versionId === policy.defaultVersionId);
    return version ? [version.document] : [];
  });
  return [...role.inlinePolicies.map((p) => p.document), ...attached];
}

export async function suggestForRole(deps: SuggestDeps, query: SuggestQuery): Promise<SuggestReport> {
  const role = findRole(deps.state, query.account, query.role);
  if (!role) throw new SuggestError(404, `no role '${query.role}' in account ${query.account}`);
  const account = role.arn.split(':')[4] ?? query.account;
  const { events, capped } = readEvents(deps.trail, role.arn, query.since);
  const observations = observe(events);
  const policy = suggestPolicy(observations);
  const notes: string[] = [];
  if (capped) notes.push(`only the latest ${EVENT_LIMIT} requests were read.`);
  if (events.length === 0) notes.push('no recorded request of this role’s sessions in the period: nothing to suggest.');

  const documents = roleDocuments(deps, account, role);
  const reference = await deps.reference();
  const starred = observations.filter((o) => o.resource === '*').map((o) => o.action);
  await reference.ensure([...policyServices(documents), ...starred.map((a) => a.slice(0, a.indexOf(':')))]);
  // `*` is right only for actions that take no resource; one recorded against `*` although the reference lists
  // resource types for it is kept (it is what the request needed) and reported.
  for (const action of new Set(starred)) {
    const [service = '', name = ''] = action.toLowerCase().split(':');
    const entry = reference.service(service)?.actions.get(name);
    if (entry && entry.resourceTypes.length > 0) {
      notes.push(
        `${action} was authorized against * although it supports resource types (${entry.resourceTypes.map((r) => r.name).join(', ')}); the suggestion keeps *.`,
      );
    }
  }
  const diff = permissionDiff(documents, observations, reference);

  // What the role used but would be refused today (its own policies and boundary; session policies aside).
  const session: Principal = {
    type: 'assumed-role',
    account,
    arn: `arn:aws:sts::${account}:assumed-role/${role.name}/rolecall-suggest-policy`,
    userId: `${role.id}:rolecall-suggest-policy`,
    accessKeyId: '',
    session: {
      kind: 'role',
      account,
      accessKeyId: '',
      secretAccessKey: '',
      issuedAt: 0,
      expiresAt: 0,
      roleArn: role.arn,
      roleId: role.id,
      roleName: role.name,
      sessionName: 'rolecall-suggest-policy',
    },
  };
  const policies = principalPolicies(deps.state, deps.awsManaged, session);
  const lacking = observations
    .filter(
      (o) =>
        evaluate(
          {
            principal: { type: 'assumed-role', arn: session.arn, account, roleArn: role.arn },
            action: o.action,
            resource: o.resource,
            resourceAccount: account,
            ...(o.context && { context: o.context }),
          },
          { identity: policies.identity, boundaries: policies.boundaries },
        ).decision !== 'Allowed',
    )
    .map((o) => ({ action: o.action, resource: o.resource }));

  let invalid: string | undefined;
  let size: number | undefined;
  if (policy) {
    const text = JSON.stringify(policy);
    invalid = validatePolicy(text, 'identity');
    size = policySize(text);
    // IAM's quota for a role's inline policies, all together (IAM User Guide, "IAM and AWS STS quotas").
    if (size > 10_240)
      notes.push(
        `the policy holds ${size} characters: more than an inline role policy may (10,240); create a managed policy (6,144 each) or several.`,
      );
    if (invalid !== undefined) notes.push(`rolecall's validator refuses the suggestion: ${invalid}`);
    if (observations.some((o) => o.resource !== '*' && !o.resource.startsWith('arn:'))) {
      notes.push('some recorded resources are not ARNs; they are kept as recorded.');
    }
  }
  return {
    role: role.arn,
    ...(query.since && { since: query.since.toISOString() }),
    until: deps.clock.now().toISOString(),
    events: events.length,
    ...(policy && { policy }),
    ...(invalid !== undefined && { invalid }),
    ...(size !== undefined && { size }),
    wildcardThreshold: WILDCARD_THRESHOLD,
    observed: observations.map(({ context: _context, ...o }) => o),
    diff: { ...diff, lacking },
    ...(policy && {
      command: `aws iam put-role-policy --role-name ${role.name} --policy-name rolecall-suggested --policy-document file://policy.json`,
    }),
    notes,
  };
}
